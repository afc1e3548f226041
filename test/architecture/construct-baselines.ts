import { App, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as lib from '../../src';

/** A call of a public entry point: its arguments, and how to make the call with them (or with changed ones). */
export interface EntryPointCall {
  readonly args: unknown[];
  readonly run: (args: any[]) => unknown;
}

/**
 * A minimal valid call of a public entry point, made in `scope`: a chart of namespace `mlops` in a fresh app, or the
 * app itself for the constructs that are charts or apps. The construct the call makes (or is made on) has the id `Bad`.
 */
export interface EntryPoint {
  readonly inApp?: boolean;
  readonly make: (scope: Construct) => EntryPointCall;
}

function construct<P>(type: new (scope: Construct, id: string, props: P) => Construct, props: (chart: Chart) => P): EntryPoint {
  return { make: (chart) => ({ args: [props(chart as Chart)], run: ([given]) => new type(chart, 'Bad', given) }) };
}

function chartConstruct<P>(type: new (scope: Construct, id: string, props: P) => Construct, props: (app: App) => P): EntryPoint {
  return { inApp: true, make: (app) => ({ args: [props(app as App)], run: ([given]) => new type(app, 'bad', given) }) };
}

const dags = () => lib.DagSource.fromGit({ repository: 'https://github.com/example/dags.git' });
const database = (chart: Chart) => new lib.Postgres(chart, 'Postgres', { databases: ['app'] }).database('app');
const minio = (chart: Chart) => new lib.MinioWithBuckets(chart, 'Minio', { buckets: ['models'] });
const predictor = (chart: Chart, name: string) => new lib.KservePredictor(chart, name, {
  name, model: lib.ModelSource.fromUri(`s3://models/${name}`), modelFormat: lib.ModelFormat.SKLEARN,
});
const airflow = (chart: Chart) => {
  const m = minio(chart);
  return new lib.GitSyncAirflow(chart, 'Airflow', { database: database(chart), dags: dags(), logBucket: m.addBucket('airflow-logs') });
};
const seldonRuntime = (chart: Chart) => new lib.SeldonRuntime(chart, 'Seldon', { eventBus: new lib.Kafka(chart, 'Kafka') });
const seldonModel = (chart: Chart, runtime: lib.SeldonRuntime, name: string) => new lib.SeldonModel(chart, name, {
  runtime, name, model: lib.ModelSource.fromUri(`s3://models/${name}`), modelFormat: lib.ModelFormat.SKLEARN,
});
const platform = (chart: Chart) => new lib.MlopsCore(chart, 'Bad', { dags: dags() });
const platformTls = (chart: Chart) => new lib.PlatformTls(chart, 'Tls', { namespaces: ['mlops'] });
const credentials = (chart: Chart, name: string) => lib.Credentials.fromSecret(kplus.Secret.fromSecretName(chart, `Credentials-${name}`, name));
const quota = { cpu: kplus.Cpu.units(8), memory: Size.gibibytes(32) };
const container = { image: 'docker.io/library/busybox:1.37', securityContext: { user: 1000, group: 1000 } };

/** Every public construct, by class name (abstract and factory-made ones excepted in the test). */
export const CONSTRUCT_BASELINES: Record<string, EntryPoint> = {
  Alertmanager: construct(lib.Alertmanager, () => ({ configLabels: { 'mlops.cdk8s.io/prometheus': 'platform' } })),
  ArgoCdApplication: construct(lib.ArgoCdApplication, () => ({ repoUrl: 'https://github.com/example/gitops.git', path: 'dist/primary' })),
  ClusterPrerequisites: construct(lib.ClusterPrerequisites, () => ({ include: [lib.ClusterOperator.KSERVE] })),
  FederatedPrometheus: construct(lib.FederatedPrometheus, () => ({ clusterName: 'central' })),
  FederationProxy: construct(lib.FederationProxy, (chart) => ({
    upstream: lib.ServiceEndpoint.fromHost('prometheus.mlops.svc', 9090),
    tls: platformTls(chart).serverTls,
    allowedFrom: '203.0.113.0/24',
    hosts: ['prometheus.eu.example.com'],
  })),
  GitSyncAirflow: construct(lib.GitSyncAirflow, (chart) => ({ database: database(chart), dags: dags() })),
  Grafana: construct(lib.Grafana, () => ({ prometheusEndpoint: lib.ServiceEndpoint.fromHost('prometheus.example.internal', 443, 'https') })),
  HashedJob: construct(lib.HashedJob, () => ({ containers: [container], securityContext: { user: 1000, group: 1000 } })),
  JaegerTraceStore: construct(lib.JaegerTraceStore, () => ({})),
  Kafka: construct(lib.Kafka, () => ({})),
  KserveInferenceGraph: construct(lib.KserveInferenceGraph, (chart) => ({
    nodes: { root: { routerType: lib.InferenceRouterType.SEQUENCE, steps: [lib.InferenceGraphStep.toPredictor(predictor(chart, 'iris'))] } },
  })),
  KservePredictor: construct(lib.KservePredictor, () => ({ model: lib.ModelSource.fromUri('s3://models/iris'), modelFormat: lib.ModelFormat.SKLEARN })),
  KserveTrafficMirror: construct(lib.KserveTrafficMirror, (chart) => ({ primary: predictor(chart, 'iris-a'), mirror: predictor(chart, 'iris-b') })),
  KubeflowPodDefaults: construct(lib.KubeflowPodDefaults, () => ({})),
  LokiLogStore: construct(lib.LokiLogStore, () => ({})),
  MinioWithBuckets: construct(lib.MinioWithBuckets, () => ({})),
  MlflowTracking: construct(lib.MlflowTracking, (chart) => ({ database: database(chart), artifacts: minio(chart).addBucket('mlflow') })),
  MlopsCore: construct(lib.MlopsCore, () => ({
    dags: dags(),
    settings: { postgres: {}, minio: {}, redis: {}, airflow: {}, mlflow: {}, prometheus: {}, grafana: {} },
  })),
  MultiClusterPlatform: { inApp: true, make: () => ({ args: [{ outdir: '/nonexistent' }], run: ([props]) => new lib.MultiClusterPlatform(props) }) },
  Mysql: construct(lib.Mysql, () => ({})),
  NfsSharedVolume: construct(lib.NfsSharedVolume, () => ({ server: 'nfs.example.com', path: '/exports/mlops' })),
  NodeLogShipper: construct(lib.NodeLogShipper, (chart) => ({ output: lib.LogOutput.loki(new lib.LokiLogStore(chart, 'Loki')) })),
  NotebookWorkspace: construct(lib.NotebookWorkspace, () => ({ owner: 'alice' })),
  OtelCollector: construct(lib.OtelCollector, (chart) => ({ traceStore: new lib.JaegerTraceStore(chart, 'Traces') })),
  PlatformTls: construct(lib.PlatformTls, () => ({})),
  Postgres: construct(lib.Postgres, () => ({})),
  PrimaryCluster: chartConstruct(lib.PrimaryCluster, () => ({ egressCidr: '198.51.100.0/24' })),
  PyTorchDdpJob: construct(lib.PyTorchDdpJob, () => ({ image: 'registry.example.com/ml/mnist-ddp:1.0', script: '/workspace/train.py' })),
  Redis: construct(lib.Redis, () => ({})),
  RetrainTrigger: construct(lib.RetrainTrigger, (chart) => ({ airflow: airflow(chart), dags: { ModelDrifted: 'retrain' } })),
  SeldonExperiment: construct(lib.SeldonExperiment, (chart) => {
    const runtime = seldonRuntime(chart);
    return { candidates: [{ target: seldonModel(chart, runtime, 'iris-a'), weight: 50 }, { target: seldonModel(chart, runtime, 'iris-b'), weight: 50 }] };
  }),
  SeldonModel: construct(lib.SeldonModel, (chart) => ({
    runtime: seldonRuntime(chart), model: lib.ModelSource.fromUri('s3://models/iris'), modelFormat: lib.ModelFormat.SKLEARN,
  })),
  SeldonPipeline: construct(lib.SeldonPipeline, (chart) => {
    const runtime = seldonRuntime(chart);
    return { runtime, steps: [{ model: seldonModel(chart, runtime, 'iris') }] };
  }),
  SeldonOperatorConfig: construct(lib.SeldonOperatorConfig, () => ({ kafkaBootstrapServers: ['kafka.mlops.svc:9092'] })),
  SeldonRuntime: construct(lib.SeldonRuntime, () => ({})),
  SeldonServer: construct(lib.SeldonServer, (chart) => ({ runtime: seldonRuntime(chart) })),
  SmokeTests: construct(lib.SmokeTests, () => ({})),
  ServingCluster: construct(lib.ServingCluster, (chart) => {
    return {
      modelsBucket: minio(chart).addBucket('serving-models'),
      prometheusEndpoint: lib.ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090),
      federatedFrom: '203.0.113.0/24',
      clusterName: 'eu',
    };
  }),
  SparkJob: construct(lib.SparkJob, () => ({ mainApplicationFile: 'local:///opt/app/job.py', operatorJobNamespaces: ['mlops'] })),
  TaskServiceAccount: construct(lib.TaskServiceAccount, () => ({})),
  Team: construct(lib.Team, () => ({ members: ['alice'], quota })),
};

