import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SMOKE_TEST_ATTEMPTS, SMOKE_TEST_RETRY_INTERVAL } from './smoke-test-kinds';
import {
  AIRFLOW_CHECK_SCRIPT, bucketCheckScript, GRAFANA_CHECK_SCRIPT, MLFLOW_CHECK_SCRIPT, MODEL_CHECK_SCRIPT, mysqlCheckScript,
  POSTGRES_CHECK_SCRIPT, PROMETHEUS_CHECK_SCRIPT, redisCheckScript,
} from './smoke-test-scripts';
import { IBucket } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { DatabaseEngine, IDatabase } from '../core/database';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { HashedJob } from '../core/hashed-job';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { IKeyValueStore } from '../core/key-value-store';
import { componentLabels } from '../core/labels';
import { IServedModel } from '../core/model-serving';
import { DAG_ID } from '../core/names';
import { allowIngress } from '../core/network';
import { A_SECRET_SOURCE, aDuration } from '../core/prop-kinds';
import {
  AN_IBUCKET, AN_IDATABASE, AN_IKEY_VALUE_STORE, anImplementationOf, anInstanceOf, aString, aStringMap, checkArgument, checkProps,
} from '../core/props-check';
import { SecretSource } from '../core/secret-source';
import { ImageUser, mountWritablePaths, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { A_PLACEMENT, WorkloadPlacement } from '../core/workload-placement';
import { FederatedPrometheus } from '../observability/federated-prometheus';
import { Grafana } from '../observability/grafana';
import { GitSyncAirflow } from '../orchestration/git-sync-airflow';
import { KservePredictor } from '../serving/kserve-predictor';
import { SeldonModel } from '../serving/seldon-model';
import { MlflowTracking } from '../tracking/mlflow-tracking';

/** The uid/gid the stock images' clients run as: postgres, mysql and redis (999), mc (as MinIO's own Jobs), python (nobody). */
const DATABASE_USER: ImageUser = { user: 999, group: 999 };
const MC_USER: ImageUser = { user: 1000, group: 1000 };
const PYTHON_USER: ImageUser = { user: 65534, group: 65534 };
/** KServe's Service in front of a RawDeployment predictor listens on port 80. */
const KSERVE_SERVICE_PORT = 80;
const RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(10) },
  memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
};

/** Properties of `SmokeTests`. */
export interface SmokeTestsProps {
  /**
   * How many times each check is tried before its Job fails. With Argo CD the checks run after the sync, when
   * everything is healthy; with `kubectl apply` they start at once and wait for the services this way.
   *
   * @default 30
   */
  readonly attempts?: number;

  /**
   * The pause between two tries of a check.
   *
   * @default Duration.seconds(10)
   */
  readonly retryInterval?: Duration;

  /**
   * How long a smoke test Job may run in all (`activeDeadlineSeconds`), retries and its one pod restart included.
   *
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;

  /**
   * Where the Jobs' pods run and what they pull images with.
   *
   * @default - no constraints
   */
  readonly placement?: WorkloadPlacement;
}

/** How `SmokeTests.checkModel` reaches a model. */
export interface ModelSmokeTestOptions {
  /**
   * An inference request in the Open Inference Protocol's JSON, e.g.
   * `{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4]]}]}`: the check sends it to
   * `/v2/models/<name>/infer` and expects `outputs` back. The model's input shape is yours to know.
   *
   * @default - readiness only (`/v2/health/ready`, `/v2/models/<name>/ready`)
   */
  readonly inferenceRequest?: string;

  /**
   * Where the model's Open Inference Protocol API answers.
   *
   * @default - a `KservePredictor`'s predictor Service (port 80), a `SeldonModel`'s runtime's `seldon-mesh`; required
   * for other backends
   */
  readonly endpoint?: ServiceEndpoint;

