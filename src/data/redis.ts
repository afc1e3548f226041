import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DATABASE_MONITORING } from './database-monitoring';
import { ExternalRedis } from './external-redis';
import { addMetricsExporter } from './metrics-exporter';
import { RedisAttributes } from './redis-attributes';
import { Credentials } from '../core/credentials';
import { addDataVolume } from '../core/data-volume';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { addGoverningService } from '../core/governing-service';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { bindKeyValueStore, IKeyValueStore, KeyValueStoreBinding, KeyValueStoreBindOptions } from '../core/key-value-store';
import { componentLabels } from '../core/labels';
import { IMonitoringContribution } from '../core/monitoring';
import { allowIngress } from '../core/network';
import { A_SECRET_SOURCE, A_STORAGE_CLASS_NAME, aClaimSize } from '../core/prop-kinds';
import { A_CONSTRUCT, aBoolean, anImage, checkArgument, checkProps } from '../core/props-check';
import { IScrapeTarget, ScrapeTargetSpec } from '../core/scrape-target';
import { SecretSource } from '../core/secret-source';
import { ImageUser, mountWritablePaths, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { addServerCertificate } from '../core/server-certificate';
import { A_SERVER_TLS, ServerTls } from '../core/tls';
import { A_VOLUME_RETENTION, VolumeRetention } from '../core/volume-retention';
import { A_PLACEMENT, WorkloadPlacement, placeWorkloads } from '../core/workload-placement';

const PORT = 6379;
const EXPORTER_PORT = 9121;
const DATABASES = 16;
const DATA_DIR = '/data';
/** The `redis` user of the Docker official image. */
const REDIS_USER: ImageUser = { user: 999, group: 999 };
const CERT_DIR = '/etc/redis/tls';

/**
 * Starts Redis with the password in a config line on stdin (`redis-server -` reads stdin before the options), so that
 * it is neither in the manifests nor in the process arguments, and nothing is written to disk. The password is
 * written as `\xHH` escapes inside double quotes, which Redis' config parser decodes, so any byte survives.
 */
const START_SCRIPT = `
set -eu
umask 0077
if [ -z "$REDIS_PASSWORD" ]; then
  echo 'REDIS_PASSWORD is empty: refusing to start Redis without a password' >&2
  exit 1
fi
password=$(printf '%s' "$REDIS_PASSWORD" | od -An -v -tx1 | tr -d ' \\n' | sed 's/../\\\\x&/g')
exec redis-server - "$@" <<EOF
requirepass "$password"
EOF
`.trim();

/** Properties of a `Redis`. */
export interface RedisProps {
  /**
   * The Redis image; it must run as uid/gid 999 like the Docker official image.
   *
   * @default DefaultImages.REDIS
   */
  readonly image?: string;

  /**
   * Where the password comes from (`Credentials.PASSWORD`, Secret key `password` unless mapped).
   *
   * @default SecretSource.generated() - a random 32-character password generated inside the cluster
   */
  readonly password?: SecretSource;

  /**
   * Whether the data survives a restart: an append-only file (`appendonly yes`) on a PersistentVolumeClaim.
   *
   * @default false - a cache: the data lives in an emptyDir and is lost with the pod; no AOF, no RDB snapshots
   */
  readonly persistence?: boolean;

  /**
   * The size of the data volume when `persistence` is on; a whole number of gibibytes.
   *
   * @default Size.gibibytes(1)
   */
  readonly storageSize?: Size;

  /**
   * The StorageClass of the data volume when `persistence` is on.
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
   * The Redis container's resources; `cpu` or `memory` left out keeps its default. Keep the memory limit above the
   * data set: Redis holds it all in memory.
   *
   * @default - requests 50m cpu and 64Mi memory, limit 256Mi memory
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Whether a Prometheus exporter (redis_exporter) runs next to the server, as the container `metrics` on port 9121;
   * `FederatedPrometheus.addTargets(redis)` scrapes it.
   *
   * @default false
   */
  readonly metrics?: boolean;

  /**
   * The exporter's image when `metrics` is on.
   *
   * @default DefaultImages.REDIS_EXPORTER
   */
  readonly metricsExporterImage?: string;

  /**
   * Where the pods run and what they pull images with (node selector, tolerations, node affinity, topology spread,
   * priority class, image pull secrets), applied to every pod this construct makes.
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;

  /**
   * Serves TLS only (`tls-port` 6379, `port 0`) with a certificate cert-manager issues for the Service; clients need
   * no certificate of their own (`tls-auth-clients no`). The endpoint's scheme becomes `rediss`, and clients bound with
   * `bind` (and Airflow's Redis connections) verify the server with the trust bundle. Redis reads its certificate at
   * start only: restart it (`kubectl rollout restart`) within the 30 days between renewal and expiry.
   *
   * @default - no TLS
   */
  readonly tls?: ServerTls;
}

/**
 * A single Redis 7.2 server (the last BSD-licensed line) for queues, caches and locks, e.g. a Celery broker: a
 * one-replica StatefulSet (so that two servers never run at once) behind a Service on port 6379 named `redis`,
 * password-protected, passing Pod Security `restricted` with a read-only root filesystem.
 *
 * With `persistence`, the data is an append-only file on a PersistentVolumeClaim. The claim stands alone (it is not a
 * volumeClaimTemplate, which Kubernetes forbids changing), so it can be resized, and persistence can be switched on
 * later with a plain `kubectl apply`.
 *
 * Workloads get the server through `redis.bind(workload, container, { urlEnv: 'CELERY_BROKER_URL' })`, which adds the
 * password env var, the URL env var and the NetworkPolicy rule. The URL carries the password as it is: a password
 * from an existing Secret must not contain URL-reserved characters (the generated ones are letters and digits).
 */
export class Redis extends Construct implements IKeyValueStore, IScrapeTarget {
  /** A Redis server outside this app (no NetworkPolicy is created for it). */
  public static fromRedisAttributes(scope: Construct, id: string, attrs: RedisAttributes): IKeyValueStore {
    checkArgument('Redis.fromRedisAttributes', 'scope', scope, A_CONSTRUCT);
    return new ExternalRedis(scope, id, attrs);
  }

  /** The Service's address, `redis://<service>.<namespace>.svc:6379`. */
  public readonly endpoint: ServiceEndpoint;
  /** The password (`Credentials.PASSWORD`). */
  public readonly credentials: Credentials;
  /** The Service on port 6379, named `redis`. */
  public readonly service: kplus.Service;
  /** The server's StatefulSet (one replica). */
  public readonly statefulSet: kplus.StatefulSet;
  /** The data volume's claim, when `persistence` is on. */
  public readonly claim?: kplus.PersistentVolumeClaim;
  /** The exporter's metrics, when `metrics` is on; else none. */
  public readonly scrapeTargets: ScrapeTargetSpec[];
  /** The rules over the exporter's metrics, the `DatabaseDown` alert and the `Databases` row of the platform dashboard. */
  public readonly monitoring?: IMonitoringContribution[] = [DATABASE_MONITORING];

  constructor(scope: Construct, id: string, props: RedisProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      storageSize: aClaimSize('Size.gibibytes(1)'),
      storageClassName: A_STORAGE_CLASS_NAME,
      volumeRetention: A_VOLUME_RETENTION,
      image: anImage('DefaultImages.REDIS'),
      metricsExporterImage: anImage('DefaultImages.REDIS_EXPORTER'),
      password: A_SECRET_SOURCE,
      persistence: aBoolean(),
      metrics: aBoolean(),
      placement: A_PLACEMENT,
      tls: A_SERVER_TLS,
    });
    const tls = props.tls;
    const persistence = props.persistence ?? false;
    if (!persistence && (props.storageSize !== undefined || props.storageClassName !== undefined)) {
      throw new MlopsValidationError(this, 'storageSize and storageClassName are invalid without persistence: '
        + 'they describe the PersistentVolumeClaim that persistence creates; set persistence: true or leave them out');
    }

    this.credentials = (props.password ?? SecretSource.generated()).bind(this, 'Password', {
      secretValues: [Credentials.PASSWORD],
    });

    const image = props.image ?? defaultImage(this, DefaultImages.REDIS);
    const labels = componentLabels(this, { name: 'redis', component: 'key-value-store', image });
    const ports = [{ name: 'redis', port: PORT, targetPort: PORT }];
    this.service = new kplus.Service(this, 'Service', { metadata: { labels }, ports });
    this.statefulSet = new kplus.StatefulSet(this, 'Resource', {
      metadata: { labels },
      podMetadata: { labels },
      service: addGoverningService(this, labels, ports),
      replicas: 1,
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(REDIS_USER),
    });
    this.service.select(this.statefulSet);
    const options = persistence
      ? ['--appendonly', 'yes']
      : ['--appendonly', 'no', '--save', ''];
    const container = this.statefulSet.addContainer({
      name: 'redis',
      image,
      imagePullPolicy: imagePullPolicy(image),
      command: ['sh', '-c', START_SCRIPT, 'redis-server'],
      args: [
        ...(tls ? ['--port', '0', '--tls-port', String(PORT), '--tls-cert-file', `${CERT_DIR}/tls.crt`, '--tls-key-file', `${CERT_DIR}/tls.key`,
          '--tls-auth-clients', 'no'] : ['--port', String(PORT)]),
        '--dir', DATA_DIR, ...options,
      ],
      ports: [{ name: 'redis', number: PORT }],
      envVariables: {
        REDIS_PASSWORD: this.credentials.envValue(Credentials.PASSWORD),
        // redis-cli reads the password from REDISCLI_AUTH, so the probes need no -a flag.
        REDISCLI_AUTH: kplus.EnvValue.fromValue('$(REDIS_PASSWORD)'),
      },
      securityContext: restrictedContainerSecurity(REDIS_USER),
      resources: {
        cpu: props.resources?.cpu ?? { request: kplus.Cpu.millis(50) },
        memory: props.resources?.memory ?? { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
        ephemeralStorage: props.resources?.ephemeralStorage,
      },
      // redis-cli exits 0 on error replies, so the probes look at the reply itself.
      readiness: kplus.Probe.fromCommand(['sh', '-c', `${redisCli(tls)} ping | grep -qx PONG`], {
        periodSeconds: Duration.seconds(10),
        timeoutSeconds: Duration.seconds(5),
      }),
      // LOADING means alive: a large append-only file takes a while to load.
      liveness: kplus.Probe.fromCommand(['sh', '-c', `${redisCli(tls)} ping | grep -qE '^(PONG|LOADING)'`], {
        initialDelaySeconds: Duration.seconds(10),
        periodSeconds: Duration.seconds(15),
        timeoutSeconds: Duration.seconds(5),
        failureThreshold: 4,
      }),
    });

    if (persistence) {
      const data = addDataVolume(this, {
        storageSize: props.storageSize,
        storageClassName: props.storageClassName,
        volumeRetention: props.volumeRetention,
        defaultSize: Size.gibibytes(1),
        labels,
      });
      this.claim = data.claim;
      container.mount(DATA_DIR, data.storage);
    } else {
      mountWritablePaths(this, container, { data: DATA_DIR });
    }
    if (tls) {
      const { secret } = addServerCertificate(this, this.service, tls);
      container.mount(CERT_DIR, kplus.Volume.fromSecret(this.statefulSet, 'Certs', secret, { name: 'certs', defaultMode: 0o440 }), { readOnly: true });
    }
    this.endpoint = ServiceEndpoint.fromService(this.service, PORT, tls ? 'rediss' : 'redis', tls?.trustBundle);
    this.scrapeTargets = props.metrics ? [addMetricsExporter(this, this.statefulSet, {
      image: props.metricsExporterImage ?? defaultImage(this, DefaultImages.REDIS_EXPORTER),
      runAs: { user: 59000, group: 59000 },
      port: EXPORTER_PORT,
      env: {
        REDIS_ADDR: kplus.EnvValue.fromValue(`${tls ? 'rediss' : 'redis'}://127.0.0.1:${PORT}`),
        REDIS_PASSWORD: this.credentials.envValue(Credentials.PASSWORD),
        // The exporter talks to the server in its own pod, at 127.0.0.1, which the certificate does not name.
        ...(tls ? { REDIS_EXPORTER_SKIP_TLS_VERIFICATION: kplus.EnvValue.fromValue('true') } : {}),
      },
    })] : [];
    placeWorkloads(this, props.placement);
  }

  /** Lets `scraper` reach the exporter's port (nothing when `metrics` is off). */
  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    if (this.scrapeTargets.length > 0) {
      allowIngress(this, this.statefulSet, scraper, [EXPORTER_PORT]);
    }
  }

  /**
   * Hands the server to `container` of `workload`: the password env var (default `REDIS_PASSWORD`), then the URL env
   * var when `urlEnv` is given, and a NetworkPolicy rule that lets `workload` reach port 6379.
   */
  public bind(workload: kplus.INetworkPolicyPeer, container: kplus.Container, options: KeyValueStoreBindOptions = {}): KeyValueStoreBinding {
    const binding = bindKeyValueStore(this, container, options, DATABASES);
    if (workload instanceof kplus.AbstractPod) {
      this.endpoint.trustIn(workload, container);
    }
    allowIngress(this, this.statefulSet, workload, [PORT]);
    return binding;
  }
}

/** `redis-cli` to the server in its own pod; over TLS unverified, as the certificate names the Service, not 127.0.0.1. */
function redisCli(tls: ServerTls | undefined): string {
  return `redis-cli${tls ? ' --tls --insecure' : ''} -h 127.0.0.1 -p ${PORT}`;
}