function method(make: (chart: Chart) => EntryPointCall): EntryPoint {
  return { make: (chart) => make(chart as Chart) };
}

/** The public methods that take props or options, by `Class.method`. */
export const METHOD_BASELINES: Record<string, EntryPoint> = {
  'Postgres.addDatabase': method((chart) => {
    const postgres = new lib.Postgres(chart, 'Bad');
    return { args: ['app', {}], run: ([name, options]) => postgres.addDatabase(name, options) };
  }),
  'Mysql.addDatabase': method((chart) => {
    const mysql = new lib.Mysql(chart, 'Bad');
    return { args: ['app', {}], run: ([name, options]) => mysql.addDatabase(name, options) };
  }),
  'MinioWithBuckets.addBucket': method((chart) => {
    const store = new lib.MinioWithBuckets(chart, 'Bad');
    return { args: ['models', {}], run: ([name, options]) => store.addBucket(name, options) };
  }),
  'IDatabase.bind': method((chart) => {
    const db = new lib.Postgres(chart, 'Bad', { databases: ['app'] }).database('app');
    const deployment = new kplus.Deployment(chart, 'App', { containers: [container] });
    return { args: [{ uriEnv: 'APP_DB_URI' }], run: ([options]) => db.bind(deployment, deployment.containers[0], options) };
  }),
  'Redis.bind': method((chart) => {
    const redis = new lib.Redis(chart, 'Bad');
    const deployment = new kplus.Deployment(chart, 'App', { containers: [container] });
    return { args: [{}], run: ([options]) => redis.bind(deployment, deployment.containers[0], options) };
  }),
  'MlflowTracking.bind': method((chart) => {
    const mlflow = new lib.MlflowTracking(chart, 'Bad', { database: database(chart), artifacts: minio(chart).addBucket('mlflow') });
    const deployment = new kplus.Deployment(chart, 'App', { containers: [container] });
    return { args: [{}], run: ([options]) => mlflow.bind(deployment, deployment.containers[0], options) };
  }),
  'GitSyncAirflow.grantTriggerDagRuns': method((chart) => {
    const target = new lib.GitSyncAirflow(chart, 'Bad', { database: database(chart), dags: dags() });
    const deployment = new kplus.Deployment(chart, 'App', { containers: [container] });
    return { args: [{ username: 'retrain-trigger' }], run: ([options]) => target.grantTriggerDagRuns(deployment, options) };
  }),
  'GitSyncAirflow.addTaskServiceAccount': method((chart) => {
    const target = new lib.GitSyncAirflow(chart, 'Bad', { database: database(chart), dags: dags() });
    return { args: ['trainer', {}], run: ([name, options]) => target.addTaskServiceAccount(name, options) };
  }),
  'GitSyncAirflow.useTracing': method((chart) => {
    const target = new lib.GitSyncAirflow(chart, 'Bad', { database: database(chart), dags: dags() });
    const collector = new lib.OtelCollector(chart, 'Collector', { traceStore: new lib.JaegerTraceStore(chart, 'Traces') });
    return { args: [{}], run: ([options]) => target.useTracing(collector, options) };
  }),
  'OtelCollector.instrument': method((chart) => {
    const target = new lib.OtelCollector(chart, 'Bad', { traceStore: new lib.JaegerTraceStore(chart, 'Traces') });
    const deployment = new kplus.Deployment(chart, 'App', { containers: [container] });
    return { args: [{ serviceName: 'feature-api' }], run: ([options]) => target.instrument(deployment, deployment.containers[0], options) };
  }),
  'FederatedPrometheus.addFederatedCluster': method((chart) => {
    const target = new lib.FederatedPrometheus(chart, 'Bad', { clusterName: 'central', role: lib.PrometheusRole.PRIMARY });
    return {
      args: [{ clusterName: 'eu', endpoint: lib.ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090) }],
      run: ([options]) => target.addFederatedCluster(options),
    };
  }),
  'FederatedPrometheus.addRemoteWrite': method((chart) => {
    const target = new lib.FederatedPrometheus(chart, 'Bad', { clusterName: 'central' });
    return { args: [{ url: 'https://metrics.example.com/api/v1/write' }], run: ([options]) => target.addRemoteWrite(options) };
  }),
  'FederatedPrometheus.addAlertRoute': method((chart) => {
    const target = new lib.FederatedPrometheus(chart, 'Bad', { clusterName: 'central', alertmanager: { serviceName: 'alertmanager-operated' } });
    return {
      args: [{ alerts: [lib.MlopsAlerts.MODEL_DRIFTED], webhookUrl: 'http://retrain.mlops.svc:8080/hooks/drift' }],
      run: ([options]) => target.addAlertRoute('retrain', options),
    };
  }),
  'MlopsCore.addPredictor': method((chart) => {
    const target = platform(chart);
    return { args: [{ model: lib.ModelSource.fromUri('s3://models/iris'), modelFormat: lib.ModelFormat.SKLEARN }], run: ([props]) => target.addPredictor('Iris', props) };
  }),
  'MlopsCore.addPyTorchDdpJob': method((chart) => {
    const target = platform(chart);
    return { args: [{ image: 'registry.example.com/ml/mnist-ddp:1.0', script: '/workspace/train.py' }], run: ([props]) => target.addPyTorchDdpJob('Mnist', props) };
  }),
  'MlopsCore.retrainOnDrift': method((chart) => {
    const target = platform(chart);
    return { args: [{ dag: 'retrain' }], run: ([options]) => target.retrainOnDrift(options) };
  }),
  'MlopsCore.addNotebook': method((chart) => {
    const target = platform(chart);
    return { args: [{ owner: 'alice' }], run: ([props]) => target.addNotebook('Alice', props) };
  }),
  'MlopsCore.addTeam': method((chart) => {
    const target = platform(chart);
    const team = new Chart(chart.node.scope as App, 'vision', { namespace: 'vision' });
    return { args: [{ members: ['alice'], quota }], run: ([options]) => target.addTeam(team, options) };
  }),
  'MlopsCore.addKubeflowProfile': method((chart) => {
    const target = platform(chart);
    const profile = new Chart(chart.node.scope as App, 'team-a', { namespace: 'team-a' });
    return { args: [{}], run: ([options]) => target.addKubeflowProfile(profile, options) };
  }),
  'Team.addNotebook': method((chart) => {
    const team = new lib.Team(chart, 'Bad', { members: ['alice'], quota });
    return { args: [{ owner: 'alice' }], run: ([props]) => team.addNotebook('Alice', props) };
  }),
  'MultiClusterPlatform.addServingCluster': {
    inApp: true,
    make: () => {
      const target = new lib.MultiClusterPlatform({ outdir: '/nonexistent' });
      target.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: lib.ServiceEndpoint.fromHost('minio.example.com', 9000), egressCidr: '198.51.100.0/24' })
        .addPlatform({ dags: dags() });
      return {
        args: [{ clusterName: 'eu', prometheusEndpoint: lib.ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090), egressCidr: '203.0.113.0/24' }],
        run: ([options]) => target.addServingCluster(options),
      };
    },
  },
  'ServingCluster.addPredictor': method((chart) => {
    const target = CONSTRUCT_BASELINES.ServingCluster.make(chart);
    const cluster = target.run(target.args) as lib.ServingCluster;
    return { args: [{ model: lib.ModelSource.fromUri('s3://models/iris'), modelFormat: lib.ModelFormat.SKLEARN }], run: ([props]) => cluster.addPredictor('Iris', props) };
  }),
  'ServingCluster.addSmokeTests': method((chart) => {
    const target = CONSTRUCT_BASELINES.ServingCluster.make(chart);
    const cluster = target.run(target.args) as lib.ServingCluster;
    const iris = cluster.addPredictor('Iris', { model: lib.ModelSource.fromUri('s3://models/iris'), modelFormat: lib.ModelFormat.SKLEARN });
    return { args: [{ models: [{ model: iris }], attempts: 5 }], run: ([options]) => cluster.addSmokeTests(options) };
  }),
  'LogOutput.elasticsearch': method(() => ({ args: [{ endpoint: 'https://elasticsearch.logging.svc:9200' }], run: ([options]) => lib.LogOutput.elasticsearch(options) })),
  'DagSource.fromGit': method(() => ({ args: [{ repository: 'https://github.com/example/dags.git' }], run: ([options]) => lib.DagSource.fromGit(options) })),
  'SecretSource.generated': method(() => ({ args: [{}], run: ([options]) => lib.SecretSource.generated(options) })),
  'WorkloadPlacement.of': method(() => ({ args: [{}], run: ([options]) => lib.WorkloadPlacement.of(options) })),
  'ImageRegistry.of': method(() => ({ args: [{}], run: ([options]) => lib.ImageRegistry.of(options) })),
  'ServerTls': method(() => ({
    args: [{ issuer: lib.CertificateIssuer.clusterIssuer('platform-ca'), trustBundle: lib.TrustBundle.fromConfigMap('platform-ca-bundle') }],
    run: ([props]) => new lib.ServerTls(props),
  })),
  'Postgres.fromDatabaseAttributes': method((chart) => ({
    args: [{ host: 'pg.example.internal', databaseName: 'mlflow', credentials: credentials(chart, 'db') }],
    run: ([attributes]) => lib.Postgres.fromDatabaseAttributes(chart, 'Bad', attributes),
  })),
  'Redis.fromRedisAttributes': method((chart) => ({
    args: [{ host: 'redis.example.internal', credentials: credentials(chart, 'redis') }],
    run: ([attributes]) => lib.Redis.fromRedisAttributes(chart, 'Bad', attributes),
  })),
  'MinioBucket.fromBucketAttributes': method((chart) => ({
    args: [{
      bucketName: 'ml-artifacts',
      endpoint: lib.ServiceEndpoint.fromHost('s3.eu-west-1.amazonaws.com', 443, 'https'),
      credentials: credentials(chart, 's3'),
    }],
    run: ([attributes]) => lib.MinioBucket.fromBucketAttributes(chart, 'Bad', attributes),
  })),
};

/** A scope for `entry`: the app, or a chart of namespace `mlops` in it. */
export function scopeOf(entry: EntryPoint): Construct {
  const app = Testing.app();
  return entry.inApp ? app : new Chart(app, 'test', { namespace: 'mlops' });
}
