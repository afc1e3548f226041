import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NotebookWorkspaceProps, WorkspaceRequests } from './notebook-workspace-props';
import { checkHost } from '../core/address';
import { IBucket } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { addDataVolume } from '../core/data-volume';
import { MlopsValidationError } from '../core/errors';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { dnsLabelProblems } from '../core/names';
import { allowIngress } from '../core/network';
import { httpGetProbe } from '../core/probes';
import { A_SECRET_SOURCE, aClaimSize, aDuration, aWholeNumber } from '../core/prop-kinds';
import { aListOf, AN_IBUCKET, AN_IDATABASE, AN_IKEY_VALUE_STORE, anImage, anImplementationOf, aString, checkProps } from '../core/props-check';
import { cpuMillis, DEFAULT_GPU_RESOURCE, gpuLimits } from '../core/quantities';
import { SecretSource } from '../core/secret-source';
import { SecretValueFormat } from '../core/secret-value-format';
import { ImageUser, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { A_VOLUME_RETENTION } from '../core/volume-retention';
import { A_PLACEMENT, placeWorkloads } from '../core/workload-placement';

const PORT = 8888;
/** `jovyan`, and the `users` group that owns the home, in the Jupyter Docker Stacks. */
const JOVYAN: ImageUser = { user: 1000, group: 100 };
const CULL_INTERVAL_SECONDS = 300;
const PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

/**
 * A JupyterLab workspace for one user or team: a one-pod Deployment with a persistent home, behind a Service on port
 * 8888, served under `/notebooks/<owner>`.
 *
 * ```ts
 * const workspace = new NotebookWorkspace(this, 'Alice', {
 *   owner: 'alice',
 *   tracking: mlflow,
 *   readBuckets: [minio.bucket('datasets')],
 *   sharedVolume: nfs,
 *   ingress: { host: 'mlops.example.com' },
 * });
 * ```
 *
 * - Users log in with the token of `token` (`JUPYTER_TOKEN`); nothing else is open.
 * - The home is a ReadWriteOnce PersistentVolumeClaim, so the Deployment replaces its pod (`Recreate`) rather than
 *   running two; `pip install --user` and conda environments under the home survive restarts.
 * - Pod Security `restricted` with a read-only root filesystem: everything a session writes goes to the home or `/tmp`.
 * - Idle kernels and terminals are culled after `cullIdleAfter`.
 * - A NetworkPolicy selects the pod: only the Ingress controller (with `ingress`) and `allowFrom` peers reach it.
 */
export class NotebookWorkspace extends Construct {
  /** The owner, as given. */
  public readonly owner: string;
  /** The base URL, ending in `/`, e.g. `/notebooks/alice/`. */
  public readonly baseUrl: string;
  /** The Service on port 8888 (`http`). */
  public readonly service: kplus.Service;
  /** The JupyterLab server. */
  public readonly deployment: kplus.Deployment;
  /** The home volume's claim. */
  public readonly homeClaim: kplus.PersistentVolumeClaim;
  /** The token users log in with (`token`). */
  public readonly token: Credentials;
  /** The cpu and memory the container requests, for quota checks. */
  public readonly requests: WorkspaceRequests;

  constructor(scope: Construct, id: string, props: NotebookWorkspaceProps) {
    super(scope, id);
    checkProps(this, props, { owner: aString("'alice'") }, {
      image: anImage("'quay.io/jupyter/pytorch-notebook:cuda12-2026-10-05'"),
      homePath: aString("'/home/jovyan'"),
      homeSize: aClaimSize('Size.gibibytes(10)'),
      token: A_SECRET_SOURCE,
      baseUrl: aString("'/notebooks/alice'"),
      sharedVolume: anImplementationOf('IStorage', ['asVolume'], 'nfs'),
      sharedMountPath: aString("'/shared'"),
      tracking: anImplementationOf('IMlflowTracking', ['trackingUri'], 'mlflow'),
      readBuckets: aListOf(AN_IBUCKET),
      writeBuckets: aListOf(AN_IBUCKET),
      database: AN_IDATABASE,
      keyValueStore: AN_IKEY_VALUE_STORE,
      gpus: aWholeNumber(1, 0, 64),
      gpuResourceName: aString("'nvidia.com/gpu'"),
      cullIdleAfter: aDuration({ example: 'Duration.hours(1)', atLeast: Duration.minutes(1), zero: 'turns culling off' }),
      placement: A_PLACEMENT,
      volumeRetention: A_VOLUME_RETENTION,
    });
    const ownerProblems = dnsLabelProblems(props.owner, 40);
    if (ownerProblems.length > 0) {
      throw new MlopsValidationError(this, `owner '${props.owner}' is invalid: ${ownerProblems.join('; ')}; it names the workspace's objects and `
        + "base URL, so give the user's or team's name as a DNS label, e.g. 'alice'");
    }
    this.owner = props.owner;
    this.baseUrl = `${this.checkedBaseUrl(props.baseUrl ?? `/notebooks/${props.owner}`)}/`;
    const homePath = props.homePath ?? '/home/jovyan';
    const sharedMountPath = props.sharedMountPath ?? '/shared';
    for (const [what, path] of [['homePath', homePath], ['sharedMountPath', sharedMountPath]]) {
      if (!PATH.test(path) || path === '/tmp') {
        throw new MlopsValidationError(this, `${what} '${path}' is invalid: must be an absolute path other than /tmp, of letters, digits, '.', '_', '~' `
          + "and '-' segments, without a trailing '/', e.g. '/home/jovyan'");
      }
    }
    if (props.sharedMountPath !== undefined && !props.sharedVolume) {
      throw new MlopsValidationError(this, 'sharedMountPath is invalid without sharedVolume: there is nothing to mount; give sharedVolume or remove it');
    }
    const runAs = props.imageUser ?? JOVYAN;
    const image = props.image ?? defaultImage(this, DefaultImages.JUPYTER);
    const labels = { ...componentLabels(this, { name: 'jupyterlab', component: 'workspace', image }), 'mlops.cdk8s.io/workspace-owner': props.owner };
    const cullSeconds = (props.cullIdleAfter ?? Duration.hours(1)).toSeconds();
    const gpus = gpuLimits(this, props.gpus ?? 0, props.gpuResourceName ?? DEFAULT_GPU_RESOURCE);
    const resources = props.resources ?? {
      cpu: { request: kplus.Cpu.millis(500) },
      memory: { request: Size.gibibytes(2), limit: Size.gibibytes(8) },
    };
    this.requests = {
      cpuMillis: cpuMillis(resources.cpu?.request),
      memory: resources.memory?.request ?? Size.mebibytes(0),
    };

    this.token = (props.token ?? SecretSource.generated({ format: SecretValueFormat.URL_SAFE_TOKEN })).bind(this, 'Token', { secretValues: ['token'] });
    const home = addDataVolume(this, {
      storageSize: props.homeSize,
      storageClassName: props.homeStorageClassName,
      defaultSize: Size.gibibytes(10),
      labels,
      volumeRetention: props.volumeRetention,
    });
    this.homeClaim = home.claim!;

    const probePath = `${this.baseUrl}api`;
    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { labels },
      podMetadata: { labels },
      replicas: 1,
      strategy: kplus.DeploymentStrategy.recreate(),
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(runAs),
      containers: [{
        name: 'jupyterlab',
        image,
        imagePullPolicy: imagePullPolicy(image),
        command: ['jupyter', 'lab'],
        args: [
          '--ServerApp.ip=0.0.0.0',
          `--ServerApp.port=${PORT}`,
          `--ServerApp.base_url=${this.baseUrl}`,
          `--ServerApp.root_dir=${homePath}`,
          '--ServerApp.open_browser=False',
          // The Ingress controller terminates TLS: Jupyter builds its redirects from X-Forwarded-Proto and -Host.
          '--ServerApp.trust_xheaders=True',
          ...(cullSeconds > 0 ? [
            `--MappingKernelManager.cull_idle_timeout=${cullSeconds}`,
            `--MappingKernelManager.cull_interval=${CULL_INTERVAL_SECONDS}`,
            '--MappingKernelManager.cull_connected=True',
            `--TerminalManager.cull_inactive_timeout=${cullSeconds}`,
            `--TerminalManager.cull_interval=${CULL_INTERVAL_SECONDS}`,
          ] : []),
        ],
        ports: [{ name: 'http', number: PORT }],
        envVariables: {
          JUPYTER_TOKEN: this.token.envValue('token'),
          HOME: kplus.EnvValue.fromValue(homePath),
        },
        securityContext: restrictedContainerSecurity(runAs),
        resources,
        // `<base_url>api` answers without a token (the stacks' own HEALTHCHECK asks it).
        readiness: httpGetProbe(probePath, PORT, { failureThreshold: 3 }),
        liveness: httpGetProbe(probePath, PORT, { failureThreshold: 6 }),
        startup: httpGetProbe(probePath, PORT, { failureThreshold: 30 }),
      }],
    });
    const server = this.deployment.containers[0];
    server.mount(homePath, home.storage);
    server.mount('/tmp', kplus.Volume.fromEmptyDir(this.deployment, 'Writable-tmp', 'tmp'));
    if (props.sharedVolume) {
      server.mount(sharedMountPath, props.sharedVolume);
    }
    if (Object.keys(gpus).length > 0) {
      const [[resourceName, count]] = Object.entries(gpus);
      // The Deployment's L1 renders limits from Quantity objects, so the patch adds one.
      ApiObject.of(this.deployment).addJsonPatch(JsonPatch.add(
        `/spec/template/spec/containers/0/resources/limits/${resourceName.replace('/', '~1')}`, kplus.k8s.Quantity.fromString(count)));
      this.deployment.scheduling.tolerate(kplus.Node.tainted(
        kplus.NodeTaintQuery.exists(resourceName, { effect: kplus.TaintEffect.NO_SCHEDULE })));
    }

    if (props.tracking) {
      server.env.addVariable('MLFLOW_TRACKING_URI', kplus.EnvValue.fromValue(props.tracking.trackingUri));
      const bundle = props.tracking.trustBundle;
      if (bundle) {
        bundle.mountInto(this.deployment, server);
        server.env.addVariable('MLFLOW_TRACKING_SERVER_CERT_PATH', kplus.EnvValue.fromValue(bundle.pemPath));
      }
    }
    this.grantBuckets(server, props.readBuckets ?? [], props.writeBuckets ?? []);
    if (props.database) {
      props.database.bind(this.deployment, server);
      server.env.addVariable('DB_HOST', kplus.EnvValue.fromValue(props.database.endpoint.host));
      server.env.addVariable('DB_PORT', kplus.EnvValue.fromValue(`${props.database.endpoint.port}`));
      server.env.addVariable('DB_NAME', kplus.EnvValue.fromValue(props.database.databaseName));
    }
    props.keyValueStore?.bind(this.deployment, server, { urlEnv: 'REDIS_URL' });

    this.service = new kplus.Service(this, 'Service', {
      metadata: { labels },
      ports: [{ name: 'http', port: PORT, targetPort: PORT }],
    });
    this.service.select(this.deployment);
    new kplus.NetworkPolicy(this, 'DenyIngress', {
      selector: this.deployment,
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    if (props.ingress) {
      this.exposeThroughIngress(props.ingress.host, props.ingress.ingressClassName, props.ingress.tlsSecret);
    }
    placeWorkloads(this, props.placement);
  }

  /** Lets `peer` (an Ingress controller, a proxy) reach JupyterLab on port 8888. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.deployment, peer, [PORT]);
  }

  private exposeThroughIngress(host: string, ingressClassName: string | undefined, tlsSecret: kplus.ISecret | undefined): void {
    checkHost(this, 'ingress host', host, { example: 'mlops.example.com', ipAddress: false });
    new kplus.Ingress(this, 'Ingress', {
      className: ingressClassName,
      rules: [{
        host,
        path: this.baseUrl === '/' ? '/' : this.baseUrl.slice(0, -1),
        pathType: kplus.HttpIngressPathType.PREFIX,
        backend: kplus.IngressBackend.fromService(this.service, { port: PORT }),
      }],
      tls: tlsSecret ? [{ hosts: [host], secret: tlsSecret }] : undefined,
    });
    // An in-cluster controller comes from its namespace; Cilium matches an ipBlock only outside the cluster.
    this.allowFrom(kplus.Namespaces.all(this, 'AllNamespaces'));
    this.allowFrom(kplus.NetworkPolicyIpBlock.anyIpv4(this, 'Anywhere'));
  }

  /** Grants the buckets to the workspace: one store, one key pair, handed over as the AWS SDK's variables. */
  private grantBuckets(server: kplus.Container, readBuckets: IBucket[], writeBuckets: IBucket[]): void {
    const grants: Array<[IBucket, Credentials]> = [
      ...writeBuckets.map((bucket): [IBucket, Credentials] => [bucket, bucket.grantReadWrite(this.deployment)]),
      ...readBuckets.filter((bucket) => !writeBuckets.includes(bucket))
        .map((bucket): [IBucket, Credentials] => [bucket, bucket.grantRead(this.deployment)]),
    ];
    if (grants.length === 0) {
      return;
    }
    const [[first, credentials]] = grants;
    for (const [bucket, other] of grants.slice(1)) {
      if (bucket.objectStore !== first.objectStore || other.secret !== credentials.secret) {
        throw new MlopsValidationError(this, `buckets '${first.bucketName}' and '${bucket.bucketName}' are invalid together: they are `
          + `${bucket.objectStore !== first.objectStore ? 'on different stores' : 'granted with different key pairs'}, and the AWS SDKs read one `
          + 'endpoint and key pair from the environment; give buckets of one store that grant the same user');
      }
    }
    const store = first.objectStore;
    server.env.addVariable('AWS_ACCESS_KEY_ID', credentials.envValue(Credentials.USERNAME));
    server.env.addVariable('AWS_SECRET_ACCESS_KEY', credentials.envValue(Credentials.PASSWORD));
    server.env.addVariable('AWS_ENDPOINT_URL', kplus.EnvValue.fromValue(store.endpoint.url()));
    server.env.addVariable('AWS_DEFAULT_REGION', kplus.EnvValue.fromValue(store.region));
    store.endpoint.trustIn(this.deployment, server);
  }

  private checkedBaseUrl(baseUrl: string): string {
    const trimmed = baseUrl.replace(/\/$/, '');
    if (trimmed !== '' && !PATH.test(trimmed)) {
      throw new MlopsValidationError(this, `baseUrl '${baseUrl}' is invalid: must be '/' or a path of letters, digits, '.', '_', '~' and '-' `
        + "segments starting with '/', e.g. '/notebooks/alice'");
    }
    return trimmed;
  }
}
