import { App, Chart, ChartProps, Duration, Size } from 'cdk8s';
import {
  CertificateIssuer, DagSource, JobSubmission, Kafka, KservePredictor, MinioConsoleRoute, MlopsCore, ModelFormat, ModelSource,
  NotebookWorkspace, PlatformAccess, PyTorchDdpJob, RetrainTrigger, SeldonExperiment, SeldonModel, SeldonPipeline, SeldonRuntime,
  SeldonServer, SmokeTests, SparkJob, TaskPermission, TaskServiceAccount, Team,
} from 'cdk8s-mlops';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** The platform's namespace: the spark-operator's `spark.jobNamespaces` must list it. */
export const NAMESPACE = 'mlops';
/** The one host every UI is served on, through ingress-nginx. */
export const HOST = 'mlops.example.com';
/** The team's namespace (and the id of its chart). */
export const TEAM_NAMESPACE = 'vision';
/** The Secret with the team's MinIO keys (`username`, `password`): create it in both namespaces before applying. */
export const TEAM_S3_SECRET = 'vision-s3';
/**
 * The name of the platform's CA objects: the bootstrapped CA's ClusterIssuer is `<name>-ca`, which signs the servers'
 * certificates and the Ingress'. Browsers trust it once you import its certificate; or give the Ingress your ACME
 * ClusterIssuer instead (`INGRESS_ISSUER`).
 */
const TLS_NAME = 'full-platform';
const INGRESS_ISSUER = CertificateIssuer.clusterIssuer(`${TLS_NAME}-ca`);
/** Your images: PyTorch with the training code, Spark with `hadoop-aws` and the AWS SDK bundle, MLServer with scikit-learn. */
const TRAINING_IMAGE = 'registry.example.com/ml/iris-ddp:1.0';
const SPARK_IMAGE = 'registry.example.com/ml/spark-s3a:4.0.4';
const MLSERVER_IMAGE = 'registry.example.com/ml/mlserver-sklearn:1.7.1';
/** One iris flower in the Open Inference Protocol (v2), which the smoke test sends to each model. */
const IRIS_REQUEST = '{"inputs":[{"name":"predict","shape":[1,4],"datatype":"FP64","data":[[6.8,2.8,4.8,1.4]]}]}';

/** Properties of the `FullPlatformChart`. */
export interface FullPlatformChartProps extends ChartProps {
  /**
   * Whether KServe serves the model too, next to Seldon (an InferenceService `iris-kserve` from the same bucket).
   *
   * @default false: Seldon Core v2 serves every model, and the cluster needs no KServe
   */
  readonly kserve?: boolean;
}

/**
 * The most complete platform this library grew out of, on one cluster in the namespace `mlops`:
 *
 * - Airflow (DAGs from git) runs the pipelines; MLflow tracks runs; Postgres, MinIO and Redis hold the state, over
 *   TLS with certificates from a CA bootstrapped in the manifests (cert-manager) and the CA bundle in every namespace
 *   (trust-manager);
 * - an NFS share at `/shared` in every task, training job and notebook; a PyTorch DDP job and a Spark job that the
 *   pipelines launch from their templates, as a ServiceAccount allowed to submit nothing else;
 * - Seldon Core v2 serves the models: a model, a two-model pipeline through Kafka, and an A/B experiment;
 * - Prometheus, Alertmanager and Grafana; traces (OpenTelemetry Collector → Jaeger) and logs (a node shipper → Loki);
 *   the drift → retrain loop starting the DAG `retrain`;
 * - JupyterLab for a user, and a team in a namespace of its own with its quota, bucket and workspace;
 * - every UI on one host: `/airflow`, `/mlflow`, `/grafana`, `/prometheus`, `/alertmanager`, `/jaeger`, `/minio`,
 *   `/notebooks/<owner>`;
 * - smoke Jobs (Argo CD PostSync hooks) that prove every service answers after each sync.
 */
