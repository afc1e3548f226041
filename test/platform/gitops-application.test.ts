import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ArgoCdApplication, ArgoCdApplicationProps, ArgoCdSyncWaves, DagSource, MultiClusterPlatform, Postgres, SecretSource, ServiceEndpoint } from '../../src';
import { objectNamed, objectsOfKind, synthValid, testChart } from '../util';

const LIBRARY_LABELS = { 'app.kubernetes.io/part-of': 'cdk8s-mlops', 'app.kubernetes.io/managed-by': 'cdk8s' };
const source = { repoUrl: 'https://github.com/org/platform.git', path: 'dist/multicluster/eu' };

function application(props: Partial<ArgoCdApplicationProps> = {}, chart: Chart = testChart('argocd')): any {
  new ArgoCdApplication(chart, 'Eu', { ...source, ...props });
  return objectsOfKind(synthValid(chart), 'Application')[0];
}

describe('ArgoCdApplication', () => {
  test('syncs the folder automatically: prune last, self-heal, server-side apply, retries', () => {
    expect(application()).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'eu', namespace: 'argocd', labels: LIBRARY_LABELS },
      spec: {
        project: 'default',
        source: { repoURL: 'https://github.com/org/platform.git', targetRevision: 'HEAD', path: 'dist/multicluster/eu' },
        destination: { server: 'https://kubernetes.default.svc' },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ['ServerSideApply=true', 'PruneLast=true'],
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
        },
      },
    });
  });

  test('targets a cluster by its Argo CD name, a revision and a project; no pruning when asked', () => {
    const app = application({ destinationName: 'serving-eu', destinationNamespace: 'mlops', targetRevision: 'v1.2.0', project: 'mlops', prune: false });
    expect(app.spec.destination).toEqual({ name: 'serving-eu', namespace: 'mlops' });
    expect(app.spec.source.targetRevision).toBe('v1.2.0');
    expect(app.spec.project).toBe('mlops');
    expect(app.spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
    expect(app.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true']);
  });

  test('bad input', () => {
    expect(() => application({ path: '/dist/eu' })).toThrow(
      "ArgoCdApplication 'test/Eu': path '/dist/eu' is invalid: give the folder relative to the repository's root, without a leading '/', '.', '..' or '//', e.g. 'dist/multicluster/primary'");
    expect(() => application({ path: 'dist/../eu' })).toThrow("ArgoCdApplication 'test/Eu': path 'dist/../eu' is invalid");
    expect(() => application({ repoUrl: 'not a url' })).toThrow("ArgoCdApplication 'test/Eu': repoUrl 'not a url' is invalid: must be an https:// URL "
      + "(e.g. 'https://github.com/org/platform.git') or an SSH address (e.g. 'git@github.com:org/platform.git')");
    expect(() => application({ repoUrl: 'https://github.com/org/platform.git\n' })).toThrow(
      "ArgoCdApplication 'test/Eu': repoUrl 'https://github.com/org/platform.git\\n' is invalid: must not contain whitespace or line breaks");
    expect(() => application({ repoUrl: 'https://token:x@github.com/org/platform.git' })).toThrow(
      "repoUrl 'https://***@github.com/org/platform.git' is invalid: must not carry credentials, which would be written into the manifests");
    expect(() => application({ repoUrl: 'git@github.com:org/platform.git' })).not.toThrow();
    expect(() => application({ destinationName: 'eu', destinationServer: 'https://eu.example.com' })).toThrow(
      "ArgoCdApplication 'test/Eu': destinationName 'eu' and destinationServer 'https://eu.example.com' are both given: Argo CD takes one; remove one");
    expect(() => application({ name: 'EU' })).toThrow("ArgoCdApplication 'test/Eu': name 'EU' is invalid: ");
    expect(() => application({}, testChart())).toThrow(
      "ArgoCdApplication 'test/Eu': the chart has no namespace: an Application must be created in Argo CD's namespace; give the chart one, e.g. namespace: 'argocd'");
  });
});

