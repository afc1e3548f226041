import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { configChecksum } from '../core/config-checksum';
import { addDataVolume } from '../core/data-volume';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { componentLabels, instanceSelector } from '../core/labels';
import { allowIngress } from '../core/network';
import { httpGetProbe } from '../core/probes';
import { A_STORAGE_CLASS_NAME, aClaimSize, aDuration } from '../core/prop-kinds';
import { anImage, checkProps } from '../core/props-check';
import { IScrapeTarget, ScrapeDiscovery, ScrapeTargetSpec } from '../core/scrape-target';
import { ImageUser, mountWritablePaths, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { A_VOLUME_RETENTION, VolumeRetention } from '../core/volume-retention';
import { A_PLACEMENT, placeWorkloads, WorkloadPlacement } from '../core/workload-placement';

const HTTP_PORT = 3100;
const DATA_DIR = '/loki';
const CONFIG_DIR = '/etc/loki';
/** The image's `loki` user (cmd/loki/Dockerfile: `adduser --uid 10001 --gid 10001`, `USER 10001`). */
const LOKI_USER: ImageUser = { user: 10001, group: 10001 };

/** Properties of a `LokiLogStore`. */
export interface LokiLogStoreProps {
  /**
   * How long logs are kept (`limits_config.retention_period`); the compactor deletes older chunks for good.
   *
   * @default Duration.days(14)
   */
  readonly retention?: Duration;

  /**
   * The size of the PersistentVolumeClaim that holds chunks and the index.
   *
   * @default Size.gibibytes(20)
   */
  readonly storageSize?: Size;

  /**
   * The StorageClass of the claim.
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
   * The Loki image.
   *
   * @default DefaultImages.LOKI
   */
  readonly image?: string;

  /**
   * The container's cpu and memory.
   *
   * @default - cpu request 100m; memory request 256Mi, limit 1Gi
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Where the pods run and what they pull images with, applied to every pod this construct makes.
   *
   * @default - no constraints
   */
  readonly placement?: WorkloadPlacement;
}

/**
 * A single-binary Loki 3 that keeps logs on a PersistentVolumeClaim (TSDB index, filesystem chunks) and deletes them
 * after `retention` for real: the compactor runs with `retention_enabled` and a `delete_request_store`, and
 * `limits_config.retention_period` sets the period (without the compactor, Loki keeps everything). It takes logs over
 * OTLP at `/otlp` (the `NodeLogShipper`) and Loki's push API, and Grafana reads it as a `loki` data source.
 */
export class LokiLogStore extends Construct implements IScrapeTarget {
  /** `http://<service>.<namespace>.svc:3100`: the push and query API, and Grafana's data source URL. */
  public readonly endpoint: ServiceEndpoint;
  /** The Service, port 3100 `http`. */
  public readonly service: kplus.Service;
  /** The Loki Deployment (one replica: the filesystem store is not shared). */
  public readonly deployment: kplus.Deployment;
  /** The configuration, as mounted. */
  public readonly config: string;
  /** Loki's own metrics at `/metrics`. */
  public readonly scrapeTargets: ScrapeTargetSpec[];

  constructor(scope: Construct, id: string, props: LokiLogStoreProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      retention: aDuration({ example: 'Duration.days(14)', atLeast: Duration.days(1) }),
      storageSize: aClaimSize('Size.gibibytes(20)'),
      storageClassName: A_STORAGE_CLASS_NAME,
      image: anImage('DefaultImages.LOKI'),
      placement: A_PLACEMENT,
      volumeRetention: A_VOLUME_RETENTION,
    });
    const retention = props.retention ?? Duration.days(14);
    // The compactor applies retention per index period (24h).
    if (retention.toMilliseconds() % 3_600_000 !== 0) {
      throw new MlopsValidationError(this, `retention ${retention.toHours({ integral: false })}h is invalid: Loki keeps its index in 24h periods, `
        + 'so give whole hours, e.g. Duration.days(14)');
    }
    const image = props.image ?? defaultImage(this, DefaultImages.LOKI);
    const labels = componentLabels(this, { name: 'loki', component: 'log-store', image });
    this.config = lokiConfig(retention);
    const files = { 'config.yaml': this.config };
    const configMap = new kplus.ConfigMap(this, 'Config', { metadata: { labels }, data: files });

    this.service = new kplus.Service(this, 'Service', {
      metadata: { labels },
      ports: [{ name: 'http', port: HTTP_PORT, targetPort: HTTP_PORT }],
    });
    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { labels },
      podMetadata: {
        labels,
        annotations: configChecksum(files),
      },
      replicas: 1,
      strategy: kplus.DeploymentStrategy.recreate(),
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(LOKI_USER),
    });
    this.service.select(this.deployment);
    const container = this.deployment.addContainer({
      name: 'loki',
      image,
      imagePullPolicy: imagePullPolicy(image),
      args: [`-config.file=${CONFIG_DIR}/config.yaml`],
      ports: [{ name: 'http', number: HTTP_PORT }],
      securityContext: restrictedContainerSecurity(LOKI_USER),
      resources: props.resources ?? {
        cpu: { request: kplus.Cpu.millis(100) },
        memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
      },
      readiness: httpGetProbe('/ready', HTTP_PORT, { failureThreshold: 3 }),
      liveness: httpGetProbe('/ready', HTTP_PORT, { failureThreshold: 12 }),
    });
    container.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap), { readOnly: true });
    const data = addDataVolume(this, {
      storageSize: props.storageSize,
      storageClassName: props.storageClassName,
      defaultSize: Size.gibibytes(20),
      labels,
      volumeRetention: props.volumeRetention,
    });
    container.mount(DATA_DIR, data.storage);
    mountWritablePaths(this, container, { tmp: '/tmp' });
    this.endpoint = ServiceEndpoint.fromService(this.service, HTTP_PORT);
    this.scrapeTargets = [{
      name: 'loki',
      discovery: ScrapeDiscovery.SERVICE,
      selector: instanceSelector(labels),
      endpoints: [{ port: 'http', path: '/metrics' }],
    }];
    placeWorkloads(this, props.placement);
  }

  /** Lets `peer` push and query (3100): the log shipper, Grafana. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.deployment, peer, [HTTP_PORT]);
  }

  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    this.allowFrom(scraper);
  }
}

/** Loki 3.7's single-binary configuration with retention that deletes (docs: operations/storage/retention). */
function lokiConfig(retention: Duration): string {
  return stringify({
    auth_enabled: false,
    server: { http_listen_port: HTTP_PORT, grpc_listen_port: 9096 },
    common: {
      instance_addr: '127.0.0.1',
      path_prefix: DATA_DIR,
      storage: { filesystem: { chunks_directory: `${DATA_DIR}/chunks`, rules_directory: `${DATA_DIR}/rules` } },
      replication_factor: 1,
      ring: { kvstore: { store: 'inmemory' } },
    },
    schema_config: {
      configs: [{ from: '2024-01-01', store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } }],
    },
    compactor: {
      working_directory: `${DATA_DIR}/compactor`,
      compaction_interval: '10m',
      retention_enabled: true,
      retention_delete_delay: '2h',
      delete_request_store: 'filesystem',
    },
    limits_config: { retention_period: `${retention.toHours()}h`, allow_structured_metadata: true },
    analytics: { reporting_enabled: false },
  });
}
