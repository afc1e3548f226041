import { createHash } from 'node:crypto';
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ExternalKafka } from './external-kafka';
import { addDataVolume } from '../core/data-volume';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { IEventBus } from '../core/event-bus';
import { addGoverningService } from '../core/governing-service';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { allowIngress } from '../core/network';
import { tcpProbe } from '../core/probes';
import { A_STORAGE_CLASS_NAME, aClaimSize, aDuration } from '../core/prop-kinds';
import { A_CONSTRUCT, anImage, anImplementationOf, anInstanceOf, checkArgument, checkProps } from '../core/props-check';
import { ImageUser, mountWritablePaths, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { A_VOLUME_RETENTION, VolumeRetention } from '../core/volume-retention';
import { placeWorkloads, WorkloadPlacement } from '../core/workload-placement';

const CLIENT_PORT = 9092;
const CONTROLLER_PORT = 9093;
const DATA_DIR = '/var/lib/kafka/data';
/** A folder of the volume rather than its root, which may hold `lost+found`. */
const LOG_DIRS = `${DATA_DIR}/kraft-combined-logs`;
/** `appuser`, the first user the image's Dockerfile adds (apache/kafka `docker/jvm/Dockerfile`). */
const KAFKA_USER: ImageUser = { user: 1000, group: 1000 };
const DEFAULT_MEMORY = Size.gibibytes(1);

/** Properties of a `Kafka`. */
export interface KafkaProps {
  /**
   * The Kafka image: Apache Kafka's own (`apache/kafka`), or one built from it, running as uid/gid 1000.
   *
   * @default DefaultImages.KAFKA
   */
  readonly image?: string;

  /**
   * Storage you bring for the data volume instead of a new PersistentVolumeClaim, e.g. an existing claim's volume.
   *
   * @default - a new ReadWriteOnce claim of `storageSize`
   */
  readonly storage?: kplus.IStorage;

  /**
   * The size of the data volume's claim; a whole number of gibibytes. Topics keep their messages for `logRetention`.
   *
   * @default Size.gibibytes(10)
   */
  readonly storageSize?: Size;

  /**
   * The StorageClass of the data volume's claim.
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
   * The broker's resources. The JVM heap is half the memory limit (`KAFKA_HEAP_OPTS`); the other half is the page
   * cache Kafka reads recent messages from.
   *
   * @default - cpu request 200m; memory request and limit 1Gi
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * How long topics keep their messages (`log.retention.ms`).
   *
   * @default Duration.days(7) - Kafka's default
   */
  readonly logRetention?: Duration;

  /**
   * Where the pod runs and what it pulls images with (node selector, tolerations, node affinity, topology spread,
   * priority class, image pull secrets).
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;
}

/**
 * A single Apache Kafka broker in KRaft mode (its own controller, no ZooKeeper): the event bus of Seldon Core v2
 * pipelines. A one-replica StatefulSet with a persistent data volume, behind a Service on port 9092, passing Pod
 * Security `restricted` with a read-only root filesystem.
 *
 * ```ts
 * const kafka = new Kafka(this, 'Kafka');
 * new SeldonRuntime(this, 'Seldon', { eventBus: kafka });
 * ```
 *
 * - One broker, so every topic has one replica: the internal topics (`__consumer_offsets`, transactions, share
 *   groups) are created with replication factor 1, as Seldon's own single-broker setup does. Losing the volume loses
 *   the messages in flight, not the models.
 * - Plaintext on 9092 without SASL: a NetworkPolicy lets in only the clients given to `allowFrom`. The controller
 *   listens on 127.0.0.1 only.
 * - For a managed or shared Kafka, use `Kafka.fromBootstrapServers(...)` instead.
 */
export class Kafka extends Construct implements IEventBus {
  /** A Kafka outside this app, e.g. `['kafka-0.kafka.example.internal:9092']` (no NetworkPolicy is created for it). */
  public static fromBootstrapServers(scope: Construct, id: string, bootstrapServers: string[]): IEventBus {
    checkArgument('Kafka.fromBootstrapServers', 'scope', scope, A_CONSTRUCT);
    return new ExternalKafka(scope, id, bootstrapServers);
  }

  /** The clients' Service address, `kafka://<service>.<namespace>.svc:9092`. */
  public readonly endpoint: ServiceEndpoint;
  /** `<service>.<namespace>.svc:9092`. */
  public readonly bootstrapServers: string[];
  /** The clients' Service on port 9092, named `kafka`. */
  public readonly service: kplus.Service;
  /** The broker's StatefulSet (one replica). */
  public readonly statefulSet: kplus.StatefulSet;
  /** The data volume's claim, unless `storage` was given. */
  public readonly claim?: kplus.PersistentVolumeClaim;

  constructor(scope: Construct, id: string, props: KafkaProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      image: anImage('DefaultImages.KAFKA'),
      storage: anImplementationOf('IStorage', ['asVolume'], "kplus.Volume.fromPersistentVolumeClaim(this, 'Data', claim)"),
      storageSize: aClaimSize('Size.gibibytes(10)'),
      storageClassName: A_STORAGE_CLASS_NAME,
      volumeRetention: A_VOLUME_RETENTION,
      logRetention: aDuration({ example: 'Duration.days(7)', atLeast: Duration.minutes(1), wholeSeconds: false }),
      placement: anInstanceOf(WorkloadPlacement, "WorkloadPlacement.of({ nodeSelector: { 'node-role.example.com/data': 'true' } })"),
    });
    const memory = props.resources?.memory ?? { request: DEFAULT_MEMORY, limit: DEFAULT_MEMORY };
    if (memory.limit === undefined) {
      throw new MlopsValidationError(this, 'resources.memory.limit is missing: the broker\'s JVM heap is half of it; '
        + 'give a limit, e.g. { request: Size.gibibytes(2), limit: Size.gibibytes(2) }');
    }
    const heapMebibytes = Math.floor(memory.limit.toMebibytes() / 2);
    if (heapMebibytes < 256) {
      throw new MlopsValidationError(this, `resources.memory.limit '${memory.limit.asString()}' is invalid: the broker's JVM heap is half of it `
        + 'and needs at least 256Mi; give at least Size.mebibytes(512), e.g. Size.gibibytes(1)');
    }
    const retention = props.logRetention ?? Duration.days(7);

    const image = props.image ?? defaultImage(this, DefaultImages.KAFKA);
    const labels = componentLabels(this, { name: 'kafka', component: 'event-bus', image });
    const ports = [{ name: 'kafka', port: CLIENT_PORT, targetPort: CLIENT_PORT }];
    this.service = new kplus.Service(this, 'Service', { metadata: { labels }, ports });
    this.endpoint = ServiceEndpoint.fromService(this.service, CLIENT_PORT, 'kafka');
    this.bootstrapServers = [this.endpoint.hostPort];

    this.statefulSet = new kplus.StatefulSet(this, 'Resource', {
      metadata: { labels },
      podMetadata: { labels },
      service: addGoverningService(this, labels, ports),
      replicas: 1,
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(KAFKA_USER),
      terminationGracePeriod: Duration.seconds(60),
    });
    this.service.select(this.statefulSet);
    // Kubernetes adds `<SERVICE>_PORT`-style variables for the namespace's Services, and the image turns every
    // `KAFKA_*` variable into a broker setting: a Service named `kafka` would add `port=tcp://...`.
    ApiObject.of(this.statefulSet).addJsonPatch(JsonPatch.add('/spec/template/spec/enableServiceLinks', false));

    const container = this.statefulSet.addContainer({
      name: 'kafka',
      image,
      imagePullPolicy: imagePullPolicy(image),
      ports: [{ name: 'kafka', number: CLIENT_PORT }],
      // The image's entrypoint (`/etc/kafka/docker/run`) turns `KAFKA_FOO_BAR` into `foo.bar` in server.properties
      // (KIP-975; `KafkaDockerWrapper`), formats the log directory once and starts the broker.
      envVariables: Object.fromEntries(Object.entries({
        CLUSTER_ID: clusterId(this.node.path),
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://:${CLIENT_PORT},CONTROLLER://127.0.0.1:${CONTROLLER_PORT}`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${this.endpoint.hostPort}`,
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        // Static voters: the image formats storage without `--standalone` (KAFKA-21277).
        KAFKA_CONTROLLER_QUORUM_VOTERS: `1@127.0.0.1:${CONTROLLER_PORT}`,
        KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
        KAFKA_LOG_DIRS: LOG_DIRS,
        KAFKA_LOG_RETENTION_MS: String(retention.toMilliseconds()),
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
        KAFKA_NUM_PARTITIONS: '1',
        KAFKA_DEFAULT_REPLICATION_FACTOR: '1',
        KAFKA_MIN_INSYNC_REPLICAS: '1',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_HEAP_OPTS: `-Xms${heapMebibytes}m -Xmx${heapMebibytes}m`,
      }).map(([name, value]) => [name, kplus.EnvValue.fromValue(value)])),
      securityContext: restrictedContainerSecurity(KAFKA_USER),
      resources: {
        cpu: props.resources?.cpu ?? { request: kplus.Cpu.millis(200) },
        memory,
        ephemeralStorage: props.resources?.ephemeralStorage,
      },
      readiness: tcpProbe(CLIENT_PORT, { failureThreshold: 3 }),
      // Loading a large log after an unclean stop takes a while: the broker gets 10 minutes before a restart.
      liveness: tcpProbe(CLIENT_PORT, { failureThreshold: 60 }),
    });
    // The entrypoint writes server.properties and the log4j files into /opt/kafka/config, the broker its own logs
    // into /opt/kafka/logs, the JVM into /tmp.
    mountWritablePaths(this, container, { config: '/opt/kafka/config', logs: '/opt/kafka/logs', tmp: '/tmp' });

    const data = addDataVolume(this, {
      storage: props.storage,
      storageSize: props.storageSize,
      storageClassName: props.storageClassName,
      volumeRetention: props.volumeRetention,
      defaultSize: Size.gibibytes(10),
      labels,
    });
    this.claim = data.claim;
    container.mount(DATA_DIR, data.storage);

    // Nothing reaches the broker but the clients `allowFrom` lets in.
    new kplus.NetworkPolicy(this, 'DenyIngress', {
      selector: this.statefulSet,
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    placeWorkloads(this, props.placement);
  }

  /** Lets `client` reach the broker on port 9092. */
  public allowFrom(client: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.statefulSet, client, [CLIENT_PORT]);
  }
}

/** A KRaft cluster id (a UUID in url-safe base64, 22 characters) derived from the construct path, so re-synthesis keeps it. */
function clusterId(path: string): string {
  return createHash('sha256').update(`kafka-cluster:${path}`).digest().subarray(0, 16).toString('base64url');
}
