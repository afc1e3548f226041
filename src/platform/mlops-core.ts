import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MlopsCoreProps } from './mlops-core-props';
import { PlatformAccess, PlatformIngressOptions } from './platform-access';
import { makeHighlyAvailable } from './platform-availability';
import { checkPlatformSecrets, checkUserCredentials, withUserCredentials } from './platform-credentials';
import { AIRFLOW_PATH, exposeThroughIngress, exposeThroughNodePorts, GRAFANA_PATH, MLFLOW_PATH, publicUrl } from './platform-exposure';
import { addKubeflowProfile, checkKubeflowGateway, exposeMlflowThroughKubeflowGateway } from './platform-kubeflow';
import { KubeflowProfileOptions } from './platform-kubeflow-options';
import { createRestrictedNamespace, denyAllIngress } from './platform-network';
import { PlatformNotebookProps } from './platform-notebook-props';
import { addPlatformNotebook } from './platform-notebooks';
import { PlatformProfile } from './platform-profile';
import { applyPlatformRegistry, withPullSecrets } from './platform-registry';
import { DataStoreSettings, ServerSettings } from './platform-settings';
import { checkPlatformMetadata, checkPlatformSettings } from './platform-settings-check';
import { PlatformSmokeTestOptions } from './platform-smoke-test-options';
import { addPlatformSmokeTests } from './platform-smoke-tests';
import { PlatformTeamOptions } from './platform-team-options';
import { addPlatformTeam } from './platform-teams';
import {
  addPlatformAlertmanager, addPlatformLogs, addPlatformTracing, jaegerDataSource, lokiDataSource, wireRetrainOnDrift,
} from './platform-telemetry';
import { ALERTMANAGER_PATH, exposeTelemetryOnNodePorts, exposeTelemetryThroughIngress, JAEGER_PATH, PROMETHEUS_PATH } from './platform-telemetry-exposure';
import { assertHttpsBuckets, createPlatformTls, ingressWithCertificate } from './platform-tls';
import { PlatformTrainingContext, platformTrainingProps, SHARED_MOUNT_PATH, wireTrainingJob } from './platform-training';
import { RetrainOnDriftOptions } from './retrain-on-drift-options';
import { SmokeTests } from './smoke-tests';
import { checkHost } from '../core/address';
import { IBucket } from '../core/bucket';
import { IDatabase } from '../core/database';
import { MlopsValidationError } from '../core/errors';
import { ImageRegistry } from '../core/image-registry';
import { IKeyValueStore } from '../core/key-value-store';
import { setSubtreeMetadata } from '../core/library-metadata';
import { IModelDeployment, IServedModel } from '../core/model-serving';
import { ModelSource } from '../core/model-source';
import { clusterNameOf } from '../core/names';
import { allowIngress } from '../core/network';
import { A_STORAGE_CLASS_NAME } from '../core/prop-kinds';
import { anInstanceOf, checkProps } from '../core/props-check';
import { SecretSource } from '../core/secret-source';
import { VolumeRetention } from '../core/volume-retention';
import { WorkloadPlacement } from '../core/workload-placement';
import { Postgres } from '../data/postgres';
import { Redis } from '../data/redis';
import { Alertmanager } from '../observability/alertmanager';
import { FederatedPrometheus } from '../observability/federated-prometheus';
import { Grafana } from '../observability/grafana';
import { DagSource } from '../orchestration/dag-source';
import { GitSyncAirflow } from '../orchestration/git-sync-airflow';
import { PlatformTls } from '../security/platform-tls';
import { KservePredictor, KservePredictorProps } from '../serving/kserve-predictor';
import { MinioWithBuckets } from '../storage/minio-with-buckets';
import { NfsSharedVolume, NfsSharedVolumeProps } from '../storage/nfs-shared-volume';
import { JaegerTraceStore } from '../telemetry/jaeger-trace-store';
import { LokiLogStore } from '../telemetry/loki-log-store';
import { NodeLogShipper } from '../telemetry/node-log-shipper';
import { OtelCollector } from '../telemetry/otel-collector';
import { RetrainTrigger } from '../telemetry/retrain-trigger';
import { MlflowTracking } from '../tracking/mlflow-tracking';
import { PyTorchDdpJob } from '../training/pytorch-ddp-job';
import { PyTorchDdpJobProps } from '../training/pytorch-ddp-job-props';
import { SparkJob } from '../training/spark-job';
import { SparkJobProps } from '../training/spark-job-props';
import { KubeflowPodDefaults } from '../workspaces/kubeflow-pod-defaults';
import { NotebookWorkspace } from '../workspaces/notebook-workspace';
import { Team } from '../workspaces/team';

