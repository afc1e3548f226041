import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Yaml } from 'cdk8s';
import { kubeflowPrimaryPlatform, PROFILES, SERVING_CLUSTERS } from '../../examples/kubeflow-primary/kubeflow-primary-platform';
import { ExternalObject } from '../../src/testing';
import { objectsOfKind, validManifests } from '../util';

const PROFILE_SECRETS: ExternalObject[] = PROFILES.flatMap((profile) => [profile, 'mlops'].map((namespace) => ({
  kind: 'Secret', name: `${profile}-s3-credentials`, namespace, keys: ['username', 'password'],
})));
const CACHE = join(__dirname, '..', '..', 'node_modules', '.cache', 'cdk8s-mlops-tests');
const MODELS_SECRET: ExternalObject = { kind: 'Secret', name: 'primary-models-credentials', namespace: 'mlops', keys: ['username', 'password'] };

describe('examples/kubeflow-primary', () => {
  let outdir: string;
  beforeAll(() => {
    // Inside the repository, whose root the Argo CD Applications' paths are relative to.
    mkdirSync(CACHE, { recursive: true });
    outdir = mkdtempSync(join(CACHE, 'kubeflow-primary-'));
    kubeflowPrimaryPlatform(outdir).synth();
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const read = (folder: string, file: string) => Yaml.load(join(outdir, folder, `${file}.k8s.yaml`));

  test('the primary and its profiles pass the validation harness together; each serving cluster too', () => {
    expect(readdirSync(join(outdir, 'primary')).sort()).toEqual(['primary.k8s.yaml', 'team-a.k8s.yaml', 'team-b.k8s.yaml']);
    validManifests([...read('primary', 'primary'), ...PROFILES.flatMap((profile) => read('primary', profile))], PROFILE_SECRETS);
    for (const cluster of SERVING_CLUSTERS) {
      validManifests(read(cluster, cluster), [MODELS_SECRET]);
    }
  });

  test('MLflow on MySQL behind Kubeflow\'s gateway, and PodDefaults in each profile', () => {
    const primary = read('primary', 'primary');
    const mlflow = objectsOfKind(primary, 'Deployment').find((d) => d.metadata.name.includes('mlflow'));
    const env = mlflow.spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(env).toContain('DB_USER');
    expect(JSON.stringify(mlflow)).toContain('mysql');
    expect(objectsOfKind(primary, 'VirtualService')[0].spec.gateways).toEqual(['kubeflow/kubeflow-gateway']);
    for (const profile of PROFILES) {
      const podDefaults = objectsOfKind(read('primary', profile), 'PodDefault');
      expect(podDefaults.map((p) => [p.metadata.namespace, p.metadata.name])).toEqual(
        ['access-mlflow', 'access-s3', 'access-shared-volume', 'access-ml-pipeline'].map((name) => [profile, name]));
    }
  });
});
