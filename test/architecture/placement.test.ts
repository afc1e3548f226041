import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Credentials, DagSource, FederatedPrometheus, GitSyncAirflow, Grafana, KservePredictor, MinioBucket, MinioWithBuckets, MlflowTracking,
  ModelFormat, ModelSource, Mysql, Postgres, Redis, ServiceEndpoint, WorkloadPlacement,
} from '../../src';
import { podSpec, testChart, validManifests } from '../util';

/** Every component applies its `placement` to every pod it makes, including Jobs added later by its verbs. */
const PLACED_OPTIONS = {
  nodeSelector: { 'example.com/pool': 'ml' },
  tolerations: [kplus.NodeTaintQuery.exists('example.com/dedicated', { effect: kplus.TaintEffect.NO_SCHEDULE })],
  imagePullSecrets: ['registry-credentials'],
};
const placement = WorkloadPlacement.of(PLACED_OPTIONS);
const PLACED = {
  nodeSelector: { 'example.com/pool': 'ml' },
  tolerations: [{ key: 'example.com/dedicated', operator: 'Exists', effect: 'NoSchedule' }],
  imagePullSecrets: [{ name: 'registry-credentials' }],
};
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'Job', 'CronJob'];

/** The workloads of the component under test: all but the chart's secret generator, which belongs to no component. */
function componentWorkloads(manifests: any[]): any[] {
  return manifests.filter((m) => WORKLOAD_KINDS.includes(m.kind) && !m.metadata.name.includes('mlopssecretgenerator'));
}

function placementOf(spec: any): any {
  return { nodeSelector: spec.nodeSelector, tolerations: spec.tolerations, imagePullSecrets: spec.imagePullSecrets };
}

const COMPONENTS: Array<[string, (chart: Chart) => void]> = [
  ['Postgres with a database added later', (chart) => new Postgres(chart, 'Postgres', { placement, metrics: true }).addDatabase('mlflow')],
  ['Mysql with a database', (chart) => new Mysql(chart, 'Mysql', { placement, databases: ['kfp'] })],
  ['Redis', (chart) => new Redis(chart, 'Redis', { placement, persistence: true })],
  ['MinioWithBuckets with a bucket and a grant', (chart) => {
    const minio = new MinioWithBuckets(chart, 'Minio', { placement });
    minio.addBucket('models').grantRead(kplus.Pods.select(chart, 'Readers', { labels: { app: 'reader' } }));
  }],
  ['MlflowTracking with gc', (chart) => {
    const database = Postgres.fromDatabaseAttributes(chart, 'Db', {
      host: 'pg.example.internal', databaseName: 'mlflow', credentials: externalCredentials(chart, 'pg'),
    });
    const artifacts = MinioBucket.fromBucketAttributes(chart, 'Artifacts', {
      bucketName: 'mlflow', endpoint: ServiceEndpoint.fromHost('s3.example.internal', 443, 'https'), credentials: externalCredentials(chart, 's3'),
    });
    new MlflowTracking(chart, 'Mlflow', { database, artifacts, placement, gc: {} });
  }],
  ['GitSyncAirflow', (chart) => {
    const database = Postgres.fromDatabaseAttributes(chart, 'Db', {
      host: 'pg.example.internal', databaseName: 'airflow', credentials: externalCredentials(chart, 'pg'),
    });
    new GitSyncAirflow(chart, 'Airflow', { database, dags: DagSource.fromGit({ repository: 'https://github.com/example/dags.git' }), placement });
  }],
  ['Grafana', (chart) => new Grafana(chart, 'Grafana', { prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.example.internal', 9090), placement })],
];

function externalCredentials(chart: Chart, name: string): Credentials {
  return Credentials.fromSecret(kplus.Secret.fromSecretName(chart, `${name}-secret`, name));
}

const EXTERNAL = ['registry-credentials', 'pg', 's3'].map((name) => ({ kind: 'Secret', name }));

test.each(COMPONENTS)('%s: every pod it makes is placed', (_name, build) => {
  // GIVEN
  const chart = testChart('mlops');

  // WHEN
  build(chart);

  // THEN
  const workloads = componentWorkloads(validManifests(Testing.synth(chart), EXTERNAL));
  expect(workloads.length).toBeGreaterThan(0);
  for (const workload of workloads) {
    expect([workload.kind, workload.metadata.name, placementOf(podSpec(workload))]).toEqual([workload.kind, workload.metadata.name, PLACED]);
  }
});

test('KservePredictor: the predictor and transformer pod specs and the credentials copy Job are placed', () => {
  // GIVEN
  const chart = testChart('mlops');
  const minio = new MinioWithBuckets(chart, 'Minio');

  // WHEN
  new KservePredictor(chart, 'Iris', {
    name: 'iris',
    model: ModelSource.fromBucket(minio.addBucket('models'), 'sklearn/iris'),
    modelFormat: ModelFormat.SKLEARN,
    transformer: { image: 'registry.example.com/transformer:1.0' },
    placement,
  });

  // THEN
  const manifests = validManifests(Testing.synth(chart), EXTERNAL);
  const isvc = manifests.find((m) => m.kind === 'InferenceService');
  expect(placementOf(isvc.spec.predictor)).toEqual(PLACED);
  expect(placementOf(isvc.spec.transformer)).toEqual(PLACED);
  const copy = manifests.find((m) => m.kind === 'Job' && m.metadata.name.includes('iris-s3credentials'));
  expect(placementOf(podSpec(copy))).toEqual(PLACED);
  // MinIO was given no placement: its pods stay where they were
  const minioServer = manifests.find((m) => m.kind === 'StatefulSet');
  expect(placementOf(podSpec(minioServer))).toEqual({ nodeSelector: undefined, tolerations: undefined, imagePullSecrets: undefined });
});

test('FederatedPrometheus: the Prometheus resource carries the placement for the pods the operator makes', () => {
  // GIVEN
  const chart = testChart('mlops');

  // WHEN
  const prometheus = new FederatedPrometheus(chart, 'Prometheus', {
    clusterName: 'central',
    placement: WorkloadPlacement.of({ ...PLACED_OPTIONS, topologySpread: [{ topologyKey: 'topology.kubernetes.io/zone' }] }),
  });

  // THEN
  const manifests = validManifests(Testing.synth(chart), EXTERNAL);
  const spec = manifests.find((m) => m.kind === 'Prometheus').spec;
  expect(placementOf(spec)).toEqual(PLACED);
  expect(spec.topologySpreadConstraints).toEqual([{
    maxSkew: 1,
    topologyKey: 'topology.kubernetes.io/zone',
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': prometheus.prometheusName } },
  }]);
});

