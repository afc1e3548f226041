import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { allowedHosts, defaultCorsOrigins } from './allowed-hosts';
import { BACKEND_STORE_URI, backendStoreBinding } from './backend-store';
import { addBasicAuth, BasicAuthWiring } from './mlflow-auth';
import { addGarbageCollection } from './mlflow-gc';
import { MLFLOW_MONITORING } from './mlflow-monitoring';
import { MlflowBasicAuthOptions, MlflowBindOptions, MlflowGcOptions } from './mlflow-options';
import { UPGRADE_SCRIPT, WAIT_FOR_SCHEMA_SCRIPT } from './mlflow-scripts';
import { IBucket } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { IDatabase, withUriFromCommand } from '../core/database';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { HashedJob } from '../core/hashed-job';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { IMonitoringContribution } from '../core/monitoring';
import { allowIngress } from '../core/network';
import { httpGetProbe } from '../core/probes';
import { anEnvVarName, aWholeNumber } from '../core/prop-kinds';
import { AN_IBUCKET, AN_IDATABASE, anImage, anInstanceOf, checkProps } from '../core/props-check';
import { IScrapeTarget, ScrapeDiscovery, ScrapeTargetSpec } from '../core/scrape-target';
import { ImageUser, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { addServerCertificate } from '../core/server-certificate';
import { A_SERVER_TLS, ServerTls } from '../core/tls';
import { IMlflowTracking } from '../core/tracking';
import { TrustBundle } from '../core/trust-bundle';
import { A_PLACEMENT, placeWorkloads, WorkloadPlacement } from '../core/workload-placement';

const PORT = 5000;
/** The `-full` image runs as root by default; nobody is enough, with `HOME=/tmp` and an emptyDir there. */
const MLFLOW_USER: ImageUser = { user: 65534, group: 65534 };
const METRICS_DIR = '/var/lib/mlflow/metrics';
const CERT_DIR = '/etc/mlflow/tls';
const HOST_PATTERN = /^[A-Za-z0-9*]([A-Za-z0-9.*:[\]-]*[A-Za-z0-9*\]])?$/;
const ORIGIN_PATTERN = /^(\*|https?:\/\/[A-Za-z0-9*]([A-Za-z0-9.*:[\]-]*[A-Za-z0-9*\]])?)$/;

/** Properties of `MlflowTracking`. */
export interface MlflowTrackingProps {
  /**
   * The backend store: experiments, runs, the model registry (`--backend-store-uri`, handed to the server as
   * `MLFLOW_BACKEND_STORE_URI` from the database's Secret). PostgreSQL or MySQL.
   */
  readonly database: IDatabase;

  /**
   * The bucket the server writes artifacts to (`--artifacts-destination`). The server proxies every artifact request
   * (`--serve-artifacts`), so only the server holds S3 credentials; clients need the tracking URI and nothing else.
   */
  readonly artifacts: IBucket;

  /**
   * The key prefix inside `artifacts`, e.g. `mlflow`.
   *
   * @default - the bucket's root
   */
  readonly artifactsPrefix?: string;

  /**
   * The MLflow image. It must hold MLflow 3 with the driver of the database (psycopg2 or PyMySQL), boto3 and
   * prometheus-flask-exporter, as the `-full` images do.
   *
   * @default DefaultImages.MLFLOW
   */
  readonly image?: string;

  /**
   * Server pods.
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * uvicorn worker processes per pod (`--workers`).
   *
   * @default 2
   */
  readonly workers?: number;

  /**
   * Host names users reach the server by besides the Service, e.g. an Ingress host: each is added to
   * `--allowed-hosts` as given (`*` wildcards allowed; add `host:port` when clients send a port).
   *
   * @default - only the Service's names, localhost and pod IPs
   */
  readonly allowedHosts?: string[];

  /**
   * Origins that may send state-changing requests (`--cors-allowed-origins`), e.g. `https://mlflow.example.com`.
   *
   * @default - `http://<host>` and `https://<host>` for each of `allowedHosts`
   */
  readonly corsAllowedOrigins?: string[];