  /**
   * Headers sent with every request, e.g. `{ 'Seldon-Model': 'churn.pipeline' }` for a Seldon pipeline.
   *
   * @default - `Seldon-Model: <name>` for a `SeldonModel`, none otherwise
   */
  readonly headers?: { [name: string]: string };
}

/** Options of `SmokeTests.checkAirflow`. */
export interface AirflowSmokeTestOptions {
  /**
   * A DAG that must be parsed, e.g. `retrain`.
   *
   * @default - any: at least one DAG is parsed
   */
  readonly dagId?: string;

  /**
   * The password of the Airflow user `smoke-test` the check logs in as (FAB role `User`, through
   * `grantTriggerDagRuns`).
   *
   * @default SecretSource.generated()
   */
  readonly password?: SecretSource;
}

/** Options of `SmokeTests.checkGrafana`. */
export interface GrafanaSmokeTestOptions {
  /**
   * The uids of the data sources whose health is checked.
   *
   * @default ['prometheus'] - the Prometheus data source `Grafana` provisions
   */
  readonly dataSources?: string[];
}

/**
 * Jobs that prove a platform's services answer once it runs: a query per database, a `PING` to Redis, a bucket
 * listing with a grant, a run with a metric and an artifact in MLflow, Airflow's health and a parsed DAG, Prometheus
 * targets up, Grafana data sources healthy, a model ready and answering an inference.
 *
 * ```ts
 * const smoke = new SmokeTests(chart, 'SmokeTests');
 * smoke.checkDatabase(postgres.addDatabase('mlflow'));
 * smoke.checkModel(predictor, { inferenceRequest: '{"inputs":[...]}' });
 * ```
 *
 * Each check is a hash-named Job (a changed check is a new Job) and an Argo CD `PostSync` hook with the delete policy
 * `BeforeHookCreation`: Argo CD runs it after every sync, once everything else is healthy, re-creating it each time,
 * and marks the sync failed when it fails (a failed plain Job would only make the application Degraded). Applied with
 * `kubectl apply`, the Jobs run at once and retry until the services answer (`attempts`, `retryInterval`). Every pod
 * passes Pod Security `restricted`, reads credentials only from Secrets, trusts the services' CA bundle when they
 * serve TLS, and is let through the services' NetworkPolicies by the same verbs every client uses (`bind`,
 * `grantRead`, `allowFrom`).
 */
export class SmokeTests extends Construct {
  /** Argo CD's hook annotation and its value for the checks. */
  public static readonly HOOK_ANNOTATIONS: { [key: string]: string } = {
    'argocd.argoproj.io/hook': 'PostSync',
    'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
  };

  private readonly attempts: number;
  private readonly retryInterval: Duration;
  private readonly timeout: Duration;
  private readonly placement?: WorkloadPlacement;

