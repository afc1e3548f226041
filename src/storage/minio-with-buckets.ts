import { Chart, Names, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MinioBucket, MinioBucketOptions } from './minio-bucket';
import { BucketAccess, bucketPolicyDocument, createMinioUser, grantScript, MinioUser, minioUserName } from './minio-grant';
import { MINIO_MONITORING } from './minio-monitoring';
import { IObjectStore } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { addDataVolume } from '../core/data-volume';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { addGoverningService } from '../core/governing-service';
import { HashedJob } from '../core/hashed-job';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { IMonitoringContribution } from '../core/monitoring';
import { assertDnsLabel } from '../core/names';
import { allowIngress } from '../core/network';
import { httpGetProbe } from '../core/probes';
import { A_SECRET_SOURCE, A_STORAGE_CLASS_NAME, aCertificateDnsName, aClaimSize } from '../core/prop-kinds';
import { aListOf, anImage, aString, checkArgument, checkProps } from '../core/props-check';
import { IScrapeTarget, ScrapeDiscovery, ScrapeTargetSpec } from '../core/scrape-target';
import { SecretSource } from '../core/secret-source';
import { ImageUser, mountWritablePaths, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { addServerCertificate, ServerCertificate, TLS_CERT_KEY, TLS_KEY_KEY } from '../core/server-certificate';
import { A_SERVER_TLS, ServerTls } from '../core/tls';
import { A_VOLUME_RETENTION, VolumeRetention } from '../core/volume-retention';
import { A_PLACEMENT, placeWorkloads, WorkloadPlacement } from '../core/workload-placement';

/** The MinIO images can run as any user; this one owns the data volume (through fsGroup), as in the MinIO Operator. */
const MINIO_USER: ImageUser = { user: 1000, group: 1000 };
const API_PORT = 9000;
const CONSOLE_PORT = 9001;
const DATA_MOUNT = '/data';
/** A sub-directory of the volume, so that the `lost+found` of a fresh ext4 volume is never taken for a bucket. MinIO creates it. */
const DATA_DIR = '/data/minio';
/**
 * MinIO reads `public.crt` and `private.key` here and reloads them when they change. `ca.crt` is not mapped into
 * `CAs/`: an ACME issuer leaves it out of the Secret, and the console verifies the API with the server's own
 * certificate, which MinIO adds to its root CAs.
 */
const CERTS_DIR = '/etc/minio/certs';
/** The label that lets the bucket and grant Jobs through to MinIO. */
const CLIENT_LABEL = 'mlops.cdk8s.io/minio-client';

/**
 * What every `mc` Job runs first: `mc` keeps its configuration in the emptyDir `/tmp/mc` (the root filesystem is
 * read-only and `$HOME` is not writable), and `mc alias set` is retried until MinIO accepts the root credentials,
 * 60 times 5 s apart. The credentials reach `mc` on stdin, from env vars that reference the Secret; a
 * `MC_HOST_<alias>` URL would need them URL-encoded, which an existing Secret may not be.
 */
const CLIENT_PRELUDE = `
set -eu
mc() { command mc --config-dir /tmp/mc "$@"; }
attempt=1
until printf '%s\\n%s\\n' "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" | mc alias set minio "$MINIO_URL" > /dev/null; do
  if [ "$attempt" -ge 60 ]; then
    echo "MinIO at $MINIO_URL did not accept the root credentials in 60 attempts, 5s apart: check its pod and that MINIO_ROOT_USER and MINIO_ROOT_PASSWORD come from the Secret it started with" >&2
    exit 1
  fi
  echo "waiting for MinIO at $MINIO_URL (attempt $attempt of 60)"
  attempt=$((attempt + 1))
  sleep 5
done
`.trim();

/** Properties of a `MinioWithBuckets`. */
export interface MinioWithBucketsProps {
  /**
   * The MinIO server image.
   *
   * @default DefaultImages.MINIO
   */
  readonly image?: string;

  /**
   * The MinIO client image the bucket and grant Jobs run (it must have `/bin/sh`).
   *
   * @default DefaultImages.MINIO_CLIENT
   */
  readonly mcImage?: string;

  /**
   * The root user (`MINIO_ROOT_USER` from `Credentials.USERNAME`) and password (`MINIO_ROOT_PASSWORD` from
   * `Credentials.PASSWORD`). An existing Secret laid out like the MinIO chart's is
   * `SecretSource.fromSecret(secret, { keys: { username: 'rootUser', password: 'rootPassword' } })`; without `keys`
   * the user name is `admin` and the password is read from the key `password`.
   *
   * @default - a Secret generated inside the cluster: user name `admin`, a random password
   */
  readonly rootCredentials?: SecretSource;

  /**
   * The region MinIO reports and signs for (`MINIO_SITE_REGION`); clients must use the same one.
   *
   * @default 'us-east-1'
   */
  readonly region?: string;

  /**
   * The size of the PersistentVolumeClaim that holds the data.
   *
   * @default Size.gibibytes(10)
   */
  readonly storageSize?: Size;

  /**
   * The StorageClass of the PersistentVolumeClaim.
   *
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;

  /**
   * Whether the data volume's claim outlives the app: `VolumeRetention.RETAIN` marks it so that Argo CD keeps it
   * when it leaves the manifests or the Application is deleted; `VolumeRetention.DELETE` lets it go with the rest.
   *
   * @default VolumeRetention.RETAIN
   */
  readonly volumeRetention?: VolumeRetention;

  /**
   * Storage to keep the data on instead of a new PersistentVolumeClaim, e.g. an existing claim's volume. Do not
   * combine it with `storageSize` or `storageClassName`.
   *
   * @default - a new PersistentVolumeClaim of `storageSize`
   */
  readonly storage?: kplus.IStorage;

  /**
   * Compute resources of the MinIO server; give cpu and memory requests and a memory limit.
   *
   * @default - requests cpu 100m and memory 512Mi, limits memory to 2Gi
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Compute resources of the `mc` Jobs; give cpu and memory requests and a memory limit.
   *
   * @default - requests cpu 10m and memory 64Mi, limits memory to 128Mi
   */
  readonly mcResources?: kplus.ContainerResources;

  /**
   * Buckets to create with default options; the same as calling `addBucket(name)` for each.
   *
   * @default - none; add buckets with `addBucket()`
   */
  readonly buckets?: string[];

  /**
   * Where the pods run and what they pull images with (node selector, tolerations, node affinity, topology spread,
   * priority class, image pull secrets), applied to every pod this construct makes.
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;

  /**
   * Serves the S3 API and the console over HTTPS with a certificate cert-manager issues for the Service and
   * rotates; MinIO reloads it from its certs dir. `endpoint` becomes `https://...` with the trust bundle, so every
   * client wired by `grantRead` / `grantReadWrite` verifies it.
   *
   * @default - plain HTTP
   */
  readonly tls?: ServerTls;

  /**
   * More DNS names the certificate is valid for, besides the Service's: a LoadBalancer's or an Ingress host
   * through which other clusters reach the S3 API with TLS passthrough.
   *
   * @default - only the Service's names
   */
  readonly tlsHosts?: string[];
}

interface Grant {
  readonly container: kplus.Container;
  access: BucketAccess;
}

/**
 * A single-node MinIO object store (one StatefulSet replica on a PersistentVolumeClaim) and its buckets, users and
 * policies, created by idempotent hash-named Jobs.
 *
 * The server runs as uid/gid 1000 with a read-only root filesystem, serves the S3 API on port 9000 (`endpoint`) and
 * the console on 9001 (`consoleEndpoint`), and exposes Prometheus metrics without authentication at
 * `/minio/v2/metrics/cluster` on the API port.
 *
 * Images: MinIO stopped publishing community images in October 2025 and deleted `minio/minio` and `minio/mc` from
 * Docker Hub in September 2026. The defaults pin the last community release on quay.io, which has known unpatched
 * CVEs: plan a replacement (a maintained fork or an image of your own) and set `image` and `mcImage`.
 *
 * Network: once a bucket exists, a NetworkPolicy selects the MinIO pod, and only the Jobs, the workloads given to
 * `grantRead` / `grantReadWrite` and the scrapers given to `allowScrapeFrom` (which `FederatedPrometheus.addTargets`
 * calls) reach it. Allow anything else (an Ingress controller for the console) with `statefulSet.connections.allowFrom(...)`.
 */
export class MinioWithBuckets extends Construct implements IObjectStore, IScrapeTarget {
  /** The S3 API, `http://<service>:9000` (`https://` with `tls`). */
  public readonly endpoint: ServiceEndpoint;
  /** The web console, `http://<service>:9001` (`https://` with `tls`). */
  public readonly consoleEndpoint: ServiceEndpoint;
  /** The region MinIO signs for (`MINIO_SITE_REGION`). */
  public readonly region: string;
  /** Always true: this MinIO has no wildcard DNS for virtual-host-style bucket names. */
  public readonly pathStyle: boolean = true;
  /** The Service in front of the API and the console. */
  public readonly service: kplus.Service;
  /** The MinIO server. */
  public readonly statefulSet: kplus.StatefulSet;
  /** The root user; workloads should get their own users through `grantRead` / `grantReadWrite` instead. */
  public readonly rootCredentials: Credentials;
  /** MinIO's capacity and S3 traffic rules, its `MinioCapacityLow` alert and its row on the platform dashboard. */
  public readonly monitoring?: IMonitoringContribution[] = [MINIO_MONITORING];

  private readonly placement?: WorkloadPlacement;
  private readonly certificate?: ServerCertificate;
  private readonly mcImage: string;
  private readonly mcResources: kplus.ContainerResources;
  private readonly bucketsByName = new Map<string, MinioBucket>();
  private readonly users = new Map<string, MinioUser>();
  private readonly grants = new Map<string, Grant>();

  constructor(scope: Construct, id: string, props: MinioWithBucketsProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      storageSize: aClaimSize('Size.gibibytes(10)'),
      storageClassName: A_STORAGE_CLASS_NAME,
      volumeRetention: A_VOLUME_RETENTION,
      image: anImage('DefaultImages.MINIO'),
      mcImage: anImage('DefaultImages.MINIO_CLIENT'),
      rootCredentials: A_SECRET_SOURCE,
      buckets: aListOf(aString("'models'")),
      placement: A_PLACEMENT,
      tls: A_SERVER_TLS,
      tlsHosts: aListOf(aCertificateDnsName('minio.example.com')),
    });
    if (props.tlsHosts !== undefined && !props.tls) {
      throw new MlopsValidationError(this, 'tlsHosts is invalid without tls: they are names of the server certificate, which only tls creates; '
        + 'give tls (e.g. platformTls.serverTls) or remove tlsHosts');
    }
    const https = props.tls !== undefined;
    this.region = props.region ?? 'us-east-1';
    assertDnsLabel(this, 'region', this.region);
    this.mcImage = props.mcImage ?? defaultImage(this, DefaultImages.MINIO_CLIENT);
    this.mcResources = props.mcResources ?? {
      cpu: { request: kplus.Cpu.millis(10) },
      memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
    };

    this.rootCredentials = (props.rootCredentials ?? SecretSource.generated()).bind(this, 'RootCredentials', {
      secretValues: [Credentials.PASSWORD],
      values: { [Credentials.USERNAME]: 'admin' },
    });

    const image = props.image ?? defaultImage(this, DefaultImages.MINIO);
    const labels = componentLabels(this, { name: 'minio', component: 'object-store', image });
    const ports = [
      { name: 'api', port: API_PORT, targetPort: API_PORT },
      { name: 'console', port: CONSOLE_PORT, targetPort: CONSOLE_PORT },
    ];
    this.service = new kplus.Service(this, 'Service', { metadata: { labels }, ports });
    const scheme = https ? 'https' : 'http';
    this.endpoint = ServiceEndpoint.fromService(this.service, API_PORT, scheme, props.tls?.trustBundle);
    this.consoleEndpoint = ServiceEndpoint.fromService(this.service, CONSOLE_PORT, scheme, props.tls?.trustBundle);
    this.statefulSet = new kplus.StatefulSet(this, 'Resource', {
      metadata: { labels },
      podMetadata: { labels },
      service: addGoverningService(this, labels, ports),
      replicas: 1,
      securityContext: restrictedPodSecurity(MINIO_USER),
      containers: [{
        name: 'minio',
        image,
        imagePullPolicy: imagePullPolicy(image),
        command: ['minio'],
        // The certs dir defaults to $HOME/.minio/certs, which is not writable here.
        args: ['server', DATA_DIR, '--address', `:${API_PORT}`, '--console-address', `:${CONSOLE_PORT}`, '--certs-dir', https ? CERTS_DIR : '/tmp/certs'],
        ports: [
          { name: 'api', number: API_PORT },
          { name: 'console', number: CONSOLE_PORT },
        ],
        envVariables: {
          MINIO_ROOT_USER: this.rootCredentials.envValue(Credentials.USERNAME),
          MINIO_ROOT_PASSWORD: this.rootCredentials.envValue(Credentials.PASSWORD),
          MINIO_SITE_REGION: kplus.EnvValue.fromValue(this.region),
          MINIO_PROMETHEUS_AUTH_TYPE: kplus.EnvValue.fromValue('public'),
          // The console calls the API by this URL, whose name the certificate holds (it has no IP SAN).
          ...(https ? { MINIO_SERVER_URL: kplus.EnvValue.fromValue(this.endpoint.url()) } : {}),
        },
        startup: httpGetProbe('/minio/health/live', API_PORT, { failureThreshold: 60, periodSeconds: 5 }, https),
        liveness: httpGetProbe('/minio/health/live', API_PORT, { failureThreshold: 6 }, https),
        readiness: httpGetProbe('/minio/health/ready', API_PORT, { failureThreshold: 3 }, https),
        resources: props.resources ?? {
          cpu: { request: kplus.Cpu.millis(100) },
          memory: { request: Size.mebibytes(512), limit: Size.gibibytes(2) },
        },
        securityContext: restrictedContainerSecurity(MINIO_USER),
      }],
    });
    this.service.select(this.statefulSet);
    const server = this.statefulSet.containers[0];
    server.mount(DATA_MOUNT, addDataVolume(this, {
      storage: props.storage,
      storageSize: props.storageSize,
      storageClassName: props.storageClassName,
      volumeRetention: props.volumeRetention,
      defaultSize: Size.gibibytes(10),
      labels,
    }).storage);
    mountWritablePaths(this.statefulSet, server, { tmp: '/tmp' });
    if (props.tls) {
      this.certificate = addServerCertificate(this, this.service, props.tls, props.tlsHosts);
      server.mount(CERTS_DIR, kplus.Volume.fromSecret(this.statefulSet, 'Certs', this.certificate.secret, {
        name: 'certs',
        defaultMode: 0o440,
        items: {
          [TLS_CERT_KEY]: { path: 'public.crt' },
          [TLS_KEY_KEY]: { path: 'private.key' },
        },
      }), { readOnly: true });
    }

    this.placement = props.placement;
    placeWorkloads(this, this.placement);
    for (const name of props.buckets ?? []) {
      this.addBucket(name);
    }
  }

  /**
   * Adds DNS names to the server certificate, e.g. the LoadBalancer's name through which other clusters reach the S3
   * API (TLS passes through to MinIO). Needs `tls`.
   */
  public addTlsHosts(...hosts: string[]): void {
    if (!this.certificate) {
      throw new MlopsValidationError(this, `addTlsHosts(${hosts.map((h) => `'${h}'`).join(', ')}): MinIO serves plain HTTP (no tls), so there is no certificate to name them; give tls`);
    }
    this.certificate.addHosts(hosts);
  }

  /** The buckets added so far, in the order they were added. */
  public get buckets(): MinioBucket[] {
    return [...this.bucketsByName.values()];
  }

  /**
   * Adds a bucket, created by its own hash-named Job once MinIO answers. The name must follow the S3 bucket naming
   * rules, and each bucket can be added once.
   */
  public addBucket(name: string, options: MinioBucketOptions = {}): MinioBucket {
    checkArgument(this, 'addBucket: name', name, aString("'models'"));
    if (this.bucketsByName.has(name)) {
      throw new MlopsValidationError(this, `bucket '${name}' is invalid: it was added already; add each bucket once and find it with bucket('${name}')`);
    }
    const bucket = MinioBucket._create(this, name, options);
    this.bucketsByName.set(name, bucket);
    return bucket;
  }

  /**
   * The cluster metrics at `/minio/v2/metrics/cluster` on the Service's `api` port (public: `MINIO_PROMETHEUS_AUTH_TYPE`
   * is `public`), named after the construct path, e.g. `mlops-minio`.
   */
  public get scrapeTargets(): ScrapeTargetSpec[] {
    const label = (key: string) => this.service.metadata.getLabel(key)!;
    return [{
      name: Names.toDnsLabel(this, { includeHash: false }),
      discovery: ScrapeDiscovery.SERVICE,
      namespace: this.service.metadata.namespace ?? Chart.of(this).namespace,
      selector: {
        'app.kubernetes.io/name': label('app.kubernetes.io/name'),
        'app.kubernetes.io/instance': label('app.kubernetes.io/instance'),
        'app.kubernetes.io/component': label('app.kubernetes.io/component'),
      },
      endpoints: [{
        port: 'api',
        path: '/minio/v2/metrics/cluster',
        // Prometheus scrapes the pod's IP, so the certificate is checked against the Service's name.
        ...(this.endpoint.tls ? { scheme: 'https', trustBundle: this.endpoint.trustBundle, serverName: this.endpoint.host } : {}),
      }],
    }];
  }

  /** Lets `scraper` reach the API port, where the metrics are. */
  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.statefulSet, scraper, [API_PORT]);
  }

  /** The bucket `name`, added with `addBucket()` or the `buckets` prop. */
  public bucket(name: string): MinioBucket {
    const bucket = this.bucketsByName.get(name);
    if (!bucket) {
      const known = this.buckets.map((b) => b.bucketName).join(', ') || 'none';
      throw new MlopsValidationError(this, `bucket '${name}' is invalid: no such bucket (added: ${known}); add it with addBucket('${name}')`);
    }
    return bucket;
  }

  /**
   * A Job under `scope` that runs `script` with `mc` after the wait-for-MinIO prelude, with the alias `minio` set to
   * the root user, and is let through to MinIO.
   *
   * @internal
   */
  public _clientJob(scope: Construct, id: string, script: string, env: Record<string, kplus.EnvValue>): HashedJob {
    const labels = componentLabels(this, { name: 'minio', component: 'object-store-setup' });
    const clientLabel = Names.toLabelValue(this);
    const job = new HashedJob(scope, id, {
      metadata: { labels },
      podMetadata: { labels: { ...labels, [CLIENT_LABEL]: clientLabel } },
      securityContext: restrictedPodSecurity(MINIO_USER),
      backoffLimit: 6,
      containers: [{
        name: 'mc',
        image: this.mcImage,
        imagePullPolicy: imagePullPolicy(this.mcImage),
        command: ['/bin/sh', '-c', `${CLIENT_PRELUDE}\n${script}`],
        envVariables: {
          MINIO_URL: kplus.EnvValue.fromValue(this.endpoint.url()),
          MINIO_ROOT_USER: this.rootCredentials.envValue(Credentials.USERNAME),
          MINIO_ROOT_PASSWORD: this.rootCredentials.envValue(Credentials.PASSWORD),
          ...env,
        },
        securityContext: restrictedContainerSecurity(MINIO_USER),
        resources: this.mcResources,
      }],
    });
    mountWritablePaths(job, job.containers[0], { tmp: '/tmp' });
    this.endpoint.trustIn(job, job.containers[0]);
    this.placement?.applyTo(job);
    const clients = this.node.tryFindChild('Clients') as kplus.Pods | undefined
      ?? kplus.Pods.select(this, 'Clients', { labels: { [CLIENT_LABEL]: clientLabel } });
    allowIngress(this, this.statefulSet, clients, [API_PORT]);
    return job;
  }

  /**
   * Gives `grantee` its MinIO user, a policy on `bucket` of at least `access`, and network access.
   *
   * One user per grantee: its credentials are the same for every bucket. One policy and one Job per (bucket, user):
   * a wider grant replaces the policy in that Job (so it gets a new name and runs again); a narrower one changes
   * nothing. The user's credentials come from `userCredentials`, an existing Secret, or else are generated.
   *
   * @internal
   */
  public _grant(bucket: MinioBucket, grantee: kplus.INetworkPolicyPeer, access: BucketAccess, userCredentials?: SecretSource): Credentials {
    this.assertSameNamespace(grantee);
    const user = this.userFor(grantee, userCredentials);
    const key = `${bucket.bucketName}/${user.userName}`;
    const policy = kplus.EnvValue.fromValue(JSON.stringify(bucketPolicyDocument(bucket.bucketName, access)));
    const grant = this.grants.get(key);
    if (!grant) {
      const policyName = `${user.userName}-${bucket.bucketName}`;
      const job = this._clientJob(bucket, `Grant-${user.userName}`, grantScript(policyName, bucket.bucketName), {
        USER_ACCESS_KEY: user.credentials.envValue(Credentials.USERNAME),
        USER_SECRET_KEY: user.credentials.envValue(Credentials.PASSWORD),
        POLICY: policy,
      });
      this.grants.set(key, { container: job.containers[0], access });
    } else if (access.level > grant.access.level) {
      grant.container.env.addVariable('POLICY', policy);
      grant.access = access;
    }
    allowIngress(this, this.statefulSet, grantee, [API_PORT]);
    return user.credentials;
  }

  private userFor(grantee: kplus.INetworkPolicyPeer, source: SecretSource | undefined): MinioUser {
    const userName = minioUserName(grantee);
    let user = this.users.get(userName);
    if (!user) {
      user = createMinioUser(this, grantee, source);
      this.users.set(userName, user);
    } else if (user.source !== source) {
      const what = (s?: SecretSource) => s ? 'credentials from withUserCredentials()' : 'generated credentials';
      throw new MlopsValidationError(this, `grantee '${grantee.node.path}' is invalid: an earlier grant gave its MinIO user `
        + `${what(user.source)}, and this one gives it ${source && user.source ? 'credentials from another SecretSource' : what(source)}; `
        + 'a grantee has one user, so give every grant to it the same withUserCredentials(...) source, or none');
    }
    return user;
  }

  /** A pod can only read a Secret of its own namespace, and the user's Secret is in MinIO's. */
  private assertSameNamespace(grantee: kplus.INetworkPolicyPeer): void {
    if (!(grantee instanceof kplus.Resource)) {
      return;
    }
    const theirs = grantee.metadata.namespace ?? Chart.of(grantee).namespace;
    const ours = Chart.of(this).namespace;
    if (theirs && ours && theirs !== ours) {
      throw new MlopsValidationError(this, `grantee '${grantee.node.path}' is invalid: it is in namespace '${theirs}' and `
        + `MinIO's user Secrets are in '${ours}', which its pods cannot read; put it in '${ours}', or import the bucket `
        + `in '${theirs}' with MinioBucket.fromBucketAttributes() and credentials from a Secret there`);
    }
  }
}
