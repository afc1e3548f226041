import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Alertmanager, DagSource, FederatedPrometheus, JaegerTraceStore, Kafka, LokiLogStore, MinioWithBuckets, MultiClusterPlatform, Mysql,
  NfsSharedVolume, NotebookWorkspace, Postgres, Redis, ServiceEndpoint, ServingCluster, Team, VolumeRetention,
} from '../../src';
import { NAMESPACE, platform } from '../platform/mlops-core-fixtures';
import { objectsOfKind, synthValid, testChart, validManifests } from '../util';

const KEEP = { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };
const quota = { cpu: kplus.Cpu.units(8), memory: Size.gibibytes(32) };

/** The `persistentVolumeClaimRetentionPolicy` of each Prometheus and Alertmanager resource, by kind. */
function statefulSetPolicies(manifests: any[]): Array<[string, unknown]> {
  return [...objectsOfKind(manifests, 'Prometheus'), ...objectsOfKind(manifests, 'Alertmanager')]
    .map((resource) => [resource.kind, resource.spec.persistentVolumeClaimRetentionPolicy]);
}

/** A platform with every data volume: stores, the share, monitoring, traces, logs, a notebook, and a team's notebook. */
function fullPlatform(volumeRetention?: VolumeRetention): any[] {
  const app = Testing.app();
  const core = platform({
    sharedVolume: { server: 'nfs.example.com', path: '/exports/mlops' },
    tracing: true,
    logs: {},
    settings: { redis: { storageClassName: 'fast' }, volumeRetention },
  }, new Chart(app, 'test', { namespace: NAMESPACE }));
  core.addNotebook('Alice', { owner: 'alice' });
  const teamChart = new Chart(app, 'vision', { namespace: 'vision' });
  core.addTeam(teamChart, { members: ['bob'], quota }).addNotebook('Bob', { owner: 'bob' });
  return validManifests(app.charts.flatMap((chart) => Testing.synth(chart)), [
    ...['mlops', 'vision'].map((namespace) => ({ kind: 'Secret', name: 'vision-s3-credentials', namespace, keys: ['username', 'password'] })),
    { kind: 'ClusterRole', name: 'edit' }, { kind: 'ClusterRole', name: 'view' },
  ]);
}

/** The annotations of every PersistentVolumeClaim and PersistentVolume, by kind and name. */
function claimAnnotations(manifests: any[]): Array<[string, Record<string, string> | undefined]> {
  return [...objectsOfKind(manifests, 'PersistentVolumeClaim'), ...objectsOfKind(manifests, 'PersistentVolume')]
    .map((claim) => [`${claim.kind}/${claim.metadata.name.replace(/-[0-9a-f]{8}$/, '')}`, claim.metadata.annotations]);
}