  /**
   * The path prefix of every route (`--static-prefix`), for an Ingress that serves MLflow under a path, e.g.
   * `/mlflow`. Must start with `/` and not end with `/`.
   *
   * @default - served at `/`
   */
  readonly staticPrefix?: string;

  /**
   * The cluster's DNS domain, for the `<service>.<namespace>.svc.<domain>` entry of `--allowed-hosts`.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * Turns on MLflow's basic-auth app (`--app-name basic-auth`).
   *
   * @default - no authentication
   */
  readonly basicAuth?: MlflowBasicAuthOptions;

  /**
   * Adds a CronJob that runs `mlflow gc` to remove deleted runs and their artifacts for good.
   *
   * @default - no garbage collection
   */
  readonly gc?: MlflowGcOptions;

  /**
   * Serves HTTPS (uvicorn's `--ssl-certfile` / `--ssl-keyfile` through `--uvicorn-opts`) with a certificate
   * cert-manager issues for the Service. `trackingUri` becomes `https://...` with the trust bundle: workloads given to
   * `bind` get the bundle (`REQUESTS_CA_BUNDLE`). uvicorn reads the certificate at start only: restart the Deployment
   * within the 30 days between renewal and expiry. An Ingress in front must speak HTTPS to it.
   *
   * @default - plain HTTP
   */
  readonly tls?: ServerTls;

  /**
   * The server's cpu and memory.
   *
   * @default - cpu request 100m; memory request 512Mi, limit 2Gi
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * The cpu and memory of the `mlflow db upgrade` Job, the init containers and the gc CronJob.
   *
   * @default - cpu request 50m; memory request 256Mi, limit 1Gi
   */
  readonly jobResources?: kplus.ContainerResources;

  /**
   * Where the pods run and what they pull images with (node selector, tolerations, node affinity, topology spread,
   * priority class, image pull secrets), applied to every pod this construct makes.
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;
}

/**
 * An MLflow 3 tracking server and model registry: a Deployment behind a Service on port 5000.
 *
 * ```ts
 * const mlflow = new MlflowTracking(this, 'Mlflow', {
 *   database: postgres.addDatabase('mlflow'),
 *   artifacts: minio.addBucket('mlflow-artifacts'),
 *   allowedHosts: ['mlflow.example.com'],
 * });
 * mlflow.bind(trainingJob, trainingJob.containers[0]);   // MLFLOW_TRACKING_URI
 * ```
 *
 * - The schema is migrated by a hash-named `mlflow db upgrade` Job; the server's init container waits until the
 *   schema is at the image's revision, so a new image migrates first and `kubectl apply` converges in any order.
 * - `--allowed-hosts` lists every name of the Service with and without `:5000`, the extra `allowedHosts`, localhost
 *   and the private address ranges kubelet probes and Prometheus come from (MLflow 3.5+ answers 403 "Invalid Host
 *   header" to any other).
 * - Artifacts are proxied: only the server holds the bucket's credentials.
 * - Pods run as uid 65534 with a read-only root filesystem.
 *
 * Network: once a consumer is bound, a NetworkPolicy selects the server, and only bound consumers (and
 * `allowFrom` peers, e.g. your Ingress controller) reach it.
 */
export class MlflowTracking extends Construct implements IScrapeTarget, IMlflowTracking {
  /** The Service, `http://<service>.<namespace>.svc:5000`. */
  public readonly endpoint: ServiceEndpoint;
  /** What clients set as `MLFLOW_TRACKING_URI`: the endpoint with the static prefix. */
  public readonly trackingUri: string;
  /** The ClusterIP Service on port 5000 (`http`). */
  public readonly service: kplus.Service;
  /** The server. */
  public readonly deployment: kplus.Deployment;
  /** The Job that migrates the schema (`mlflow db upgrade`). */
  public readonly upgradeJob: kplus.Job;
  /** The CronJob that runs `mlflow gc`, when `gc` is given. */
  public readonly gcCronJob?: kplus.CronJob;
  /** The basic-auth admin (`Credentials.USERNAME`, `Credentials.PASSWORD`), when `basicAuth` is given. */
  public readonly adminCredentials?: Credentials;
  /** `/metrics` on the Service's `http` port; none with basic auth, which protects `/metrics` too. */
  public readonly scrapeTargets: ScrapeTargetSpec[];
  /** MLflow's request and latency rules and its row on the platform dashboard. */
  public readonly monitoring?: IMonitoringContribution[] = [MLFLOW_MONITORING];
  /** The CA bundle that verifies the server, with `tls`. */
  public readonly trustBundle?: TrustBundle;