const BUCKETS = { artifacts: 'mlflow-artifacts', logs: 'airflow-logs', datasets: 'datasets', models: 'models' };
const PROMETHEUS_PORT = 9090;
const DEV_AIRFLOW_CPU = { request: kplus.Cpu.millis(100) };

/**
 * One cluster's MLOps platform in one namespace: Airflow (DAGs from git) runs the pipelines, MLflow tracks runs and
 * keeps models, KServe serves them (`addPredictor`), Prometheus watches it all and Grafana shows its dashboards;
 * Postgres, MinIO and Redis hold the state unless you bring your own.
 *
 * ```ts
 * const platform = new MlopsCore(chart, 'Platform', {
 *   dags: DagSource.fromGit({ repository: 'https://github.com/org/dags.git', subPath: 'dags' }),
 *   access: PlatformAccess.ingress({ host: 'mlops.example.com' }),
 * });
 * platform.addPredictor('Iris', {
 *   model: ModelSource.fromBucket(platform.modelsBucket, 'sklearn/iris'),
 *   modelFormat: ModelFormat.SKLEARN,
 * });
 * ```
 *
 * - The Namespace of the chart is created with Pod Security `restricted` enforced; the chart must have a namespace.
 * - A NetworkPolicy denies all ingress to the namespace's pods; the wiring allows exactly its flows: Airflow's pods to
 *   the databases, buckets, Redis and MLflow, task pods to the api-server and the predictors, MLflow to its database
 *   and bucket, every Job to its server, Prometheus to every metrics port, Grafana to Prometheus, and with an Ingress
 *   or NodePorts anyone to the exposed UI ports.
 * - Airflow gets the S3 connections `datasets_s3` and `models_s3`, the Redis connection `task_values`, remote task
 *   logs in `logsBucket`, and `MLFLOW_TRACKING_URI`.
 * - With monitoring, an `Alertmanager` receives the alerts and merges the routes of `prometheus.addAlertRoute`;
 *   `retrainOnDrift` starts a DAG run when a model drifts; `tracing` and `logs` add traces (OpenTelemetry, Jaeger)
 *   and logs (a node log shipper, Loki), both Grafana data sources.
 * - Everything the cluster would otherwise host is replaceable: `airflowDatabase`, `mlflowDatabase`, the four buckets,
 *   `keyValueStore`, `monitoring: false`. A piece is created only when something still needs it.
 */
export class MlopsCore extends Construct {
  /** Dev or production. */
  public readonly profile: PlatformProfile;
  /** The Prometheus `cluster` label. */
  public readonly clusterName: string;
  /** The chart's Namespace, enforcing Pod Security `restricted`. */
  public readonly namespace: kplus.Namespace;
  /** The certificates' issuer and the CA bundle, when TLS is on (`tls`; by default in production). */
  public readonly tls?: PlatformTls;
  /** The NetworkPolicy that denies all ingress to the namespace's pods. */
  public readonly defaultDeny: kplus.NetworkPolicy;
  /** The in-cluster Postgres, unless both databases were given. */
  public readonly postgres?: Postgres;
  /** The in-cluster MinIO, unless all four buckets were given. */
  public readonly minio?: MinioWithBuckets;
  /** The in-cluster Redis, unless `keyValueStore` was given. */
  public readonly redis?: Redis;
  /** Airflow: the api-server at `/airflow` behind an Ingress. */
  public readonly airflow: GitSyncAirflow;
  /** MLflow: at `/mlflow` behind an Ingress, where `trackingUri` carries the prefix. */
  public readonly mlflow: MlflowTracking;
  /** The Prometheus, unless `monitoring` is off. */
  public readonly prometheus?: FederatedPrometheus;
  /** Grafana with the Prometheus' dashboards, at `/grafana` behind an Ingress; unless `grafana` or `monitoring` is off. */
  public readonly grafana?: Grafana;
  /** The Alertmanager the Prometheus sends its alerts to, with its alert routes (`addAlertRoute`); unless `monitoring` is off. */
  public readonly alertmanager?: Alertmanager;
  /** The OpenTelemetry Collector, with `tracing`: `instrument(workload, container, { serviceName })` for your images. */
  public readonly tracing?: OtelCollector;
  /** The Jaeger trace store, with `tracing`: a Grafana data source. */
  public readonly traceStore?: JaegerTraceStore;
  /** Loki, with `logs`: a Grafana data source. */
  public readonly logStore?: LokiLogStore;
  /** The node log shipper, with `logs`, in a chart and namespace of its own (Pod Security `privileged`). */
  public readonly logShipper?: NodeLogShipper;
  /** The NFS share, when `sharedVolume` is given: at `/shared` in every Airflow task and every training job. */
  public readonly sharedVolume?: NfsSharedVolume;
  /** Where models go (the Airflow connection `models_s3`); `ModelSource.fromBucket(platform.modelsBucket, ...)`. */
  public readonly modelsBucket: IBucket;
  /** Where data sets go (the Airflow connection `datasets_s3`). */
  public readonly datasetsBucket: IBucket;
  /** The store tasks exchange values through (the Airflow connection `task_values`). */
  public readonly keyValueStore: IKeyValueStore;
  /** The Ingress of MLflow, Grafana (and the MinIO console on its own host), with `PlatformAccess.ingress()`; Airflow has its own. */
  public readonly ingress?: kplus.Ingress;