  constructor(scope: Construct, id: string, props: SmokeTestsProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      attempts: SMOKE_TEST_ATTEMPTS,
      retryInterval: SMOKE_TEST_RETRY_INTERVAL,
      timeout: aDuration({ example: 'Duration.minutes(15)', atLeast: Duration.minutes(1) }),
      placement: A_PLACEMENT,
    });
    this.attempts = props.attempts ?? 30;
    this.retryInterval = props.retryInterval ?? Duration.seconds(10);
    this.timeout = props.timeout ?? Duration.minutes(15);
    this.placement = props.placement;
  }

  /** `SELECT 1` on `database` as its own user (psql or mysql), over TLS when its server serves it. */
  public checkDatabase(database: IDatabase): HashedJob {
    checkArgument(this, 'database', database, AN_IDATABASE);
    const postgres = database.engine === DatabaseEngine.POSTGRES;
    const image = postgres ? defaultImage(this, DefaultImages.POSTGRES) : defaultImage(this, DefaultImages.MYSQL);
    const endpoint = database.endpoint;
    const job = this.job(`Database-${database.databaseName}`, postgres ? 'postgres' : 'mysql', image, DATABASE_USER,
      ['sh', '-c', postgres ? POSTGRES_CHECK_SCRIPT : mysqlCheckScript(endpoint.trustBundle?.pemPath)],
      postgres ? {
        PGHOST: endpoint.host, PGPORT: String(endpoint.port), PGDATABASE: database.databaseName, PGCONNECT_TIMEOUT: '10',
      } : {
        MYSQL_HOST: endpoint.host, MYSQL_TCP_PORT: String(endpoint.port), DB_NAME: database.databaseName,
      });
    database.bind(job, job.containers[0]);
    return job;
  }

  /** `PING` to `store` with its password (redis-cli), over TLS when it serves TLS. */
  public checkKeyValueStore(store: IKeyValueStore): HashedJob {
    checkArgument(this, 'store', store, AN_IKEY_VALUE_STORE);
    const endpoint = store.endpoint;
    const job = this.job(`KeyValueStore-${store.node.id}`, 'redis', defaultImage(this, DefaultImages.REDIS), DATABASE_USER,
      ['sh', '-c', redisCheckScript(endpoint.tls)], { REDIS_HOST: endpoint.host, REDIS_PORT: String(endpoint.port) });
    store.bind(job, job.containers[0]);
    endpoint.trustIn(job, job.containers[0]);
    return job;
  }

  /**
   * `mc ls` of `bucket` with the credentials `bucket.grantRead` hands this check (on MinIO, a user of its own with
   * read access to that bucket).
   */
  public checkBucket(bucket: IBucket): HashedJob {
    checkArgument(this, 'bucket', bucket, AN_IBUCKET);
    const store = bucket.objectStore;
    const job = this.job(`Bucket-${bucket.bucketName}`, 'mc', defaultImage(this, DefaultImages.MINIO_CLIENT), MC_USER,
      ['/bin/sh', '-c', bucketCheckScript(store.pathStyle)], { S3_URL: store.endpoint.url(), BUCKET: bucket.bucketName });
    const grant = bucket.grantRead(job);
    job.containers[0].env.addVariable('S3_ACCESS_KEY', grant.envValue(Credentials.USERNAME));
    job.containers[0].env.addVariable('S3_SECRET_KEY', grant.envValue(Credentials.PASSWORD));
    store.endpoint.trustIn(job, job.containers[0]);
    return job;
  }

  /**
   * A run in MLflow's experiment `smoke-test`, through its REST API: a metric logged and a small artifact uploaded
   * through the server's artifact proxy, both read back (as MLflow's admin with basic auth).
   */
  public checkMlflow(mlflow: MlflowTracking): HashedJob {
    checkArgument(this, 'mlflow', mlflow, anInstanceOf(MlflowTracking, 'platform.mlflow'));
    const job = this.pythonJob('Mlflow', 'mlflow', MLFLOW_CHECK_SCRIPT, {});
    mlflow.bind(job, job.containers[0], { credentials: mlflow.adminCredentials });
    return job;
  }

  /**
   * Airflow's `/api/v2/monitor/health` and a parsed DAG (`/api/v2/dags`), as the Airflow user `smoke-test`
   * (`grantTriggerDagRuns`, which also lets the check reach the api-server).
   */
  public checkAirflow(airflow: GitSyncAirflow, options: AirflowSmokeTestOptions = {}): HashedJob {
    checkArgument(this, 'airflow', airflow, anInstanceOf(GitSyncAirflow, 'platform.airflow'));
    checkProps(this, options, {}, { dagId: aString("'retrain'"), password: A_SECRET_SOURCE }, 'options');
    if (options.dagId !== undefined && !DAG_ID.test(options.dagId)) {
      throw new MlopsValidationError(this, `checkAirflow: dagId '${options.dagId}' is invalid: an Airflow DAG id holds 1-250 letters, digits, '_', '.' or '-'; e.g. 'retrain'`);
    }
    const job = this.pythonJob('Airflow', 'airflow', AIRFLOW_CHECK_SCRIPT, {
      AIRFLOW_API_URL: airflow.apiUrl,
      ...(options.dagId ? { AIRFLOW_DAG_ID: options.dagId } : {}),
    });
    const user = airflow.grantTriggerDagRuns(job, { username: 'smoke-test', password: options.password });
    job.containers[0].env.addVariable('AIRFLOW_USERNAME', user.envValue(Credentials.USERNAME));
    job.containers[0].env.addVariable('AIRFLOW_PASSWORD', user.envValue(Credentials.PASSWORD));
    airflow.endpoint.trustIn(job, job.containers[0]);
    return job;
  }

  /** Prometheus scrapes targets and none is down (the query `up`). */
  public checkPrometheus(prometheus: FederatedPrometheus): HashedJob {
    checkArgument(this, 'prometheus', prometheus, anInstanceOf(FederatedPrometheus, 'platform.prometheus'));
    const job = this.pythonJob('Prometheus', 'prometheus', PROMETHEUS_CHECK_SCRIPT, { PROMETHEUS_URL: prometheus.apiUrl });
    allowIngress(prometheus, prometheus.pods, job, [prometheus.endpoint.port]);
    prometheus.endpoint.trustIn(job, job.containers[0]);
    return job;
  }

  /** Grafana's data sources answer their health checks (`/api/datasources/uid/<uid>/health`), as its admin. */
  public checkGrafana(grafana: Grafana, options: GrafanaSmokeTestOptions = {}): HashedJob {
    checkArgument(this, 'grafana', grafana, anInstanceOf(Grafana, 'platform.grafana'));
    checkProps(this, options, {}, { dataSources: anImplementationOf('array of data source uids', ['length'], "['prometheus', 'loki']") }, 'options');
    const dataSources = options.dataSources ?? ['prometheus'];
    for (const uid of dataSources) {
      if (typeof uid !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(uid)) {
        throw new MlopsValidationError(this, `checkGrafana: dataSources entry '${uid}' is invalid: a data source uid holds 1-40 letters, digits, '-' or '_'; e.g. 'prometheus'`);
      }
    }
    if (dataSources.length === 0) {
      throw new MlopsValidationError(this, "checkGrafana: dataSources is invalid: it is empty; give at least one uid, e.g. ['prometheus'], or leave it out");
    }
    const job = this.pythonJob('Grafana', 'grafana', GRAFANA_CHECK_SCRIPT, {
      GRAFANA_URL: grafana.endpoint.url(grafana.subPath),
      GRAFANA_DATASOURCES: dataSources.join(','),
    });
    job.containers[0].env.addVariable('GRAFANA_USERNAME', grafana.adminCredentials.envValue(Credentials.USERNAME));
    job.containers[0].env.addVariable('GRAFANA_PASSWORD', grafana.adminCredentials.envValue(Credentials.PASSWORD));
    grafana.allowFrom(job);
    grafana.endpoint.trustIn(job, job.containers[0]);
    return job;
  }

  /**
   * `model` is ready (`/v2/health/ready`, `/v2/models/<name>/ready`) and, with `inferenceRequest`, answers one
   * inference, over the Open Inference Protocol (v2) REST API. KServe's Python servers (scikit-learn, XGBoost,
   * LightGBM, ...) serve it beside V1 whatever `protocolVersion` says, as do Triton, MLServer and Seldon; a runtime
   * that speaks V1 only (TensorFlow Serving, TorchServe's default) is not checked this way.
   */
  public checkModel(model: IServedModel, options: ModelSmokeTestOptions = {}): HashedJob {
    checkArgument(this, 'model', model, anImplementationOf('IServedModel', ['modelName', 'allowFrom'], "platform.addPredictor('Iris', { ... })"));
    checkProps(this, options, {}, {
      inferenceRequest: aString('\'{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4]]}]}\''),
      endpoint: anInstanceOf(ServiceEndpoint, "ServiceEndpoint.fromHost('iris-predictor.mlops.svc', 80)"),
      headers: aStringMap("{ 'Seldon-Model': 'churn.pipeline' }"),
    }, 'options');
    const name = model.modelName;
    if (options.inferenceRequest !== undefined) {
      checkInferenceRequest(this, name, options.inferenceRequest);
    }
    const endpoint = options.endpoint ?? modelEndpoint(model);
    if (!endpoint) {
      throw new MlopsValidationError(this, `checkModel: model '${name}' is invalid without options.endpoint: only a KservePredictor's or a SeldonModel's `
        + "endpoint is known; give the endpoint of its Open Inference Protocol API, e.g. ServiceEndpoint.fromHost('iris.mlops.svc', 8080)");
    }
    const headers = options.headers ?? (model instanceof SeldonModel ? { 'Seldon-Model': name } : {});
    const job = this.pythonJob(`Model-${name}`, 'model', MODEL_CHECK_SCRIPT, {
      MODEL_URL: endpoint.url(),
      MODEL_NAME: name,
      ...(Object.keys(headers).length > 0 ? { MODEL_HEADERS: JSON.stringify(headers) } : {}),
      ...(options.inferenceRequest !== undefined ? { INFERENCE_REQUEST: options.inferenceRequest } : {}),
    });
    model.allowFrom(job);
    endpoint.trustIn(job, job.containers[0]);
    return job;
  }

  private pythonJob(id: string, check: string, script: string, env: Record<string, string>): HashedJob {
    return this.job(id, check, defaultImage(this, DefaultImages.PYTHON), PYTHON_USER, ['python3', '-c', script], env);
  }

  /** A PostSync hook Job `id` with one container `check` running `command`, and the retry settings in its env. */
  private job(id: string, check: string, image: string, runAs: ImageUser, command: string[], env: Record<string, string>): HashedJob {
    if (this.node.tryFindChild(id)) {
      throw new MlopsValidationError(this, `${id} is invalid: it is checked already; check each service once`);
    }
    const labels = componentLabels(this, { name: 'smoke-tests', component: 'smoke-test' });
    const job = new HashedJob(this, id, {
      metadata: { labels, annotations: SmokeTests.HOOK_ANNOTATIONS },
      podMetadata: { labels },
      securityContext: restrictedPodSecurity(runAs),
      backoffLimit: 1,
      activeDeadline: this.timeout,
      containers: [{
        name: check,
        image,
        imagePullPolicy: imagePullPolicy(image),
        command,
        envVariables: Object.fromEntries(Object.entries({
          ...env,
          SMOKE_ATTEMPTS: String(this.attempts),
          SMOKE_RETRY_SECONDS: String(this.retryInterval.toSeconds()),
        }).map(([name, value]) => [name, kplus.EnvValue.fromValue(value)])),
        securityContext: restrictedContainerSecurity(runAs),
        resources: RESOURCES,
      }],
    });
    mountWritablePaths(job, job.containers[0], { tmp: '/tmp' });
    this.placement?.applyTo(job);
    return job;
  }
}

/** The Open Inference Protocol endpoint of the backends whose Services are known. */
function modelEndpoint(model: IServedModel): ServiceEndpoint | undefined {
  if (model instanceof KservePredictor) {
    return ServiceEndpoint.fromHost(model.predictorHost(), KSERVE_SERVICE_PORT);
  }
  if (model instanceof SeldonModel) {
    return model.runtime.meshEndpoint;
  }
  return undefined;
}

function checkInferenceRequest(scope: Construct, name: string, request: string): void {
  let body: unknown;
  try {
    body = JSON.parse(request);
  } catch (error) {
    body = undefined;
  }
  const inputs = typeof body === 'object' && body !== null ? (body as { inputs?: unknown }).inputs : undefined;
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new MlopsValidationError(scope, `checkModel: model '${name}' inferenceRequest '${request}' is invalid: must be an Open Inference Protocol request, `
      + 'a JSON object with a non-empty inputs list; e.g. \'{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4]]}]}\'');
  }
}
