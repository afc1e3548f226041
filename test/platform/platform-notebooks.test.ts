import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { PlatformAccess, PlatformProfile } from '../../src';
import { container, envOf, objectNamed, objectsOfKind, synthValid, testChart, validManifests } from '../util';
import { existingSecrets, NAMESPACE, platform, podsOf, policiesAllowing } from './mlops-core-fixtures';

describe('MlopsCore.addNotebook', () => {
  test('logs to the platform MLflow, which lets it in; the shared volume at /shared; served at /notebooks/<owner> on the platform host', () => {
    const chart = testChart(NAMESPACE);
    const core = platform({
      access: PlatformAccess.ingress({ host: 'mlops.example.com', ingressClassName: 'nginx' }),
      sharedVolume: { server: 'nfs.example.com', path: '/exports/mlops' },
    }, chart);
    const workspace = core.addNotebook('Alice', { owner: 'alice', readBuckets: [core.datasetsBucket], writeBuckets: [core.modelsBucket] });
    const manifests = synthValid(chart);
    const lab = container(objectNamed(manifests, 'Deployment', 'platform-alice'), 'jupyterlab');
    expect(envOf(lab).MLFLOW_TRACKING_URI).toEqual({ value: core.mlflow.trackingUri });
    expect(lab.args).toContain('--ServerApp.base_url=/notebooks/alice/');
    const shared = objectNamed(manifests, 'Deployment', 'platform-alice').spec.template.spec.volumes
      .find((v: any) => v.persistentVolumeClaim?.claimName === core.sharedVolume!.claim.name);
    expect(lab.volumeMounts).toContainEqual({ name: shared.name, mountPath: '/shared' });
    const ingress = objectsOfKind(manifests, 'Ingress').find((i) => i.spec.rules[0].http.paths[0].path === '/notebooks/alice');
    expect(ingress.spec).toMatchObject({ ingressClassName: 'nginx', rules: [{ host: 'mlops.example.com' }] });
    const pods = workspace.deployment.matchLabels;
    // The Ingress opens MLflow to anyone; the workspace's own policy holds without it.
    expect(policiesAllowing(manifests, podsOf(manifests, 'Deployment', 'platform-mlflow'), pods, 5000).map((p) => p.metadata.name))
      .toContainEqual(expect.stringContaining('mlflow-allowfrom-test-platform-alice'));
    expect(policiesAllowing(manifests, podsOf(manifests, 'StatefulSet', 'platform-minio'), pods, 9000)).toHaveLength(1);
  });

  test('production refuses a generated MinIO user for the platform buckets, and takes an existing one', () => {
    const chart = testChart(NAMESPACE);
    const { secrets, externals } = existingSecrets(chart);
    const core = platform({ profile: PlatformProfile.PRODUCTION, secrets }, chart);
    expect(() => core.addNotebook('Alice', { owner: 'alice', readBuckets: [core.datasetsBucket] })).toThrow(
      "MlopsCore 'test/Platform': addNotebook('Alice'): profile production refuses credentials generated in the cluster: the workspace reads "
      + "the platform's buckets with a MinIO user of its own, and s3Credentials is missing; give it an existing Secret with SecretSource.fromSecret(...)");
    const s3Credentials = existingSecrets(testChart(NAMESPACE)).secrets.mlflowS3Credentials;
    core.addNotebook('Bob', { owner: 'bob', readBuckets: [core.datasetsBucket], s3Credentials });
    const manifests = Testing.synth(chart);
    const lab = container(objectNamed(manifests, 'Deployment', 'platform-bob'), 'jupyterlab');
    expect(envOf(lab).AWS_SECRET_ACCESS_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'mlflow-s3', key: 'password' } } });
    synthValid(chart, externals);
  });
});

describe('MlopsCore.addTeam', () => {
  test('the team views the platform, logs to its MLflow, and writes its own bucket with the team user from the Secret in both namespaces', () => {
    const app = Testing.app();
    const core = platform({}, new Chart(app, 'test', { namespace: NAMESPACE }));
    const teamChart = new Chart(app, 'vision', { namespace: 'vision' });
    const team = core.addTeam(teamChart, { members: ['bob'], quota: { cpu: kplus.Cpu.units(4), memory: Size.gibibytes(8) } });
    team.addNotebook('Bob', { owner: 'bob' });
    const manifests = Testing.synth(Chart.of(core));
    const teamManifests = Testing.synth(teamChart);
    validManifests([...manifests, ...teamManifests], [
      ...['mlops', 'vision'].map((namespace) => ({ kind: 'Secret', name: 'vision-s3-credentials', namespace, keys: ['username', 'password'] })),
      { kind: 'ClusterRole', name: 'edit' }, { kind: 'ClusterRole', name: 'view' },
    ]);
    const lab = container(objectNamed(teamManifests, 'Deployment', 'bob'), 'jupyterlab');
    expect(envOf(lab).MLFLOW_TRACKING_URI).toEqual({ value: core.mlflow.trackingUri });
    expect(envOf(lab).AWS_ACCESS_KEY_ID).toEqual({ valueFrom: { secretKeyRef: { name: 'vision-s3-credentials', key: 'username' } } });
    expect(objectsOfKind(manifests, 'Job').some((j) => JSON.stringify(j).includes('mb --ignore-existing --region us-east-1 minio/team-vision'))).toBe(true);
    expect(objectsOfKind(teamManifests, 'RoleBinding').filter((b) => b.roleRef.kind === 'ClusterRole').map((b) => [b.metadata.namespace, b.roleRef.name])).toEqual([['vision', 'edit'], ['mlops', 'view']]);
  });

  test('refuses the platform\'s own namespace', () => {
    const core = platform();
    expect(() => core.addTeam(Chart.of(core), { members: ['bob'], quota: { cpu: kplus.Cpu.units(4), memory: Size.gibibytes(8) } })).toThrow(
      "MlopsCore 'test/Platform': addTeam: namespace 'mlops' is invalid: it is the platform's; give the chart of the team's own namespace, "
      + "e.g. new Chart(app, 'vision', { namespace: 'vision' })");
  });
});