describe('MultiClusterPlatform gitOps', () => {
  test('one Application per cluster, the primary first, each syncing its folder into its namespace on its Argo CD cluster', () => {
    const platform = new MultiClusterPlatform({
      outdir: '/nonexistent',
      gitOps: { repoUrl: 'https://github.com/org/platform.git', path: 'dist/multicluster/', targetRevision: 'v2', project: 'mlops', namespace: 'gitops' },
    });
    const primary = platform.addPrimary({
      clusterName: 'primary',
      namespace: 'ml',
      sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000),
      egressCidr: '198.51.100.0/24',
    });
    primary.addPlatform({ dags: DagSource.fromGit({ repository: 'https://github.com/org/dags.git' }) });
    platform.addServingCluster({
      clusterName: 'eu', prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090), egressCidr: '203.0.113.0/24',
    });
    platform.addServingCluster({
      clusterName: 'us',
      argoCdClusterName: 'prod-us',
      namespace: 'serving',
      prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.us.example.com', 9090),
      egressCidr: '192.0.2.0/24',
    });
    const applications = objectsOfKind(synthValid(platform.argoCdChart!), 'Application');
    expect(applications.map((app) => [app.metadata, app.spec.source, app.spec.destination, app.spec.project])).toEqual([
      [{ name: 'primary', namespace: 'gitops', labels: LIBRARY_LABELS }, { repoURL: 'https://github.com/org/platform.git', targetRevision: 'v2', path: 'dist/multicluster/primary' },
        { server: 'https://kubernetes.default.svc', namespace: 'ml' }, 'mlops'],
      [{ name: 'eu', namespace: 'gitops', labels: LIBRARY_LABELS }, { repoURL: 'https://github.com/org/platform.git', targetRevision: 'v2', path: 'dist/multicluster/eu' },
        { name: 'eu', namespace: 'mlops' }, 'mlops'],
      [{ name: 'us', namespace: 'gitops', labels: LIBRARY_LABELS }, { repoURL: 'https://github.com/org/platform.git', targetRevision: 'v2', path: 'dist/multicluster/us' },
        { name: 'prod-us', namespace: 'serving' }, 'mlops'],
    ]);
    const waves = (chart: Chart) => new Set(Testing.synth(chart).map((m) => m.metadata.annotations?.[ArgoCdSyncWaves.ANNOTATION]));
    expect(waves(platform.primaryChart)).toEqual(new Set(['-3', '-2', '-1', '0']));
    expect(waves(platform.chartOf('us'))).toEqual(new Set(['-3', '-2', '0']));
  });

  test.each([
    ['in a Git repository, the output folder relative to its root', true, 'platform/dist/eu'],
    ['outside a repository, the output folder relative to the current directory', false, 'dist/eu'],
  ])('without gitOps.path, each Application syncs %s', (_, inRepository, expectedPath) => {
    const repository = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-'));
    if (inRepository) fs.mkdirSync(path.join(repository, '.git'));
    const cwd = process.cwd();
    process.chdir(inRepository ? os.tmpdir() : path.join(repository));
    try {
      const platform = new MultiClusterPlatform({
        outdir: path.join(repository, ...(inRepository ? ['platform', 'dist'] : ['dist'])),
        gitOps: { repoUrl: 'https://github.com/org/platform.git' },
      });
      platform.addPrimary({ clusterName: 'eu', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000), egressCidr: '198.51.100.0/24' });
      expect(objectsOfKind(synthValid(platform.argoCdChart!), 'Application')[0].spec.source.path).toBe(expectedPath);
    } finally {
      process.chdir(cwd);
      fs.rmSync(repository, { recursive: true, force: true });
    }
  });

  test('without gitOps.path, an output folder in no repository and not under the current directory is refused', () => {
    const platform = new MultiClusterPlatform({ outdir: path.join(os.tmpdir(), 'nowhere', 'dist'), gitOps: { repoUrl: 'https://github.com/org/platform.git' } });
    expect(() => platform.addPrimary({ clusterName: 'eu', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000), egressCidr: '198.51.100.0/24' })).toThrow(
      `MultiClusterPlatform 'dist': gitOps.path is missing and outdir '${path.join(os.tmpdir(), 'nowhere', 'dist')}' is in no Git repository and not `
      + "under the current directory, so it cannot be derived; give gitOps.path, the repository's folder that holds the cluster folders, e.g. 'dist'");
  });

  test('without gitOps, no Applications', () => {
    expect(new MultiClusterPlatform({ outdir: '/nonexistent' }).argoCdChart).toBeUndefined();
  });
});

describe('ArgoCdSyncWaves', () => {
  test('annotates objects added after applyTo by role, and keeps a wave given by hand', () => {
    const chart = testChart('data');
    ArgoCdSyncWaves.applyTo(chart);
    const namespace = new kplus.Namespace(chart, 'Namespace', { metadata: { name: 'data' } });
    const postgres = new Postgres(chart, 'Postgres', { adminPassword: SecretSource.generated() });
    postgres.addDatabase('app');
    const app = new kplus.Deployment(chart, 'App', { containers: [{ image: 'nginx', securityContext: { ensureNonRoot: false } }] });
    ApiObject.of(app).metadata.addAnnotation(ArgoCdSyncWaves.ANNOTATION, '5');
    const manifests = Testing.synth(chart);
    const wave = (kind: string, name: string) => objectNamed(manifests, kind, name).metadata.annotations[ArgoCdSyncWaves.ANNOTATION];
    expect(wave('Namespace', ApiObject.of(namespace).name)).toBe('-3');
    expect(wave('Secret', 'admincredentials')).toBe('-2');
    expect(wave('Job', 'mlopssecretgenerator')).toBe('-2');
    expect(wave('StatefulSet', 'postgres')).toBe('-1');
    expect(wave('Job', 'database-app-setup')).toBe('-1');
    expect(wave('Deployment', 'app')).toBe('5');
  });
});