export class FullPlatformChart extends Chart {
  public readonly platform: MlopsCore;
  public readonly trainer: TaskServiceAccount;
  public readonly ddp: PyTorchDdpJob;
  public readonly features: SparkJob;
  public readonly kafka: Kafka;
  public readonly runtime: SeldonRuntime;
  public readonly iris: SeldonModel;
  public readonly pipeline: SeldonPipeline;
  public readonly experiment: SeldonExperiment;
  public readonly irisKserve?: KservePredictor;
  public readonly retrain: RetrainTrigger;
  public readonly alice: NotebookWorkspace;
  public readonly teamChart: Chart;
  public readonly team: Team;
  public readonly bob: NotebookWorkspace;
  public readonly smokeTests: SmokeTests;

  constructor(scope: Construct, id: string, props: FullPlatformChartProps = {}) {
    const { kserve, ...chartProps } = props;
    super(scope, id, { namespace: NAMESPACE, ...chartProps });

    this.platform = new MlopsCore(this, 'Platform', {
      // Your DAG repository; examples/full-platform/dags/ holds the DAG `retrain` that launches the training jobs.
      dags: DagSource.fromGit({ repository: 'https://github.com/example/ml-dags.git', subPath: 'dags' }),
      access: PlatformAccess.ingress({
        host: HOST,
        ingressClassName: 'nginx',
        certificateIssuer: INGRESS_ISSUER,
        // The console only works at the root of what serves it: ingress-nginx strips `/minio` for it.
        minioConsole: MinioConsoleRoute.ingressNginxPath(),
      }),
      clusterName: 'full-platform',
      tls: true,
      tlsOptions: { name: TLS_NAME },
      tracing: true,
      logs: { retention: Duration.days(14) },
      // At /shared in every Airflow task, training job and notebook: checkpoints, Spark's model parts, shared files.
      sharedVolume: { server: 'nfs.example.com', path: '/exports/mlops' },
    });
    const { airflow, datasetsBucket, modelsBucket } = this.platform;

    // Pipelines launch the training: the templates are mounted in every task pod at
    // /opt/airflow/training/<name>/template.yaml, and tasks running as `airflow-trainer` may submit them.
    this.trainer = airflow.addTaskServiceAccount('airflow-trainer', { permissions: [TaskPermission.SUBMIT_TRAINING_JOBS] });
    const launchedByPipelines = { submission: JobSubmission.TEMPLATE, ttlAfterFinished: Duration.days(1) };
    this.features = this.platform.addSparkJob('Features', {
      ...launchedByPipelines,
      name: 'iris-features',
      image: SPARK_IMAGE,
      sparkVersion: '4.0.4',
      mainApplicationFile: 'local:///opt/app/features.py',
      operatorJobNamespaces: [NAMESPACE],
      executorInstances: 2,
      experimentName: 'iris-features',
      readBuckets: [datasetsBucket],
      writeBuckets: [datasetsBucket],
    });
    this.ddp = this.platform.addPyTorchDdpJob('Train', {
      ...launchedByPipelines,
      name: 'iris-ddp',
      image: TRAINING_IMAGE,
      script: '/workspace/train.py',
      workers: 2,
      gpus: 1,
      experimentName: 'iris',
      readBuckets: [datasetsBucket],
      writeBuckets: [modelsBucket],
    });

    // Seldon Core v2 in the platform's namespace: its servers read the models bucket with one MinIO user, pipelines
    // stream through Kafka, traces go to the platform's collector.
    this.kafka = new Kafka(this, 'Kafka');
    this.runtime = new SeldonRuntime(this, 'Seldon', {
      name: 'seldon', eventBus: this.kafka, modelsBucket, tracing: this.platform.tracing,
    });
    const mlserver = new SeldonServer(this, 'Mlserver', {
      runtime: this.runtime,
      name: 'mlserver',
      image: MLSERVER_IMAGE,
      replicas: 2,
      resources: { cpu: { request: kplus.Cpu.millis(500) }, memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) } },
    });
    const sklearn = (modelId: string, name: string, path: string) => new SeldonModel(this, modelId, {
      runtime: this.runtime, server: mlserver, name, model: ModelSource.fromBucket(modelsBucket, path), modelFormat: ModelFormat.SKLEARN,
    });
    this.iris = sklearn('Iris', 'iris', 'sklearn/iris/v1');
    // input → iris-scaler → its output `predict` renamed `input-0` → iris-classifier → output
    const scaler = sklearn('Scaler', 'iris-scaler', 'sklearn/iris-scaler');
    const classifier = sklearn('Classifier', 'iris-classifier', 'sklearn/iris-classifier');
    this.pipeline = new SeldonPipeline(this, 'IrisPipeline', {
      runtime: this.runtime,
      name: 'iris-pipeline',
      steps: [
        { model: scaler },
        { model: classifier, inputs: ['iris-scaler.outputs'], tensorMap: { 'iris-scaler.outputs.predict': 'input-0' } },
      ],
    });
    // Half of the calls to `iris` go to its next version.
    const irisV2 = sklearn('IrisV2', 'iris-v2', 'sklearn/iris/v2');
    this.experiment = new SeldonExperiment(this, 'IrisAb', {
      name: 'iris-ab',
      candidates: [{ target: this.iris, weight: 50 }, { target: irisV2, weight: 50 }],
      defaultCandidate: this.iris,
    });
    // Pipelines call the models (to evaluate a candidate), and Prometheus scrapes the agents, servers and gateways.
    this.runtime.allowInferenceFrom(airflow.taskPods);
    this.platform.prometheus!.addTargets(this.runtime);

    if (kserve) {
      this.irisKserve = this.platform.addPredictor('IrisKserve', {
        name: 'iris-kserve', model: ModelSource.fromBucket(modelsBucket, 'sklearn/iris/v1'), modelFormat: ModelFormat.SKLEARN,
      });
    }

    // More than 2 drift detections of a model within 6h start the DAG `retrain` with the model in its conf, at most
    // once per model per 2h. Your drift detector exposes model_drifted_total{model="..."} and becomes a scrape target
    // with this.platform.prometheus!.addTargets(detector).
    this.retrain = this.platform.retrainOnDrift({ dag: 'retrain', threshold: 2, window: Duration.hours(6), cooldown: Duration.hours(2) });

    // JupyterLab at https://mlops.example.com/notebooks/alice/: MLflow, the share, datasets to read and models to write.
    this.alice = this.platform.addNotebook('Alice', { owner: 'alice', readBuckets: [datasetsBucket], writeBuckets: [modelsBucket] });

    // The team `vision` in a namespace of its own: quota, default-deny, its members editing it and viewing `mlops`,
    // its bucket `team-vision` written with the team's MinIO user (made from TEAM_S3_SECRET), Bob's workspace.
    this.teamChart = new Chart(App.of(this), TEAM_NAMESPACE, { namespace: TEAM_NAMESPACE });
    this.team = this.platform.addTeam(this.teamChart, {
      members: ['bob', 'carol'],
      quota: { cpu: kplus.Cpu.units(8), memory: Size.gibibytes(32), storage: Size.gibibytes(200), gpus: 1 },
      s3CredentialsSecretName: TEAM_S3_SECRET,
    });
    this.bob = this.team.addNotebook('Bob', { owner: 'bob', ingress: { host: HOST, ingressClassName: 'nginx' } });

    // After every sync, a PostSync hook Job per service proves it answers; a failing one fails the sync. Last, so that
    // it sees every model.
    this.smokeTests = this.platform.addSmokeTests({
      dagId: 'retrain',
      models: [
        { model: this.iris, inferenceRequest: IRIS_REQUEST },
        ...(this.irisKserve ? [{ model: this.irisKserve, inferenceRequest: IRIS_REQUEST }] : []),
      ],
    });
  }
}