  /** The keys of the predictors' MinIO user on the in-cluster models bucket (`addPredictor`). */
  private readonly predictorS3Credentials?: SecretSource;
  /** The keys of the training jobs' MinIO user on the in-cluster buckets (`addPyTorchDdpJob`, `addSparkJob`). */
  private readonly trainingS3Credentials?: SecretSource;
  /** The Ingress of `PlatformAccess.ingress()`, which notebook workspaces are served on too. */
  private readonly ingressOptions?: PlatformIngressOptions;
  /** The registry's pull Secrets, for pods rendered outside the chart (task pods, template training jobs). */
  private readonly registryPlacement?: WorkloadPlacement;
  /** The NFS export of `sharedVolume`, which Kubeflow profiles get a claim of too. */
  private readonly sharedVolumeProps?: NfsSharedVolumeProps;
  /** `placement`, for the smoke tests' Jobs. */
  private readonly placement?: WorkloadPlacement;
  /** The databases of Airflow, MLflow and Grafana, for the smoke tests. */
  private readonly databases: IDatabase[];
  /** `settings.volumeRetention`, for the home volumes of notebooks and teams added later. */
  private readonly volumeRetention?: VolumeRetention;

  constructor(scope: Construct, id: string, props: MlopsCoreProps) {
    super(scope, id);
    checkProps(this, props, { dags: anInstanceOf(DagSource, "DagSource.fromGit({ repository: 'https://github.com/org/dags.git' })") }, {
      registry: anInstanceOf(ImageRegistry, "ImageRegistry.of({ mirrorPrefix: 'harbor.example.com/mirror' })"),
      placement: anInstanceOf(WorkloadPlacement, "WorkloadPlacement.of({ nodeSelector: { 'node-role.example.com/ml': 'true' } })"),
      storageClassName: A_STORAGE_CLASS_NAME,
    });
    checkPlatformSettings(this, props.settings);
    checkPlatformMetadata(this, props.commonLabels, props.annotations);
    // The chart's: its chart-level pieces (the secret generator) are the platform's too; the user's own objects are left alone.
    setSubtreeMetadata(Chart.of(this), { labels: props.commonLabels, annotationsByKind: props.annotations });
    const settings = props.settings ?? {};
    const placementOf = (piece: { readonly placement?: WorkloadPlacement } | undefined) => piece?.placement ?? props.placement;
    // A server's settings as its construct's props, the platform's placement, StorageClass and retention by default.
    const serverOf = (piece: ServerSettings | undefined) => ({ image: piece?.image, resources: piece?.resources, placement: placementOf(piece) });
    const storageOf = (piece: DataStoreSettings | undefined) => ({
      storageSize: piece?.storageSize,
      storageClassName: piece?.storageClassName ?? props.storageClassName,
      volumeRetention: settings.volumeRetention,
    });
    const pullSecrets = applyPlatformRegistry(this, props.registry);
    this.registryPlacement = withPullSecrets(props.placement, pullSecrets);
    this.placement = props.placement;
    this.volumeRetention = settings.volumeRetention;
    const airflowSettings = settings.airflow ?? {};
    const taskPlacement = withPullSecrets(airflowSettings.workerPlacement ?? placementOf(airflowSettings), pullSecrets);
    const namespace = Chart.of(this).namespace;
    if (!namespace) {
      throw new MlopsValidationError(this, "the chart has no namespace: MlopsCore creates the chart's Namespace and puts "
        + "everything in it; give the chart one, e.g. new Chart(app, 'mlops', { namespace: 'mlops' })");
    }
    this.profile = props.profile ?? PlatformProfile.DEV;
    const access = props.access ?? PlatformAccess.clusterIp();
    this.checkAccess(access);
    const monitoring = props.monitoring ?? true;
    if (!monitoring && (props.monitorLabels || props.prometheusRole || props.clusterName)) {
      throw new MlopsValidationError(this, 'clusterName, monitorLabels and prometheusRole are invalid with monitoring: false: '
        + 'they configure the Prometheus, which is not created; remove them or turn monitoring on');
    }
    const grafana = monitoring && (props.grafana ?? true);
    if (!monitoring && props.grafana) {
      throw new MlopsValidationError(this, "grafana is invalid with monitoring: false: Grafana shows the platform's Prometheus, "
        + 'which is not created; remove it or turn monitoring on');
    }
    if (!grafana && props.grafanaDatabase) {
      throw new MlopsValidationError(this, `grafanaDatabase is invalid with ${monitoring ? 'grafana' : 'monitoring'}: false: `
        + 'Grafana is not created; remove it');
    }
    this.clusterName = clusterNameOf(this, props.clusterName);
    const needsBucket = !props.artifactsBucket || !props.logsBucket || !props.datasetsBucket || !props.modelsBucket;
    const secrets = props.secrets ?? {};
    const ownPostgres = !props.airflowDatabase || !props.mlflowDatabase;
    // Production keeps Grafana's users and UI changes across restarts in the platform's Postgres when there is one.
    const grafanaOwnDatabase = grafana && !props.grafanaDatabase && this.profile.isProduction && ownPostgres;
    checkPlatformSecrets(this, this.profile, {
      postgres: ownPostgres,
      airflowDatabase: !props.airflowDatabase,
      mlflowDatabase: !props.mlflowDatabase,
      minio: needsBucket,
      redis: !props.keyValueStore,
      grafana,
      grafanaDatabase: grafanaOwnDatabase,
      mlflowBucket: !props.artifactsBucket,
      airflowBuckets: !props.logsBucket || !props.datasetsBucket || !props.modelsBucket,
      modelsBucket: !props.modelsBucket,
    }, secrets);
    this.predictorS3Credentials = secrets.predictorS3Credentials;
    this.trainingS3Credentials = secrets.trainingS3Credentials;

    this.namespace = createRestrictedNamespace(this, 'Namespace', namespace);
    this.tls = createPlatformTls(this, this.profile, { tls: props.tls, tlsOptions: props.tlsOptions });
    if (this.tls) {
      this.tls.addNamespace(namespace);
      assertHttpsBuckets(this, {
        artifactsBucket: props.artifactsBucket, logsBucket: props.logsBucket, datasetsBucket: props.datasetsBucket, modelsBucket: props.modelsBucket,
      });
    }
    this.defaultDeny = denyAllIngress(this, 'DefaultDenyIngress');

    if (!props.airflowDatabase || !props.mlflowDatabase) {
      this.postgres = new Postgres(this, 'Postgres', {
        adminPassword: secrets.postgresAdminPassword,
        metrics: monitoring,
        tls: this.tls?.serverTls,
        ...serverOf(settings.postgres),
        ...storageOf(settings.postgres),
      });
    }
    const passwordRevision = props.databasePasswordRevision;
    if (passwordRevision !== undefined && !this.postgres) {
      throw new MlopsValidationError(this, 'databasePasswordRevision is invalid: the platform creates no database (airflowDatabase and '
        + 'mlflowDatabase are given); remove it');
    }
    const airflowDatabase = props.airflowDatabase
      ?? this.postgres!.addDatabase('airflow', { password: secrets.airflowDatabasePassword, passwordRevision });
    const mlflowDatabase = props.mlflowDatabase
      ?? this.postgres!.addDatabase('mlflow', { password: secrets.mlflowDatabasePassword, passwordRevision });
    const grafanaDatabase = grafanaOwnDatabase
      ? this.postgres!.addDatabase('grafana', { password: secrets.grafanaDatabasePassword, passwordRevision })
      : props.grafanaDatabase;
    this.databases = [airflowDatabase, mlflowDatabase, grafanaDatabase].filter(isDefined);

    if (needsBucket) {
      this.minio = new MinioWithBuckets(this, 'Minio', {
        rootCredentials: secrets.minioRootCredentials,
        tls: this.tls?.serverTls,
        ...serverOf(settings.minio),
        ...storageOf(settings.minio),
      });
    }
    const bucket = (given: IBucket | undefined, name: string) => given ?? this.minio!.addBucket(name);
    const artifactsBucket = bucket(props.artifactsBucket, BUCKETS.artifacts);
    const logsBucket = bucket(props.logsBucket, BUCKETS.logs);
    this.datasetsBucket = bucket(props.datasetsBucket, BUCKETS.datasets);
    this.modelsBucket = bucket(props.modelsBucket, BUCKETS.models);

    if (!props.keyValueStore) {
      this.redis = new Redis(this, 'Redis', {
        password: secrets.redisPassword,
        metrics: monitoring,
        tls: this.tls?.serverTls,
        ...serverOf(settings.redis),
        // The platform's Redis holds values tasks exchange, in memory; a volume of its own makes it persistent.
        ...(settings.redis?.storageSize || settings.redis?.storageClassName ? { persistence: true, ...storageOf(settings.redis) } : {}),
      });
    }
    this.keyValueStore = props.keyValueStore ?? this.redis!;

    const ingress = ingressWithCertificate(this, access._ingress);
    this.ingressOptions = ingress;
    const gateway = props.kubeflowGateway;
    if (gateway) {
      checkKubeflowGateway(this, gateway);
    }
    const replicas = this.profile.serverReplicas;
    this.mlflow = new MlflowTracking(this, 'Mlflow', {
      database: mlflowDatabase,
      artifacts: withUserCredentials(artifactsBucket, secrets.mlflowS3Credentials),
      replicas: settings.mlflow?.replicas ?? replicas,
      ...serverOf(settings.mlflow),
      tls: this.tls?.serverTls,
      staticPrefix: ingress || gateway ? MLFLOW_PATH : undefined,
      allowedHosts: ingress || gateway ? [ingress?.host, gateway?.host].filter(isDefined) : undefined,
    });
    if (gateway) {
      exposeMlflowThroughKubeflowGateway(this, this.mlflow, MLFLOW_PATH, gateway, this.tls?.serverTls);
    }

    const devCpu = this.profile.isProduction ? undefined : DEV_AIRFLOW_CPU;
    this.airflow = new GitSyncAirflow(this, 'Airflow', {
      database: airflowDatabase,
      dags: props.dags,
      logBucket: withUserCredentials(logsBucket, secrets.airflowS3Credentials),
      apiServerReplicas: replicas,
      workerPlacement: taskPlacement,
      adminPassword: secrets.airflowAdminPassword,
      fernetKey: secrets.airflowFernetKey,
      apiSecretKey: secrets.airflowApiSecretKey,
      jwtSecret: secrets.airflowJwtSecret,
      nodePort: access._nodePorts?.airflow,
      ingress: ingress
        ? { host: ingress.host, path: AIRFLOW_PATH, ingressClassName: ingress.ingressClassName, tlsSecret: ingress.tlsSecret }
        : undefined,
      ...(devCpu ? {
        apiServerResources: { cpu: devCpu }, schedulerResources: { cpu: devCpu }, dagProcessorResources: { cpu: devCpu },
      } : {}),
      ...definedOnly({
        image: airflowSettings.image,
        workerImage: airflowSettings.workerImage,
        apiServerResources: airflowSettings.apiServerResources,
        schedulerResources: airflowSettings.schedulerResources,
        dagProcessorResources: airflowSettings.dagProcessorResources,
        triggererResources: airflowSettings.triggererResources,
        workerResources: airflowSettings.workerResources,
        placement: placementOf(airflowSettings),
      }),
    });
    this.airflow.addS3Connection('datasets_s3', withUserCredentials(this.datasetsBucket, secrets.airflowS3Credentials));
    this.airflow.addS3Connection('models_s3', withUserCredentials(this.modelsBucket, secrets.airflowS3Credentials));
    this.airflow.addRedisConnection('task_values', this.keyValueStore);
    this.airflow.useMlflowTracking(this.mlflow);
    this.mlflow.allowFrom(this.airflow.airflowPods);

    if (this.profile.isProduction) {
      makeHighlyAvailable(this, 'AirflowApiServerDisruptionBudget', this.airflow.apiServer);
      makeHighlyAvailable(this, 'MlflowDisruptionBudget', this.mlflow.deployment);
    }

    if (props.sharedVolume) {
      this.sharedVolume = new NfsSharedVolume(this, 'SharedVolume', { volumeRetention: settings.volumeRetention, ...props.sharedVolume });
      this.sharedVolumeProps = props.sharedVolume;
      this.airflow.mountInTasks(SHARED_MOUNT_PATH, this.sharedVolume);
    }

    if (monitoring) {
      this.prometheus = new FederatedPrometheus(this, 'Prometheus', {
        clusterName: this.clusterName,
        role: props.prometheusRole,
        monitorLabels: props.monitorLabels,
        tls: this.tls?.serverTls,
        ...(ingress ? { routePrefix: PROMETHEUS_PATH, externalUrl: publicUrl(ingress, PROMETHEUS_PATH) } : {}),
        ...(this.profile.isProduction ? {} : {
          resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) } },
          storageSize: Size.gibibytes(5),
          retention: Duration.days(7),
        }),
        ...definedOnly({
          ...serverOf(settings.prometheus),
          retention: settings.prometheus?.retention,
          ...storageOf(settings.prometheus),
        }),
      });
      this.prometheus.addTargets(...[this.postgres, this.redis, this.minio].filter(isDefined), this.airflow, this.mlflow);
      this.alertmanager = addPlatformAlertmanager(this, this.prometheus, this.profile,
        ingress ? { routePrefix: ALERTMANAGER_PATH, externalUrl: publicUrl(ingress, ALERTMANAGER_PATH) } : {}, this.tls?.serverTls,
        settings.volumeRetention);
    }
    if (props.tracing) {
      const tracing = addPlatformTracing(this, this.profile, this.airflow, this.prometheus, ingress ? JAEGER_PATH : undefined,
        settings.volumeRetention);
      this.tracing = tracing.collector;
      this.traceStore = tracing.traces;
    }
    if (props.logs) {
      const logs = addPlatformLogs(this, this.profile, props.logs, this.prometheus, settings.volumeRetention);
      this.logStore = logs.store;
      this.logShipper = logs.shipper;
    }
    if (this.prometheus && grafana) {
      this.grafana = new Grafana(this, 'Grafana', {
        prometheus: this.prometheus,
        adminCredentials: secrets.grafanaAdminCredentials,
        database: grafanaDatabase,
        tls: this.tls?.serverTls,
        rootUrl: ingress ? publicUrl(ingress, GRAFANA_PATH) : undefined,
        ...serverOf(settings.grafana),
        dataSources: [
          ...(this.traceStore ? [jaegerDataSource(this.traceStore)] : []),
          ...(this.logStore ? [lokiDataSource(this.logStore)] : []),
        ],
      });
      this.prometheus.addTargets(this.grafana);
      this.traceStore?.allowQueryFrom(this.grafana.deployment);
      this.logStore?.allowFrom(this.grafana.deployment);
    }

    const apps = { mlflow: this.mlflow, minio: this.minio, grafana: this.grafana };
    const telemetryApps = { prometheus: this.prometheus, alertmanager: this.alertmanager, traceStore: this.traceStore };
    if (ingress) {
      // Telemetry UIs that serve https get Ingresses of their own; the shared one takes only the plain ones.
      const plainTelemetry = [this.prometheus, this.alertmanager].some((app) => app && !app.endpoint.tls) || this.traceStore !== undefined;
      this.ingress = exposeThroughIngress(this, ingress, apps, plainTelemetry);
      exposeTelemetryThroughIngress(this, this.ingress, ingress, telemetryApps);
    } else if (access._nodePorts) {
      exposeThroughNodePorts(this, access._nodePorts, apps);
      exposeTelemetryOnNodePorts(this, access._nodePorts, telemetryApps);
    }
  }

  /**
   * Serves a model with KServe: creates the predictor, lets Airflow's task pods call it (so that pipelines can test
   * or use it) and has Prometheus scrape it.
   */
  public addPredictor(id: string, props: KservePredictorProps): KservePredictor {
    checkProps(this, props, { model: anInstanceOf(ModelSource, "ModelSource.fromBucket(platform.modelsBucket, 'sklearn/iris')") }, {}, `addPredictor('${id}'): props`);
    const predictor = new KservePredictor(this, id, { ...props, model: this.modelWithPredictorUser(id, props.model) });
    this.wireServedModel(predictor);
    return predictor;
  }

  /**
   * Serves a model with any serving backend (`new KserveModelDeployment(props)`, `new SeldonModelDeployment(props)`),
   * wired like `addPredictor`: from the in-cluster models bucket it reads with the predictors' MinIO user, Airflow's
   * task pods may call it and Prometheus scrapes it.
   */
  public serveModel(id: string, deployment: IModelDeployment): IServedModel {
    const served = deployment.deploy(this, id, this.modelWithPredictorUser(id, deployment.model));
    this.wireServedModel(served);
    return served;
  }

  /**
   * Runs distributed PyTorch training on the platform (`PyTorchDdpJob`), with the platform's shared volume (at
   * `/shared`, as in Airflow's tasks) and MLflow unless given; MLflow lets the job's pods in, and the platform's
   * buckets are read and written with the MinIO user of `secrets.trainingS3Credentials` (production requires it). A
   * `JobSubmission.TEMPLATE` job is mounted in Airflow's task pods at `/opt/airflow/training/<name>/template.yaml`.
   */
  public addPyTorchDdpJob(id: string, props: PyTorchDdpJobProps): PyTorchDdpJob {
    const job = new PyTorchDdpJob(this, id, platformTrainingProps(this.trainingContext(), `addPyTorchDdpJob('${id}')`, props));
    wireTrainingJob(this.trainingContext(), id, job, props?.tracking);
    return job;
  }

  /** Runs a Spark application on the platform (`SparkJob`), wired like `addPyTorchDdpJob`. */
  public addSparkJob(id: string, props: SparkJobProps): SparkJob {
    const job = new SparkJob(this, id, platformTrainingProps(this.trainingContext(), `addSparkJob('${id}')`, props));
    wireTrainingJob(this.trainingContext(), id, job, props?.tracking);
    return job;
  }

  /**
   * Retrains a model when it drifts: the alert `ModelDriftRetrain` (more than `threshold` drift detections of a model,
   * `model_drifted_total`, within `window`; on a primary, over the models of every serving cluster it federates), its
   * route through the platform's Alertmanager, and a `RetrainTrigger` that starts a run of `dag` with the model's
   * labels in `conf` (`model`, `cluster`, `namespace`), at most once per model per `cooldown`. Needs monitoring.
   */
  public retrainOnDrift(options: RetrainOnDriftOptions): RetrainTrigger {
    return wireRetrainOnDrift({
      scope: this,
      profile: this.profile,
      airflow: this.airflow,
      prometheus: this.prometheus,
      alertmanager: this.alertmanager,
      tracing: this.tracing,
    }, options);
  }

  /**
   * Lets `peer` reach the Prometheus API on port 9090, e.g. Grafana's namespace, or a primary cluster's Prometheus
   * that federates this one. Nothing else reaches it under the default deny.
   */
  public allowPrometheusFrom(peer: kplus.INetworkPolicyPeer): void {
    if (!this.prometheus) {
      throw new MlopsValidationError(this, 'allowPrometheusFrom: there is no Prometheus (monitoring is off); turn monitoring on or remove the call');
    }
    allowIngress(this.prometheus, this.prometheus.pods, peer, [PROMETHEUS_PORT]);
  }

  /**
   * A JupyterLab workspace (`NotebookWorkspace`) on the platform: logging to its MLflow (which lets it in), with its
   * shared volume at `/shared`, at `/notebooks/<owner>` on the platform's Ingress host, and the platform's buckets
   * read and written with the workspace's own MinIO user (`s3Credentials`, which production requires for them).
   */
  public addNotebook(id: string, props: PlatformNotebookProps): NotebookWorkspace {
    return addPlatformNotebook({
      scope: this,
      profile: this.profile,
      mlflow: this.mlflow,
      minio: this.minio,
      sharedVolume: this.sharedVolume,
      ingress: this.ingressOptions,
      volumeRetention: this.volumeRetention,
    }, id, props);
  }

  /**
   * Kubeflow PodDefaults (`KubeflowPodDefaults`) in the profile namespace of `chart`: MLflow (which lets the namespace
   * in), the platform's datasets and models buckets through the profile's own MinIO user, made from the Secret
   * `s3CredentialsSecretName` that you create in both namespaces, the shared volume and pipeline access.
   */
  public addKubeflowProfile(chart: Chart, options: KubeflowProfileOptions = {}): KubeflowPodDefaults {
    return addKubeflowProfile({
      scope: this,
      mlflow: this.mlflow,
      minio: this.minio,
      defaultBuckets: [this.datasetsBucket, this.modelsBucket],
      sharedVolume: this.sharedVolumeProps,
      tls: this.tls,
    }, chart, options);
  }

  /**
   * Smoke tests (`SmokeTests`) of every service of the platform, as Argo CD `PostSync` hooks that fail the sync when
   * a service does not answer: `SELECT 1` in each database, Redis `PING`, a listing of each in-cluster bucket with a
   * MinIO user of their own, an MLflow run with a metric and an artifact, Airflow's health and a parsed DAG (as the
   * Airflow user `smoke-test`), Prometheus targets up, Grafana's data sources healthy, and each of `options.models`
   * ready and answering its inference request.
   */
  public addSmokeTests(options: PlatformSmokeTestOptions = {}): SmokeTests {
    return addPlatformSmokeTests({
      scope: this,
      profile: this.profile,
      placement: this.placement,
      databases: this.databases,
      buckets: this.minio?.buckets ?? [],
      keyValueStore: this.keyValueStore,
      mlflow: this.mlflow,
      airflow: this.airflow,
      prometheus: this.prometheus,
      grafana: this.grafana,
      dataSources: ['prometheus', ...(this.logStore ? ['loki'] : [])],
    }, options);
  }

  /**
   * A `Team` in the namespace of `chart`: its members edit it and view the platform's namespace, its workspaces log to
   * the platform's MLflow (which lets the namespace in) and write the team's bucket on the platform's MinIO with the
   * team's own MinIO user, made from the Secret `s3CredentialsSecretName` that you create in both namespaces.
   */
  public addTeam(chart: Chart, options: PlatformTeamOptions): Team {
    return addPlatformTeam({
      scope: this, mlflow: this.mlflow, minio: this.minio, tls: this.tls, volumeRetention: this.volumeRetention,
    }, chart, options);
  }

  private trainingContext(): PlatformTrainingContext {
    return {
      scope: this,
      profile: this.profile,
      airflow: this.airflow,
      mlflow: this.mlflow,
      minio: this.minio,
      sharedVolume: this.sharedVolume,
      credentials: this.trainingS3Credentials,
      registryPlacement: this.registryPlacement,
    };
  }

  private wireServedModel(served: IServedModel): void {
    served.allowFrom(this.airflow.taskPods);
    this.prometheus?.addTargets(served);
  }

  /**
   * The model source a predictor reads with: from the in-cluster models bucket, through the MinIO user of
   * `secrets.predictorS3Credentials` when given (production requires it there); any other source as it is.
   */
  private modelWithPredictorUser(id: string, model: ModelSource): ModelSource {
    if (!this.minio || model.bucket !== this.modelsBucket) {
      return model;
    }
    const credentials = this.predictorS3Credentials;
    checkUserCredentials(this, this.profile, credentials, {
      context: `addPredictor('${id}')`,
      what: "the predictor reads the platform's models bucket with a MinIO user of its own, and secrets.predictorS3Credentials",
    });
    return credentials ? ModelSource.fromBucket(withUserCredentials(model.bucket, credentials), model.path) : model;
  }

  private checkAccess(access: PlatformAccess): void {
    const ingress = access._ingress;
    const consoleHost = ingress?.minioConsole?._host;
    for (const host of [ingress?.host, consoleHost].filter(isDefined)) {
      checkHost(this, 'ingress host', host, { example: 'mlops.example.com', ipAddress: false });
    }
    if (ingress && consoleHost === ingress.host) {
      throw new MlopsValidationError(this, `ingress minioConsole host '${consoleHost}' is invalid: it is the platform's host, whose root the console cannot share; `
        + `give it a host of its own, e.g. MinioConsoleRoute.ownHost('minio.${ingress.host}'), or MinioConsoleRoute.ingressNginxPath() with ingress-nginx`);
    }
    const consolePath = ingress?.minioConsole?._path;
    if (consolePath !== undefined && (!/^(\/[A-Za-z0-9._~-]+)+$/.test(consolePath) || [AIRFLOW_PATH, MLFLOW_PATH, GRAFANA_PATH].includes(consolePath))) {
      throw new MlopsValidationError(this, `ingress minioConsole path '${consolePath}' is invalid: must start with '/', not end with one, hold only `
        + `letters, digits, '.', '_', '~' or '-' between, and not be ${AIRFLOW_PATH}, ${MLFLOW_PATH} or ${GRAFANA_PATH}; e.g. '/minio'`);
    }
    const ports = Object.entries(access._nodePorts ?? {});
    for (const [app, port] of ports) {
      if (!Number.isInteger(port) || port < 30000 || port > 32767) {
        throw new MlopsValidationError(this, `nodePorts ${app} '${port}' is invalid: must be a whole number from 30000 to 32767 (the default NodePort range)`);
      }
      const other = ports.find(([name, value]) => name !== app && value === port);
      if (other) {
        throw new MlopsValidationError(this, `nodePorts ${app} '${port}' is invalid: ${other[0]} has it too; give each app its own port`);
      }
    }
  }
}

/** `values` without its undefined entries, so that spreading it keeps the defaults it does not set. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
