import { createHash } from 'node:crypto';
import { Chart, Lazy, Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { assertConnectionId, connectionEnvName, redisConnectionEnv, redisPasswordEnv, s3ConnectionEnv } from './airflow-connections';
import { AirflowEnvironment } from './airflow-environment';
import { AIRFLOW_MONITORING } from './airflow-monitoring';
import { AIRFLOW_USER, httpProbes, jobCheckProbes, mountAirflowWritablePaths, Probes, resources, SETUP_RESOURCES } from './airflow-pod-parts';
import { CREATE_ADMIN_SCRIPT, CREATE_API_USER_SCRIPT, MIGRATE_SCRIPT, WAIT_FOR_MIGRATIONS_SCRIPT } from './airflow-scripts';
import { AirflowSecretKeys } from './airflow-secret-keys';
import { ApiServerAccess } from './api-server-access';
import { DagSource } from './dag-source';
import {
  AirflowTracingOptions, ConnectionOptions, GitSyncAirflowProps, RedisConnectionOptions, S3ConnectionOptions, TaskVolumeOptions,
} from './git-sync-airflow-props';
import { StatsdExporter, METRICS_PORT } from './statsd-exporter';
import { TaskPermission } from './task-permission';
import { checkSecretEnvName, checkTaskMountPath } from './task-pod-checks';
import { POD_TEMPLATE_DIR, POD_TEMPLATE_FILE, TaskPodTemplate } from './task-pod-template';
import { grantTaskPermission, mountServiceAccountToken } from './task-role-grant';
import { TaskGrantOptions, TaskServiceAccount, TaskServiceAccountOptions } from './task-service-account';
import { IBucket } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { DagRunGrantOptions, IDagRunApi } from '../core/dag-run-api';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { HashedJob } from '../core/hashed-job';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { IKeyValueStore } from '../core/key-value-store';
import { componentLabels } from '../core/labels';
import { IMonitoringContribution } from '../core/monitoring';
import { allowIngress } from '../core/network';
import { A_SECRET_SOURCE, aWholeNumber } from '../core/prop-kinds';
import { AN_IBUCKET, AN_IDATABASE, AN_IKEY_VALUE_STORE, anImage, anImplementationOf, anInstanceOf, aString, checkArgument, checkProps } from '../core/props-check';
import { ScrapeDiscovery, ScrapeTargetSpec, IScrapeTarget } from '../core/scrape-target';
import { SecretSource } from '../core/secret-source';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { ITraceCollector } from '../core/trace-collector';
import { IMlflowTracking } from '../core/tracking';
import { placeWorkloads } from '../core/workload-placement';

const API_PORT = 8080;
const SCHEDULER_HEALTH_PORT = 8974;
/** On every Airflow pod (components, Jobs, task pods): what the database, MinIO, Redis and statsd let in. */
const AIRFLOW_POD_LABEL = 'mlops.cdk8s.io/airflow';
/** On task pods only: what the api-server's Execution API lets in. */
const TASK_POD_LABEL = 'mlops.cdk8s.io/airflow-task';
const REMOTE_LOGS_CONN_ID = 'airflow_remote_logs';
const POD_LOGS = kplus.ApiResource.custom({ apiGroup: '', resourceType: 'pods/log' });

/** What differs between the long-running components. */
interface ComponentSpec {
  readonly component: string;
  readonly args: string[];
  /** 1 unless the component can run several. */
  readonly replicas?: number;
  readonly resources: kplus.ContainerResources;
  readonly serviceAccount?: kplus.ServiceAccount;
  readonly readsDags: boolean;
  readonly ports?: kplus.ContainerPort[];
  readonly probes: Probes;
}

/**
 * Apache Airflow 3.1 on the KubernetesExecutor, with DAGs synced from git (or read from a shared volume): every task
 * runs in a pod of its own, created by the scheduler from a pod template.
 *
 * ```ts
 * const airflow = new GitSyncAirflow(this, 'Airflow', {
 *   database: postgres.addDatabase('airflow'),
 *   dags: DagSource.fromGit({ repository: 'https://github.com/org/dags.git', subPath: 'dags' }),
 *   logBucket: minio.bucket('airflow-logs'),
 * });
 * ```
 *
 * - Components: api-server (Deployment and Service on 8080), scheduler, dag-processor and triggerer, each waiting in
 *   an init container until `airflow db migrate` (a hash-named Job, no Helm hook) has brought the schema up to date,
 *   so that `kubectl apply` converges in any order.
 * - Login: the FAB auth manager; a hash-named Job creates the first admin (`adminUsername`, default `admin`) with the
 *   password in the Secret of `adminCredentials` (generated unless given).
 * - Task pods reach the api-server's Execution API at `executionApiUrl`, write their logs to `logBucket`, and send
 *   metrics to a statsd exporter, which is a scrape target.
 * - NetworkPolicies let Airflow's pods into the database, MinIO and Redis (through `bind` and the grants), the
 *   task pods into the api-server, and Airflow's pods into the statsd exporter. Egress is not restricted: a cluster
 *   that denies egress must let the git-sync containers reach the git server (443 or 22).
 */
export class GitSyncAirflow extends Construct implements IScrapeTarget, IDagRunApi {
  /** The api-server (UI, REST API and Execution API). */
  public readonly apiServer: kplus.Deployment;
  /** The scheduler, which runs the KubernetesExecutor. */
  public readonly scheduler: kplus.Deployment;
  /** The dag-processor, which parses the DAG files. */
  public readonly dagProcessor: kplus.Deployment;
  /** The triggerer, which runs deferred tasks' triggers. */
  public readonly triggerer: kplus.Deployment;
  /** The api-server's Service, port 8080 named `api`. */
  public readonly service: kplus.Service;
  /** The api-server inside the cluster, `http://<service>:8080`. */
  public readonly endpoint: ServiceEndpoint;
  /** `AIRFLOW__CORE__EXECUTION_API_SERVER_URL`: where task pods report to. */
  public readonly executionApiUrl: string;
  /** The REST API's base URL inside the cluster (`/auth/token`, `/api/v2/...` below it), with the Ingress path. */
  public readonly apiUrl: string;
  /** The Job that runs `airflow db migrate`. */
  public readonly migrateJob: HashedJob;
  /** The first admin's user name and password (`Credentials.USERNAME`, `Credentials.PASSWORD`). */
  public readonly adminCredentials: Credentials;
  /** The ConfigMap holding `pod_template_file.yaml`. */
  public readonly podTemplate: kplus.ConfigMap;
  /** The ServiceAccount of the task pods; it has no API rights until `grantTasks` gives it some. */
  public readonly taskServiceAccount: kplus.ServiceAccount;
  /** Every Airflow pod (components, Jobs, task pods), as a NetworkPolicy peer. */
  public readonly airflowPods: kplus.Pods;
  /** The task pods, as a NetworkPolicy peer. */
  public readonly taskPods: kplus.Pods;
  /** The rules over the statsd exporter's metrics (DAG runs, scheduler heartbeat), Airflow's alerts and dashboard row. */
  public readonly monitoring?: IMonitoringContribution[] = [AIRFLOW_MONITORING];

  private readonly image: string;
  private readonly adminUsername: string;
  private tracing = false;
  private readonly dags: DagSource;
  private readonly statsd: StatsdExporter;
  private readonly taskTemplate: TaskPodTemplate;
  private readonly environment: AirflowEnvironment;
  private readonly connectionIds = new Set<string>();
  private readonly variableKeys = new Set<string>();
  private readonly taskEnvNames = new Set<string>();
  private readonly taskMountPaths = new Set<string>();

  constructor(scope: Construct, id: string, props: GitSyncAirflowProps) {
    super(scope, id);
    checkProps(this, props, {
      database: AN_IDATABASE,
      dags: anInstanceOf(DagSource, "DagSource.fromGit({ repository: 'https://github.com/org/dags.git' })"),
    }, {
      logBucket: AN_IBUCKET,
      keyValueStore: AN_IKEY_VALUE_STORE,
      image: anImage("'docker.io/apache/airflow:3.1.8-python3.12'"),
      workerImage: anImage("'registry.example.com/airflow-tasks:3.1.8-custom'"),
      statsdExporterImage: anImage('DefaultImages.STATSD_EXPORTER'),
      fernetKey: A_SECRET_SOURCE,
      apiSecretKey: A_SECRET_SOURCE,
      jwtSecret: A_SECRET_SOURCE,
      adminPassword: A_SECRET_SOURCE,
      apiServerReplicas: aWholeNumber(2, 1, 100, '; e.g. 2 for a highly available api-server'),
    });
    props.dags._validate(this);
    this.image = props.image ?? defaultImage(this, DefaultImages.AIRFLOW);
    this.dags = props.dags;
    const access = new ApiServerAccess(this, 'Access', { nodePort: props.nodePort, ingress: props.ingress });
    const apiServerReplicas = props.apiServerReplicas ?? 1;

    const instance = Names.toLabelValue(this);
    this.airflowPods = kplus.Pods.select(this, 'AirflowPods', { labels: { [AIRFLOW_POD_LABEL]: instance } });
    this.taskPods = kplus.Pods.select(this, 'TaskPods', { labels: { [TASK_POD_LABEL]: instance } });
    const secretKeys = new AirflowSecretKeys(this, 'SecretKeys', props);
    const adminUsername = props.adminUsername ?? 'admin';
    this.adminUsername = adminUsername;
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(adminUsername)) {
      throw new MlopsValidationError(this, `adminUsername '${adminUsername}' is invalid: must be 1-64 letters, digits or '_', '.', '@', '-'; e.g. 'admin'`);
    }
    this.adminCredentials = (props.adminPassword ?? SecretSource.generated()).bind(this, 'AdminCredentials', {
      secretValues: [Credentials.PASSWORD],
      values: { [Credentials.USERNAME]: adminUsername },
    });
    this.statsd = new StatsdExporter(this, 'StatsdExporter', {
      image: props.statsdExporterImage ?? defaultImage(this, DefaultImages.STATSD_EXPORTER),
      senders: this.airflowPods,
    });

    this.service = new kplus.Service(this, 'Service', {
      metadata: { labels: this.labels('api-server') },
      type: props.nodePort !== undefined ? kplus.ServiceType.NODE_PORT : kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'api', port: API_PORT, targetPort: API_PORT, nodePort: props.nodePort }],
    });
    this.endpoint = ServiceEndpoint.fromService(this.service, API_PORT);
    this.executionApiUrl = this.endpoint.url(`${access.basePath}/execution/`);
    this.apiUrl = this.endpoint.url(access.basePath);

    this.environment = new AirflowEnvironment({
      database: props.database,
      pods: this.airflowPods,
      secretKeys: secretKeys.env,
      runtime: {
        AIRFLOW__CORE__DAGS_FOLDER: kplus.EnvValue.fromValue(this.dags._dagsFolder),
        PYTHONPATH: kplus.EnvValue.fromValue(this.dags._pythonPath),
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL: kplus.EnvValue.fromValue(this.executionApiUrl),
        AIRFLOW__KUBERNETES_EXECUTOR__NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
        AIRFLOW__METRICS__STATSD_ON: kplus.EnvValue.fromValue('True'),
        AIRFLOW__METRICS__STATSD_HOST: kplus.EnvValue.fromValue(this.statsd.endpoint.host),
        AIRFLOW__METRICS__STATSD_PORT: kplus.EnvValue.fromValue(String(this.statsd.endpoint.port)),
        AIRFLOW__METRICS__STATSD_PREFIX: kplus.EnvValue.fromValue('airflow'),
        ...access.env,
      },
    });

    this.taskServiceAccount = new kplus.ServiceAccount(this, 'TaskServiceAccount', { automountToken: false });
    this.taskTemplate = new TaskPodTemplate({
      namespace: Chart.of(this).namespace,
      image: props.workerImage ?? this.image,
      runAs: AIRFLOW_USER,
      labels: { ...this.labels('worker'), [TASK_POD_LABEL]: instance },
      serviceAccount: this.taskServiceAccount,
      resources: resources(props.workerResources, 250, 512, 2048),
      placement: props.workerPlacement ?? props.placement,
    });
    const taskContainer = this.taskTemplate.container;
    this.environment.configureRuntime(this.taskTemplate.pod, taskContainer, 'LocalExecutor', false);
    mountAirflowWritablePaths(this.taskTemplate.pod, [taskContainer]);
    this.dags._attach({ owner: this, pod: this.taskTemplate.pod, readers: [taskContainer], keepSyncing: false });
    this.podTemplate = new kplus.ConfigMap(this, 'PodTemplate', { metadata: { labels: this.labels('worker') } });
    this.podTemplate.addData(POD_TEMPLATE_FILE, Lazy.any({ produce: () => this.taskTemplate.toYaml() }) as unknown as string);

    const apiServerAccount = new kplus.ServiceAccount(this, 'ApiServerServiceAccount', { automountToken: false });
    this.apiServer = this.component('ApiServer', {
      component: 'api-server',
      args: ['api-server'],
      replicas: apiServerReplicas,
      resources: resources(props.apiServerResources, 200, 512, 2048),
      serviceAccount: apiServerAccount,
      readsDags: false,
      ports: [{ name: 'api', number: API_PORT }],
      probes: httpProbes(`${access.basePath}/api/v2/monitor/health`, API_PORT),
    });
    this.service.select(this.apiServer);
    // Logs of running tasks are read from their pods.
    this.grant(apiServerAccount, 'PodLogReader', [
      { verbs: ['get', 'list', 'watch'], resources: [kplus.ApiResource.PODS] },
      { verbs: ['get'], resources: [POD_LOGS] },
    ]);

    const schedulerAccount = new kplus.ServiceAccount(this, 'SchedulerServiceAccount', { automountToken: false });
    this.grant(schedulerAccount, 'PodLauncher', [
      { verbs: ['create', 'list', 'get', 'patch', 'watch', 'delete'], resources: [kplus.ApiResource.PODS] },
      { verbs: ['get'], resources: [POD_LOGS] },
      { verbs: ['list'], resources: [kplus.ApiResource.EVENTS] },
    ]);
    this.scheduler = this.component('Scheduler', {
      component: 'scheduler',
      args: ['scheduler'],
      resources: resources(props.schedulerResources, 200, 512, 2048),
      serviceAccount: schedulerAccount,
      readsDags: true,
      ports: [{ name: 'health', number: SCHEDULER_HEALTH_PORT }],
      probes: httpProbes('/health', SCHEDULER_HEALTH_PORT),
    });
    const scheduler = this.scheduler.containers[0];
    scheduler.env.addVariable('AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK', kplus.EnvValue.fromValue('True'));
    scheduler.env.addVariable('AIRFLOW__KUBERNETES_EXECUTOR__POD_TEMPLATE_FILE', kplus.EnvValue.fromValue(`${POD_TEMPLATE_DIR}/${POD_TEMPLATE_FILE}`));
    scheduler.mount(POD_TEMPLATE_DIR, kplus.Volume.fromConfigMap(this.scheduler, 'PodTemplateVolume', this.podTemplate, { name: 'pod-template' }), { readOnly: true });
    this.scheduler.podMetadata.addAnnotation('mlops.cdk8s.io/pod-template-checksum',
      Lazy.any({ produce: () => createHash('sha256').update(this.taskTemplate.toYaml()).digest('hex') }) as unknown as string);

    this.dagProcessor = this.component('DagProcessor', {
      component: 'dag-processor',
      args: ['dag-processor'],
      resources: resources(props.dagProcessorResources, 200, 512, 2048),
      readsDags: true,
      probes: jobCheckProbes('DagProcessorJob'),
    });
    this.triggerer = this.component('Triggerer', {
      component: 'triggerer',
      args: ['triggerer'],
      resources: resources(props.triggererResources, 100, 512, 1024),
      readsDags: true,
      probes: jobCheckProbes('TriggererJob'),
    });

    this.migrateJob = this.setupJob('Migrate', 'migrate', MIGRATE_SCRIPT, {});
    this.setupJob('CreateAdmin', 'create-admin', CREATE_ADMIN_SCRIPT, {
      ADMIN_USERNAME: this.adminCredentials.envValue(Credentials.USERNAME),
      ADMIN_PASSWORD: this.adminCredentials.envValue(Credentials.PASSWORD),
      ADMIN_EMAIL: kplus.EnvValue.fromValue(props.adminEmail ?? 'admin@example.com'),
    });

    access.expose(this.apiServer, this.service, this.taskPods);
    if (props.logBucket) {
      this.addRemoteLogging(props.logBucket, props.logPrefix ?? 'logs');
    }
    for (const [key, value] of Object.entries(props.variables ?? {})) {
      this.addVariable(key, value);
    }
    placeWorkloads(this, props.placement);
  }

  /** The statsd exporter's metrics, through its Service's `metrics` port. */
  public get scrapeTargets(): ScrapeTargetSpec[] {
    return [{
      name: 'airflow',
      discovery: ScrapeDiscovery.SERVICE,
      namespace: Chart.of(this).namespace,
      selector: this.statsd.labels,
      endpoints: [{ port: 'metrics', path: '/metrics' }],
    }];
  }

  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    allowIngress(this.statsd, this.statsd.deployment, scraper, [METRICS_PORT]);
  }

  /**
   * An Airflow Variable for DAGs, `AIRFLOW_VAR_<KEY>` in the components and the task pods (visible in the pod spec:
   * not for secrets).
   */
  public addVariable(key: string, value: string): void {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key) || this.variableKeys.has(key.toUpperCase())) {
      const problem = this.variableKeys.has(key.toUpperCase()) ? 'it was added already' : "must start with a letter and contain only letters, digits and '_'";
      throw new MlopsValidationError(this, `variable key '${key}' is invalid: ${problem} (it becomes the env var AIRFLOW_VAR_<KEY>)`);
    }
    this.variableKeys.add(key.toUpperCase());
    this.environment.add([[`AIRFLOW_VAR_${key.toUpperCase()}`, kplus.EnvValue.fromValue(value)]]);
  }

  /**
   * An Airflow `aws` connection `connId` to `bucket` (endpoint, region and path-style addressing included) for
   * `S3Hook(aws_conn_id=connId)`, with credentials from the bucket's grant to Airflow's pods, which also opens
   * the network path.
   */
  public addS3Connection(connId: string, bucket: IBucket, options: S3ConnectionOptions = {}): void {
    this.reserveConnectionId(connId);
    const credentials = options.readOnly ? bucket.grantRead(this.airflowPods) : bucket.grantReadWrite(this.airflowPods);
    this.environment.add(s3ConnectionEnv(connId, bucket, credentials).env);
    this.environment.trust(bucket.objectStore.endpoint.trustBundle);
  }

  /**
   * An Airflow `redis` connection `connId` for `RedisHook(redis_conn_id=connId)`, e.g. for tasks that exchange
   * values through Redis; the password comes from the store's Secret through `store.bind`.
   */
  public addRedisConnection(connId: string, store: IKeyValueStore, options: RedisConnectionOptions = {}): void {
    this.reserveConnectionId(connId);
    const database = options.database ?? 0;
    for (const container of this.environment.runtimeContainers) {
      store.bind(this.airflowPods, container, { passwordEnv: redisPasswordEnv(connId), database });
    }
    this.environment.add(redisConnectionEnv(connId, store, database).env);
    this.environment.trust(store.endpoint.trustBundle);
  }

  /**
   * Points MLflow clients in DAG code at a tracking server: `MLFLOW_TRACKING_URI` is its `trackingUri`, static prefix
   * included, in the components and the task pods. The tracking server decides who may reach it, e.g.
   * `mlflow.allowFrom(airflow.airflowPods)`.
   */
  public useMlflowTracking(mlflow: IMlflowTracking): void {
    this.environment.add([['MLFLOW_TRACKING_URI', kplus.EnvValue.fromValue(mlflow.trackingUri)]]);
    this.environment.trust(mlflow.trustBundle);
  }

  /**
   * An Airflow connection `connId` (`AIRFLOW_CONN_<CONN_ID>`) in the components and the task pods, read from a Secret:
   * the value `connection` of `connection`, a connection URI (`wasb://...`, `kafka://...`) or Airflow's JSON form. The
   * Secret key is `connection` unless the source names another,
   * e.g. `SecretSource.fromSecret(secret, { keys: { connection: 'azure-blob-uri' } })`. A `kubernetes` connection to
   * another cluster holds its kubeconfig in the `kube_config` extra (the connection has no token or CA fields).
   */
  public addConnection(connId: string, connection: SecretSource, options: ConnectionOptions = {}): void {
    if (!(connection instanceof SecretSource) || connection.isGenerated) {
      throw new MlopsValidationError(this, `connection '${connId}' is invalid: a connection is a URI or JSON you write into a Secret, `
        + "so it cannot be generated; give SecretSource.fromSecret(secret, { keys: { connection: '<key>' } })");
    }
    this.reserveConnectionId(connId);
    const credentials = connection.bind(this, `Connection-${connId}`, { secretValues: ['connection'] });
    const value = options?.optional
      ? kplus.EnvValue.fromSecretValue({ secret: credentials.secret, key: credentials.secretKey('connection') }, { optional: true })
      : credentials.envValue('connection');
    this.environment.add([[connectionEnvName(connId), value]]);
  }

  /**
   * An env var `name` in every task pod, read from a Secret: the value `value` of `source` (the Secret key `value`
   * unless the source names another, e.g. `SecretSource.fromSecret(secret, { keys: { value: 'account-key' } })`; a
   * generated source makes a random one). Only the task pods get it, not Airflow's components.
   */
  public addTaskSecretEnv(name: string, source: SecretSource): void {
    checkSecretEnvName(this, name, this.taskEnvNames);
    this.taskEnvNames.add(name);
    const credentials = source.bind(this, `TaskEnv-${name.toLowerCase().replace(/_/g, '-')}`, { secretValues: ['value'] });
    this.taskTemplate.container.env.addVariable(name, credentials.envValue('value'));
  }

  /**
   * Mounts `storage` at `path` in every task pod: an `NfsSharedVolume` the tasks share with training jobs, a training
   * job's template (`kplus.Volume.fromConfigMap(...)`), any `kplus.IStorage`.
   */
  public mountInTasks(path: string, storage: kplus.IStorage, options: TaskVolumeOptions = {}): void {
    checkTaskMountPath(this, path, this.taskMountPaths);
    this.taskMountPaths.add(path);
    this.taskTemplate.container.mount(path, storage, { readOnly: options?.readOnly, subPath: options?.subPath });
  }

  /**
   * Lets every task do what `permission` allows, in `options.namespaces` (default: Airflow's), through the task pods'
   * ServiceAccount, whose token is then mounted into every task pod. These rights reach every task of every DAG: for
   * rights only some tasks need, use `addTaskServiceAccount` instead. Returns the Roles, one per namespace.
   */
  public grantTasks(permission: TaskPermission, options: TaskGrantOptions = {}): kplus.Role[] {
    const roles = grantTaskPermission(this, this.taskServiceAccount, permission, options?.namespaces);
    mountServiceAccountToken(this.taskServiceAccount);
    return roles;
  }

  /**
   * A ServiceAccount `name` for the tasks of one purpose, with `options.permissions` in `options.namespaces`: a task
   * runs as it through its `pod_override` (`service_account_name`), and no other task gets its rights.
   */
  public addTaskServiceAccount(name: string, options: TaskServiceAccountOptions = {}): TaskServiceAccount {
    return new TaskServiceAccount(this, `TaskServiceAccount-${name}`, { ...options, name });
  }

  /**
   * Turns on Airflow's traces (`[traces]`, Airflow 3.1): every component and task pod exports spans of DAG runs and
   * tasks to `collector` over OTLP/HTTP on its port 4318 (`otel_on`, `otel_host`, `otel_port`, `otel_service`,
   * `otel_ssl_active`), and the collector lets Airflow's pods in.
   */
  public useTracing(collector: ITraceCollector, options: AirflowTracingOptions = {}): void {
    checkArgument(this, 'useTracing: collector', collector, anImplementationOf('ITraceCollector', ['otlpHttpEndpoint', 'allowFrom'], 'platform.tracing'));
    checkProps(this, options, {}, { serviceName: aString("'airflow'") }, 'options');
    if (this.tracing) {
      throw new MlopsValidationError(this, 'useTracing was called before: Airflow exports to one collector; call it once');
    }
    this.tracing = true;
    const endpoint = collector.otlpHttpEndpoint;
    this.environment.add([
      ['AIRFLOW__TRACES__OTEL_ON', kplus.EnvValue.fromValue('True')],
      ['AIRFLOW__TRACES__OTEL_HOST', kplus.EnvValue.fromValue(endpoint.host)],
      ['AIRFLOW__TRACES__OTEL_PORT', kplus.EnvValue.fromValue(String(endpoint.port))],
      ['AIRFLOW__TRACES__OTEL_SERVICE', kplus.EnvValue.fromValue(options.serviceName ?? 'airflow')],
      ['AIRFLOW__TRACES__OTEL_SSL_ACTIVE', kplus.EnvValue.fromValue(endpoint.scheme === 'https' ? 'True' : 'False')],
    ]);
    collector.allowFrom(this.airflowPods);
  }

  /** The api-server's pods. */
  public get apiPeer(): kplus.INetworkPolicyPeer {
    return this.apiServer;
  }

  /**
   * An Airflow user with the FAB role `User` (the least built-in role that can start DAG runs), created by a
   * hash-named Job with its password from `options.password` (set again on every change of the Secret's source), and
   * a NetworkPolicy that lets `grantee` reach the api-server.
   */
  public grantTriggerDagRuns(grantee: kplus.INetworkPolicyPeer, options: DagRunGrantOptions): Credentials {
    checkProps(this, options, { username: aString("'retrain-trigger'") }, { password: A_SECRET_SOURCE }, 'options');
    const username = options.username;
    // The name also makes the user's e-mail address, `<username>@api-users.invalid`.
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(username) || username === this.adminUsername) {
      throw new MlopsValidationError(this, `grantTriggerDagRuns: username '${username}' is invalid: must be 1-64 letters, digits or '_', '.', '-', and not the admin's; e.g. 'retrain-trigger'`);
    }
    const id = `ApiUser-${username}`;
    if (this.node.tryFindChild(id)) {
      throw new MlopsValidationError(this, `grantTriggerDagRuns: username '${username}' is invalid: it was granted already; give each client its own user`);
    }
    const credentials = (options.password ?? SecretSource.generated()).bind(this, `${id}Credentials`, {
      secretValues: [Credentials.PASSWORD],
      values: { [Credentials.USERNAME]: username },
    });
    this.setupJob(id, 'create-api-user', CREATE_API_USER_SCRIPT, {
      API_USERNAME: credentials.envValue(Credentials.USERNAME),
      API_PASSWORD: credentials.envValue(Credentials.PASSWORD),
      API_ROLE: kplus.EnvValue.fromValue('User'),
    });
    allowIngress(this, this.apiServer, grantee, [API_PORT]);
    return credentials;
  }

  private addRemoteLogging(bucket: IBucket, prefix: string): void {
    if (prefix.startsWith('/') || /\s/.test(prefix)) {
      throw new MlopsValidationError(this, `logPrefix '${prefix}' is invalid: must be a key prefix without a leading '/' or spaces, e.g. 'logs'`);
    }
    this.addS3Connection(REMOTE_LOGS_CONN_ID, bucket);
    this.environment.add([
      ['AIRFLOW__LOGGING__REMOTE_LOGGING', kplus.EnvValue.fromValue('True')],
      ['AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER', kplus.EnvValue.fromValue(bucket.s3Uri(prefix))],
      ['AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID', kplus.EnvValue.fromValue(REMOTE_LOGS_CONN_ID)],
      ['AIRFLOW__LOGGING__DELETE_LOCAL_LOGS', kplus.EnvValue.fromValue('True')],
    ]);
  }

  private reserveConnectionId(connId: string): void {
    assertConnectionId(this, connId);
    if (this.connectionIds.has(connId.toUpperCase())) {
      throw new MlopsValidationError(this, `connection id '${connId}' is invalid: it was added already; give each connection its own id`);
    }
    this.connectionIds.add(connId.toUpperCase());
  }

  /** A Role `id` with `rules`, bound to `account` by a RoleBinding `<id>Binding`. */
  private grant(account: kplus.ServiceAccount, id: string, rules: kplus.RolePolicyRule[]): void {
    const role = new kplus.Role(this, id, { rules });
    new kplus.RoleBinding(this, `${id}Binding`, { role }).addSubjects(account);
  }

  private labels(component: string): Record<string, string> {
    return { ...componentLabels(this, { name: 'airflow', component, image: this.image }), [AIRFLOW_POD_LABEL]: Names.toLabelValue(this) };
  }

  private component(id: string, spec: ComponentSpec): kplus.Deployment {
    const labels = this.labels(spec.component);
    const deployment = new kplus.Deployment(this, id, {
      metadata: { labels },
      podMetadata: { labels },
      replicas: spec.replicas ?? 1,
      serviceAccount: spec.serviceAccount,
      automountServiceAccountToken: spec.serviceAccount !== undefined,
      securityContext: restrictedPodSecurity(AIRFLOW_USER),
    });
    const wait = deployment.addInitContainer(this.setupContainer('wait-for-migrations', WAIT_FOR_MIGRATIONS_SCRIPT));
    const main = deployment.addContainer({
      name: spec.component,
      image: this.image,
      imagePullPolicy: imagePullPolicy(this.image),
      args: spec.args,
      ports: spec.ports,
      securityContext: restrictedContainerSecurity(AIRFLOW_USER),
      resources: spec.resources,
      ...spec.probes,
    });
    this.environment.configureCore(deployment, wait, 'KubernetesExecutor', true);
    this.environment.configureRuntime(deployment, main, 'KubernetesExecutor', true);
    mountAirflowWritablePaths(deployment, [wait, main]);
    if (spec.readsDags) {
      this.dags._attach({ owner: this, pod: deployment, readers: [main], keepSyncing: true });
    }
    return deployment;
  }

  private setupContainer(name: string, script: string): kplus.ContainerProps {
    return {
      name,
      image: this.image,
      imagePullPolicy: imagePullPolicy(this.image),
      command: ['bash', '-c', script],
      securityContext: restrictedContainerSecurity(AIRFLOW_USER),
      resources: SETUP_RESOURCES,
    };
  }

  private setupJob(id: string, name: string, script: string, env: Record<string, kplus.EnvValue>): HashedJob {
    const labels = this.labels(name);
    const job = new HashedJob(this, id, {
      metadata: { labels },
      podMetadata: { labels },
      securityContext: restrictedPodSecurity(AIRFLOW_USER),
      backoffLimit: 6,
    });
    const container = job.addContainer(this.setupContainer(name, script));
    this.environment.configureCore(job, container, 'KubernetesExecutor', true);
    for (const [key, value] of Object.entries(env)) {
      container.env.addVariable(key, value);
    }
    mountAirflowWritablePaths(job, [container]);
    return job;
  }
}