  constructor(scope: Construct, id: string, props: MlflowTrackingProps) {
    super(scope, id);
    checkProps(this, props, { database: AN_IDATABASE, artifacts: AN_IBUCKET }, {
      image: anImage("'ghcr.io/mlflow/mlflow:v3.17.0-full'"),
      replicas: aWholeNumber(2, 1, 100),
      workers: aWholeNumber(4, 1, 64),
      placement: A_PLACEMENT,
      tls: A_SERVER_TLS,
    });
    const tls = props.tls;
    const staticPrefix = props.staticPrefix;
    if (staticPrefix !== undefined && !/^\/[^\s]*[^/\s]$/.test(staticPrefix)) {
      throw new MlopsValidationError(this, `staticPrefix '${staticPrefix}' is invalid: must start with '/', not end with '/' and hold no spaces (MLflow's --static-prefix rule), e.g. '/mlflow'`);
    }
    const replicas = props.replicas ?? 1;
    const workers = props.workers ?? 2;
    const extraHosts = props.allowedHosts ?? [];
    for (const host of extraHosts) {
      if (!HOST_PATTERN.test(host)) {
        throw new MlopsValidationError(this, `allowedHosts entry '${host}' is invalid: give a host name as clients send it in the Host header (optionally with ':port' or '*' wildcards), without scheme or path, e.g. 'mlflow.example.com'`);
      }
    }
    const corsOrigins = props.corsAllowedOrigins ?? defaultCorsOrigins(extraHosts);
    for (const origin of corsOrigins) {
      if (!ORIGIN_PATTERN.test(origin)) {
        throw new MlopsValidationError(this, `corsAllowedOrigins entry '${origin}' is invalid: give an origin, 'http://' or 'https://' and a host without path, e.g. 'https://mlflow.example.com'`);
      }
    }
    if (props.basicAuth && props.basicAuth.database === props.database) {
      throw new MlopsValidationError(this, "basicAuth.database is invalid: it is the tracking database, and the auth app keeps its own Alembic history; give it a database of its own, e.g. postgres.addDatabase('mlflow_auth')");
    }

    const image = props.image ?? defaultImage(this, DefaultImages.MLFLOW);
    const labels = componentLabels(this, { name: 'mlflow', component: 'tracking', image });
    const jobResources = props.jobResources ?? {
      cpu: { request: kplus.Cpu.millis(50) },
      memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
    };

    this.service = new kplus.Service(this, 'Service', {
      metadata: { labels },
      ports: [{ name: 'http', port: PORT, targetPort: PORT }],
    });
    const namespace = this.service.metadata.namespace ?? Chart.of(this).namespace;
    const hosts = allowedHosts({
      service: this.service.name,
      namespace,
      clusterDomain: props.clusterDomain ?? 'cluster.local',
      port: PORT,
    }, extraHosts);

    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { labels },
      podMetadata: { labels },
      replicas,
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(MLFLOW_USER),
      containers: [{
        name: 'mlflow',
        image,
        imagePullPolicy: imagePullPolicy(image),
        command: withUriFromCommand(BACKEND_STORE_URI, ['mlflow']),
        args: [
          'server', '--host', '0.0.0.0', '--port', `${PORT}`, '--workers', `${workers}`,
          '--serve-artifacts', '--artifacts-destination', props.artifacts.s3Uri(props.artifactsPrefix?.replace(/^\/+|\/+$/g, '')),
          '--allowed-hosts', hosts.join(','),
          ...(corsOrigins.length > 0 ? ['--cors-allowed-origins', corsOrigins.join(',')] : []),
          ...(staticPrefix ? ['--static-prefix', staticPrefix] : []),
          '--expose-prometheus', METRICS_DIR,
          ...(props.basicAuth ? ['--app-name', 'basic-auth'] : []),
          ...(tls ? ['--uvicorn-opts', `--ssl-certfile ${CERT_DIR}/tls.crt --ssl-keyfile ${CERT_DIR}/tls.key`] : []),
        ],
        ports: [{ name: 'http', number: PORT }],
        envVariables: { HOME: kplus.EnvValue.fromValue('/tmp') },
        securityContext: restrictedContainerSecurity(MLFLOW_USER),
        resources: props.resources ?? {
          cpu: { request: kplus.Cpu.millis(100) },
          memory: { request: Size.mebibytes(512), limit: Size.gibibytes(2) },
        },
        readiness: httpGetProbe(`${staticPrefix ?? ''}/health`, PORT, { failureThreshold: 3 }, tls !== undefined),
        liveness: httpGetProbe(`${staticPrefix ?? ''}/health`, PORT, { failureThreshold: 6 }, tls !== undefined),
        // The first start imports MLflow and, with basic auth, migrates the auth database: up to 5 minutes.
        startup: httpGetProbe(`${staticPrefix ?? ''}/health`, PORT, { failureThreshold: 30 }, tls !== undefined),
      }],
    });
    this.service.select(this.deployment);
    this.endpoint = ServiceEndpoint.fromService(this.service, PORT, tls ? 'https' : 'http', tls?.trustBundle);
    this.trackingUri = this.endpoint.url(staticPrefix ?? '');
    this.trustBundle = tls?.trustBundle;