describe('VolumeRetention', () => {
  test('every store keeps its claim by default, for Argo CD', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    new Postgres(chart, 'Postgres');
    new Mysql(chart, 'Mysql');
    new Redis(chart, 'Redis', { persistence: true });
    new MinioWithBuckets(chart, 'Minio');
    new Kafka(chart, 'Kafka');
    const nfs = new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/mlops' });
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    expect(claimAnnotations(manifests)).toEqual([
      ['PersistentVolumeClaim/test-postgres-data', KEEP],
      ['PersistentVolumeClaim/test-mysql-data', KEEP],
      ['PersistentVolumeClaim/test-redis-data', KEEP],
      ['PersistentVolumeClaim/test-minio-data', KEEP],
      ['PersistentVolumeClaim/test-kafka-data', KEEP],
      ['PersistentVolumeClaim/test-shared-claim', KEEP],
      ['PersistentVolume/test-shared-mlops', KEEP],
    ]);
    expect(objectsOfKind(manifests, 'PersistentVolume')[0].spec.persistentVolumeReclaimPolicy).toBe('Retain');
    expect(nfs.persistentVolume).toBeDefined();
  });

  test('VolumeRetention.DELETE lets each claim go with the app; the NFS volume still retains its files', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    const volumeRetention = VolumeRetention.DELETE;
    new Postgres(chart, 'Postgres', { volumeRetention });
    new Mysql(chart, 'Mysql', { volumeRetention });
    new Redis(chart, 'Redis', { persistence: true, volumeRetention });
    new MinioWithBuckets(chart, 'Minio', { volumeRetention });
    new Kafka(chart, 'Kafka', { volumeRetention });
    new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/mlops', volumeRetention });
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    expect(claimAnnotations(manifests).filter(([, annotations]) => annotations !== undefined)).toEqual([]);
    expect(objectsOfKind(manifests, 'PersistentVolume')[0].spec.persistentVolumeReclaimPolicy).toBe('Retain');
  });

  test('Loki, Jaeger and a notebook keep their claims by default; VolumeRetention.DELETE lets them go', () => {
    // GIVEN
    const kept = testChart(NAMESPACE);
    new LokiLogStore(kept, 'Logs');
    new JaegerTraceStore(kept, 'Traces');
    new NotebookWorkspace(kept, 'Alice', { owner: 'alice' });
    const deleted = testChart(NAMESPACE);
    const volumeRetention = VolumeRetention.DELETE;
    new LokiLogStore(deleted, 'Logs', { volumeRetention });
    new JaegerTraceStore(deleted, 'Traces', { volumeRetention });
    new NotebookWorkspace(deleted, 'Alice', { owner: 'alice', volumeRetention });
    // WHEN
    const keptClaims = claimAnnotations(synthValid(kept));
    const deletedClaims = claimAnnotations(synthValid(deleted));
    // THEN
    expect(keptClaims).toEqual([
      ['PersistentVolumeClaim/test-logs-data', KEEP],
      ['PersistentVolumeClaim/test-traces-data', KEEP],
      ['PersistentVolumeClaim/test-alice-data', KEEP],
    ]);
    expect(deletedClaims).toEqual([
      ['PersistentVolumeClaim/test-logs-data', undefined],
      ['PersistentVolumeClaim/test-traces-data', undefined],
      ['PersistentVolumeClaim/test-alice-data', undefined],
    ]);
  });

  test("Prometheus and Alertmanager: the operator's StatefulSets keep their claims by default, delete them with DELETE, and keep them on scale-down", () => {
    // GIVEN
    const kept = testChart(NAMESPACE);
    new FederatedPrometheus(kept, 'Prometheus', { clusterName: 'central' });
    new Alertmanager(kept, 'Alertmanager', { configLabels: { 'mlops.cdk8s.io/prometheus': 'platform' } });
    const deleted = testChart(NAMESPACE);
    new FederatedPrometheus(deleted, 'Prometheus', { clusterName: 'central', volumeRetention: VolumeRetention.DELETE });
    new Alertmanager(deleted, 'Alertmanager', { configLabels: { 'mlops.cdk8s.io/prometheus': 'platform' }, volumeRetention: VolumeRetention.DELETE });
    // THEN
    expect(statefulSetPolicies(synthValid(kept))).toEqual([
      ['Prometheus', { whenDeleted: 'Retain', whenScaled: 'Retain' }],
      ['Alertmanager', { whenDeleted: 'Retain', whenScaled: 'Retain' }],
    ]);
    expect(statefulSetPolicies(synthValid(deleted))).toEqual([
      ['Prometheus', { whenDeleted: 'Delete', whenScaled: 'Retain' }],
      ['Alertmanager', { whenDeleted: 'Delete', whenScaled: 'Retain' }],
    ]);
  });

  test("a ServingCluster's volumeRetention reaches its Prometheus", () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    new ServingCluster(chart, 'Eu', {
      modelsBucket: new MinioWithBuckets(chart, 'Minio').addBucket('models'),
      prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090),
      federatedFrom: '203.0.113.0/24',
      volumeRetention: VolumeRetention.DELETE,
    });
    // THEN
    expect(statefulSetPolicies(synthValid(chart))).toEqual([['Prometheus', { whenDeleted: 'Delete', whenScaled: 'Retain' }]]);
  });

  test("a Team's volumeRetention is its notebooks' unless a notebook gives its own", () => {
    // GIVEN
    const chart = testChart('vision');
    const team = new Team(chart, 'Team', { members: ['alice'], quota, volumeRetention: VolumeRetention.DELETE });
    team.addNotebook('Alice', { owner: 'alice' });
    team.addNotebook('Bob', { owner: 'bob', volumeRetention: VolumeRetention.RETAIN });
    // WHEN
    const manifests = synthValid(chart, [{ kind: 'ClusterRole', name: 'edit' }]);
    // THEN
    expect(claimAnnotations(manifests)).toEqual([
      ['PersistentVolumeClaim/test-team-alice-data', undefined],
      ['PersistentVolumeClaim/test-team-bob-data', KEEP],
    ]);
  });

  test('MlopsCore: settings.volumeRetention reaches every claim and both operator StatefulSets, notebooks and teams included', () => {
    // WHEN
    const kept = fullPlatform();
    const deleted = fullPlatform(VolumeRetention.DELETE);
    // THEN
    const claims = [
      'PersistentVolumeClaim/test-platform-postgres-data', 'PersistentVolumeClaim/test-platform-minio-data',
      'PersistentVolumeClaim/test-platform-redis-data', 'PersistentVolumeClaim/test-platform-sharedvolume-claim',
      'PersistentVolume/test-platform-sharedvolume-mlops', 'PersistentVolumeClaim/test-platform-logs-data',
      'PersistentVolumeClaim/test-platform-traces-data', 'PersistentVolumeClaim/test-platform-alice-data',
      'PersistentVolumeClaim/vision-team-bob-data',
    ];
    expect(claimAnnotations(kept).map(([name]) => name).sort()).toEqual([...claims].sort());
    expect(claimAnnotations(kept).filter(([, annotations]) => annotations?.['argocd.argoproj.io/sync-options'] !== KEEP['argocd.argoproj.io/sync-options'])).toEqual([]);
    expect(statefulSetPolicies(kept)).toEqual([
      ['Prometheus', { whenDeleted: 'Retain', whenScaled: 'Retain' }],
      ['Alertmanager', { whenDeleted: 'Retain', whenScaled: 'Retain' }],
    ]);
    expect(claimAnnotations(deleted).map(([name]) => name).sort()).toEqual([...claims].sort());
    expect(claimAnnotations(deleted).filter(([, annotations]) => annotations?.['argocd.argoproj.io/sync-options'] !== undefined)).toEqual([]);
    expect(statefulSetPolicies(deleted)).toEqual([
      ['Prometheus', { whenDeleted: 'Delete', whenScaled: 'Retain' }],
      ['Alertmanager', { whenDeleted: 'Delete', whenScaled: 'Retain' }],
    ]);
  });

  test('refuses a value that is not a VolumeRetention', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    // THEN
    expect(() => new Postgres(chart, 'Postgres', { volumeRetention: 'Delete' as any }))
      .toThrow(/Postgres 'test\/Postgres': props.volumeRetention is invalid: expected a VolumeRetention, got a string \("Delete"\); give e\.g\. VolumeRetention\.DELETE/);
    expect(() => new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central', volumeRetention: 'Delete' as any }))
      .toThrow(/FederatedPrometheus 'test\/Prometheus': props.volumeRetention is invalid: expected a VolumeRetention, got a string \("Delete"\)/);
    expect(() => platform({ settings: { volumeRetention: 'Delete' as any } }))
      .toThrow(/settings\.volumeRetention is invalid: expected a VolumeRetention, got a string \("Delete"\); give e\.g\. VolumeRetention\.DELETE/);
  });
});

describe('a serving cluster of a multi-cluster platform', () => {
  test.each([['default', undefined, 'Retain'], ['DELETE', VolumeRetention.DELETE, 'Delete']])('volumeRetention %s: its Prometheus says whenDeleted %s', (_name, volumeRetention, whenDeleted) => {
    const multiCluster = new MultiClusterPlatform({ outdir: '/nonexistent' });
    multiCluster.addPrimary({ clusterName: 'primary', egressCidr: '198.51.100.0/24', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000) })
      .addPlatform({ dags: DagSource.fromGit({ repository: 'https://github.com/example/dags.git' }) });
    const serving = multiCluster.addServingCluster({
      clusterName: 'eu', prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090), egressCidr: '203.0.113.0/24', volumeRetention,
    });
    const [prometheus] = Testing.synth(Chart.of(serving)).filter((o) => o.kind === 'Prometheus');
    expect(prometheus.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted, whenScaled: 'Retain' });
  });
});
