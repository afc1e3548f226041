import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing, Yaml } from 'cdk8s';
import { multiclusterPlatform, SERVING_CLUSTERS } from '../../examples/multicluster/multicluster-platform';
import { ArgoCdSyncWaves, MultiClusterPlatform } from '../../src';
import { ExternalObject } from '../../src/testing';
import { container, envOf, objectNamed, objectsOfKind, podSpec, validManifests } from '../util';

const MODELS_SECRET: ExternalObject = { kind: 'Secret', name: 'primary-models-credentials', namespace: 'mlops', keys: ['username', 'password'] };

describe('examples/multicluster', () => {
  // The app's output folder in a Git repository, as in this one: the Applications' paths derive from it.
  let repository: string;
  let outdir: string;
  beforeEach(() => {
    repository = mkdtempSync(join(tmpdir(), 'multicluster-'));
    mkdirSync(join(repository, '.git'));
    outdir = join(repository, 'dist', 'multicluster');
  });
  afterEach(() => rmSync(repository, { recursive: true, force: true }));

  test('writes one folder per cluster and one for the Argo CD Applications, each passing the validation harness', () => {
    multiclusterPlatform(outdir).synth();
    expect(readdirSync(outdir).sort()).toEqual(['argocd', 'primary', 'serving-eu', 'serving-us']);
    const read = (folder: string) => {
      expect(readdirSync(join(outdir, folder))).toEqual([`${folder}.k8s.yaml`]);
      return Yaml.load(join(outdir, folder, `${folder}.k8s.yaml`));
    };
    validManifests(read('primary'));
    for (const cluster of SERVING_CLUSTERS) {
      const manifests = validManifests(read(cluster), [MODELS_SECRET]);
      expect(objectNamed(manifests, 'InferenceService', 'iris').spec.predictor.model.storageUri).toBe('s3://models/triton');
      const smokeJobs = objectsOfKind(manifests, 'Job').filter((job) => job.metadata.annotations?.['argocd.argoproj.io/hook'] === 'PostSync');
      expect(smokeJobs.map((job) => podSpec(job).containers[0].name).sort()).toEqual(['model', 'prometheus']);
      expect(envOf(container(smokeJobs.find((job) => podSpec(job).containers[0].name === 'model'), 'model')).MODEL_NAME).toEqual({ value: 'iris' });
    }
    const applications = validManifests(read('argocd'));
    expect(applications.map((app) => [app.metadata.name, app.metadata.namespace, app.spec.source.path])).toEqual([
      ['primary', 'argocd', 'dist/multicluster/primary'],
      ['serving-eu', 'argocd', 'dist/multicluster/serving-eu'],
      ['serving-us', 'argocd', 'dist/multicluster/serving-us'],
    ]);
    expect(readFileSync(join(outdir, 'primary', 'primary.k8s.yaml'), 'utf8')).toContain('argocd.argoproj.io/sync-wave');
  });

  test('the primary federates each serving cluster at its Prometheus endpoint', () => {
    const manifests = Testing.synth(multiclusterPlatform(outdir).primaryChart);
    const federations = objectsOfKind(manifests, 'ScrapeConfig');
    expect(federations.map((c) => [c.spec.jobName, c.spec.staticConfigs[0].targets, c.spec.metricsPath])).toEqual([
      ['federate-serving-eu', ['prometheus.serving-eu.example.com:443'], '/federate'],
      ['federate-serving-us', ['prometheus.serving-us.example.com:443'], '/federate'],
    ]);
    expect(objectNamed(manifests, 'Prometheus', 'prometheus').spec.externalLabels).toEqual({ cluster: 'primary' });
  });

  test('federation is TLS with a client certificate, through a proxy open only to the primary\'s egress addresses', () => {
    const platform = multiclusterPlatform();
    const primary = validManifests(Testing.synth(platform.primaryChart));
    for (const federation of objectsOfKind(primary, 'ScrapeConfig')) {
      expect(federation.spec.scheme).toBe('https');
      expect(Object.keys(federation.spec.tlsConfig).sort()).toEqual(['ca', 'cert', 'keySecret']);
    }
    for (const cluster of SERVING_CLUSTERS) {
      const manifests = validManifests(Testing.synth(platform.chartOf(cluster)), [MODELS_SECRET]);
      const exposed = objectsOfKind(manifests, 'Service').filter((s) => s.spec.type === 'LoadBalancer' || s.spec.type === 'NodePort');
      expect(exposed.map((s) => s.spec.ports.map((p: any) => [p.port, p.targetPort]))).toEqual([[[443, 8443]]]);
      const open = objectsOfKind(manifests, 'NetworkPolicy').flatMap((p) => p.spec.ingress ?? []).flatMap((rule: any) => rule.from ?? [])
        .filter((peer: any) => peer.ipBlock);
      expect(open).toEqual([{ ipBlock: { cidr: '203.0.113.0/24' } }]);
      expect(objectNamed(manifests, 'Secret', 's3credentials').metadata.annotations).toMatchObject({
        'serving.kserve.io/s3-usehttps': '1',
        'serving.kserve.io/s3-cabundle-configmap': 'primary-platform-tls-ca-bundle',
      });
    }
  });

  test('Triton in each serving cluster reads the primary MinIO with the Secret created in that cluster', () => {
    const platform = multiclusterPlatform(outdir);
    for (const cluster of SERVING_CLUSTERS) {
      const manifests = validManifests(Testing.synth(platform.chartOf(cluster)), [MODELS_SECRET]);
      const isvc = objectNamed(manifests, 'InferenceService', 'iris');
      expect(isvc.spec.predictor.model).toMatchObject({ modelFormat: { name: 'onnx' }, runtime: 'kserve-tritonserver', protocolVersion: 'v2' });
      const s3 = objectNamed(manifests, 'Secret', 's3credentials');
      expect(s3.metadata.annotations['serving.kserve.io/s3-endpoint']).toBe('minio.mlops.example.com:9000');
      const copyJob = objectNamed(manifests, 'Job', 's3credentials-copy');
      const copy = envOf(container(copyJob, copyJob.spec.template.spec.containers[0].name));
      expect(copy.AWS_ACCESS_KEY_ID).toEqual({ valueFrom: { secretKeyRef: { name: 'primary-models-credentials', key: 'username' } } });
      expect(copy.AWS_SECRET_ACCESS_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'primary-models-credentials', key: 'password' } } });
      expect(objectNamed(manifests, 'Prometheus', 'prometheus').spec.externalLabels).toEqual({ cluster });
    }
  });

  test('sync waves put the namespace before secrets, secrets before data stores, data stores before their users', () => {
    const manifests = Testing.synth(multiclusterPlatform(outdir).primaryChart);
    const wave = (m: any) => Number(m.metadata.annotations[ArgoCdSyncWaves.ANNOTATION]);
    const namespace = wave(objectsOfKind(manifests, 'Namespace')[0]);
    const secrets = objectsOfKind(manifests, 'Secret').map(wave);
    const generators = objectsOfKind(manifests, 'Job').filter((j) => j.metadata.name.includes('mlopssecretgenerator')).map(wave);
    const stores = ['postgres', 'minio', 'redis'].map((name) => wave(objectNamed(manifests, 'StatefulSet', name)));
    const setups = objectsOfKind(manifests, 'Job')
      .filter((j) => ['database-setup', 'object-store-setup'].includes(j.metadata.labels?.['app.kubernetes.io/component'])).map(wave);
    const users = [
      ...objectsOfKind(manifests, 'Deployment'),
      objectNamed(manifests, 'Job', 'migrate'),
      objectNamed(manifests, 'Job', 'createadmin'),
      objectNamed(manifests, 'Prometheus', 'prometheus'),
    ].map(wave);
    expect(namespace).toBe(-3);
    expect(new Set([...secrets, ...generators])).toEqual(new Set([-2]));
    // One generator per chart fills in every generated Secret.
    expect(generators).toHaveLength(1);
    // The smoke tests' own MinIO user adds a grant per bucket.
    expect(setups).toHaveLength(16);
    expect(new Set([...stores, ...setups])).toEqual(new Set([-1]));
    expect(new Set(users)).toEqual(new Set([0]));
    expect(new Set(objectsOfKind(manifests, 'NetworkPolicy').map(wave))).toEqual(new Set([-2]));
  });

  test('synthesizes byte-identical YAML every time', () => {
    const yaml = (platform: MultiClusterPlatform) => platform.clusters.map((c) => Yaml.stringify(...Testing.synth(platform.chartOf(c)))).join('---\n');
    expect(yaml(multiclusterPlatform(outdir))).toBe(yaml(multiclusterPlatform(outdir)));
  });
});