    const server = this.deployment.containers[0];
    const tmp = kplus.Volume.fromEmptyDir(this.deployment, 'Writable-tmp', 'tmp');
    server.mount('/tmp', tmp);
    server.mount(METRICS_DIR, kplus.Volume.fromEmptyDir(this.deployment, 'Writable-metrics', 'metrics'));
    if (tls) {
      const { secret } = addServerCertificate(this, this.service, tls);
      server.mount(CERT_DIR, kplus.Volume.fromSecret(this.deployment, 'Certs', secret, { name: 'certs', defaultMode: 0o440 }), { readOnly: true });
    }
    const bindOptions = backendStoreBinding(props.database);
    props.database.bind(this.deployment, server, bindOptions);
    const s3 = props.artifacts.grantReadWrite(this.deployment);
    server.env.addVariable('MLFLOW_S3_ENDPOINT_URL', kplus.EnvValue.fromValue(props.artifacts.objectStore.endpoint.url()));
    server.env.addVariable('AWS_ACCESS_KEY_ID', s3.envValue(Credentials.USERNAME));
    server.env.addVariable('AWS_SECRET_ACCESS_KEY', s3.envValue(Credentials.PASSWORD));
    server.env.addVariable('AWS_DEFAULT_REGION', kplus.EnvValue.fromValue(props.artifacts.objectStore.region));
    props.artifacts.objectStore.endpoint.trustIn(this.deployment, server);

    const waitForSchema = this.deployment.addInitContainer({
      name: 'wait-for-schema',
      image,
      imagePullPolicy: imagePullPolicy(image),
      command: withUriFromCommand(BACKEND_STORE_URI, ['python', '-c', WAIT_FOR_SCHEMA_SCRIPT]),
      envVariables: { HOME: kplus.EnvValue.fromValue('/tmp') },
      securityContext: restrictedContainerSecurity(MLFLOW_USER),
      resources: jobResources,
    });
    waitForSchema.mount('/tmp', tmp);
    props.database.bind(this.deployment, waitForSchema, bindOptions);

    let auth: BasicAuthWiring | undefined;
    if (props.basicAuth) {
      auth = addBasicAuth(this, this.deployment, props.basicAuth, { image, user: MLFLOW_USER, resources: jobResources, tmp });
      this.adminCredentials = auth.admin;
    }

    this.upgradeJob = this.createUpgradeJob(image, props.database, jobResources);
    if (props.gc) {
      this.gcCronJob = addGarbageCollection(this, props.gc, {
        image, user: MLFLOW_USER, database: props.database, trackingUri: this.trackingUri, admin: auth?.admin, resources: jobResources,
      });
      this.endpoint.trustIn(this.gcCronJob, this.gcCronJob.containers[0]);
      this.allowFrom(this.gcCronJob);
    }

    this.scrapeTargets = props.basicAuth ? [] : [{
      name: 'mlflow',
      discovery: ScrapeDiscovery.SERVICE,
      namespace,
      selector: Object.fromEntries(['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component']
        .map((key) => [key, labels[key]])),
      endpoints: [{
        port: 'http',
        path: '/metrics',
        // Prometheus scrapes the pod's IP, so the certificate is checked against the Service's name.
        ...(tls ? { scheme: 'https', trustBundle: tls.trustBundle, serverName: this.endpoint.host } : {}),
      }],
    }];
    placeWorkloads(this, props.placement);
  }

  /**
   * Hands the tracking server to `container` of `workload`: sets `MLFLOW_TRACKING_URI` (and, with `credentials`, the
   * user and password env vars) and allows the workload's traffic to the server.
   */
  public bind(workload: kplus.INetworkPolicyPeer, container: kplus.Container, options: MlflowBindOptions = {}): void {
    checkProps(this, options, {}, {
      uriEnv: anEnvVarName('MLFLOW_TRACKING_URI'),
      credentials: anInstanceOf(Credentials, "Credentials.fromSecret(kplus.Secret.fromSecretName(this, 'MlflowUser', 'trainer-mlflow'))"),
    }, 'bind: options');
    options = options ?? {};
    this.addNewVariable(container, options.uriEnv ?? 'MLFLOW_TRACKING_URI', kplus.EnvValue.fromValue(this.trackingUri));
    if (options.credentials) {
      this.addNewVariable(container, 'MLFLOW_TRACKING_USERNAME', options.credentials.envValue(Credentials.USERNAME));
      this.addNewVariable(container, 'MLFLOW_TRACKING_PASSWORD', options.credentials.envValue(Credentials.PASSWORD));
    }
    if (workload instanceof kplus.AbstractPod) {
      this.endpoint.trustIn(workload, container);
    }
    this.allowFrom(workload);
  }

  /** Allows `peer` (an Ingress controller, a notebook namespace) to reach the server on port 5000. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.deployment, peer, [PORT]);
  }

  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    this.allowFrom(scraper);
  }

  private createUpgradeJob(image: string, database: IDatabase, resources: kplus.ContainerResources): HashedJob {
    const job = new HashedJob(this, 'Upgrade', {
      metadata: { labels: componentLabels(this, { name: 'mlflow', component: 'tracking-migration', image }) },
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(MLFLOW_USER),
      backoffLimit: 6,
      containers: [{
        name: 'upgrade',
        image,
        imagePullPolicy: imagePullPolicy(image),
        command: withUriFromCommand(BACKEND_STORE_URI, ['python', '-c', UPGRADE_SCRIPT]),
        envVariables: { HOME: kplus.EnvValue.fromValue('/tmp') },
        securityContext: restrictedContainerSecurity(MLFLOW_USER),
        resources,
      }],
    });
    const upgrade = job.containers[0];
    upgrade.mount('/tmp', kplus.Volume.fromEmptyDir(job, 'Writable-tmp', 'tmp'));
    database.bind(job, upgrade, backendStoreBinding(database));
    return job;
  }

  private addNewVariable(container: kplus.Container, name: string, value: kplus.EnvValue): void {
    if (container.env.variables[name] !== undefined) {
      throw new MlopsValidationError(this, `env var '${name}' is invalid: container '${container.name}' already has it; bind each container once, or give another uriEnv`);
    }
    container.env.addVariable(name, value);
  }
}
