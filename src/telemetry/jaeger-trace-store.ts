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
import { anImage, aString, checkProps } from '../core/props-check';
import { IScrapeTarget, ScrapeDiscovery, ScrapeTargetSpec } from '../core/scrape-target';
import { ImageUser, mountWritablePaths, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { A_VOLUME_RETENTION, VolumeRetention } from '../core/volume-retention';
import { A_PLACEMENT, placeWorkloads, WorkloadPlacement } from '../core/workload-placement';

const QUERY_PORT = 16686;
const OTLP_GRPC_PORT = 4317;
const METRICS_PORT = 8888;
const DATA_DIR = '/badger';
const CONFIG_DIR = '/etc/jaeger';
/** The image's user (`USER_UID=10001` in cmd/jaeger/Dockerfile). */
const JAEGER_USER: ImageUser = { user: 10001, group: 10001 };

/** Properties of a `JaegerTraceStore`. */
export interface JaegerTraceStoreProps {
  /**
   * How long spans are kept (Badger's `ttl.spans`); Badger deletes older ones itself.
   *
   * @default Duration.days(7)
   */
  readonly retention?: Duration;

  /**
   * The size of the Badger PersistentVolumeClaim.
   *
   * @default Size.gibibytes(10)
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
   * The path prefix of the UI and its API (`jaeger_query.base_path`), for a proxy that serves it under a path, e.g.
   * `/jaeger`.
   *
   * @default - served at `/`
   */
  readonly basePath?: string;

  /**
   * The Jaeger v2 image.
   *
   * @default DefaultImages.JAEGER
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
 * A Jaeger v2 trace store: one Jaeger process (an OpenTelemetry Collector distribution) that takes OTLP over gRPC on
 * 4317, keeps spans in Badger on a PersistentVolumeClaim for `retention`, and serves the Jaeger UI and query API on
 * 16686, which Grafana's `jaeger` data source reads. Chosen over Tempo because it needs no object store, no
 * metrics-generator and no second process to be useful, and it brings its own UI.
 *
 * ```ts
 * const traces = new JaegerTraceStore(this, 'Traces', { retention: Duration.days(3) });
 * new OtelCollector(this, 'Collector', { traceStore: traces });
 * ```
 *
 * One replica (Badger is a single-writer embedded store), replaced, not rolled, on a change.
 */
export class JaegerTraceStore extends Construct implements IScrapeTarget {
  /** OTLP over gRPC, where the collector exports spans. */
  public readonly otlpGrpcEndpoint: ServiceEndpoint;
  /** The query API and UI, with the base path: what Grafana's `jaeger` data source reads. */
  public readonly queryUrl: string;
  /** The path prefix of the UI: '' or e.g. '/jaeger'. */
  public readonly basePath: string;
  /** The Service: `query` 16686, `otlp-grpc` 4317, `metrics` 8888. */
  public readonly service: kplus.Service;
  /** The Jaeger Deployment. */
  public readonly deployment: kplus.Deployment;
  /** Jaeger's own metrics (Badger's included). */
  public readonly scrapeTargets: ScrapeTargetSpec[];

  constructor(scope: Construct, id: string, props: JaegerTraceStoreProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      retention: aDuration({ example: 'Duration.days(7)', atLeast: Duration.hours(1) }),
      storageSize: aClaimSize('Size.gibibytes(10)'),
      storageClassName: A_STORAGE_CLASS_NAME,
      basePath: aString("'/jaeger'"),
      image: anImage('DefaultImages.JAEGER'),
      placement: A_PLACEMENT,
      volumeRetention: A_VOLUME_RETENTION,
    });
    const retention = props.retention ?? Duration.days(7);
    if (retention.toMilliseconds() % 3_600_000 !== 0) {
      throw new MlopsValidationError(this, `retention ${retention.toHours({ integral: false })}h is invalid: give whole hours, e.g. Duration.days(7)`);
    }
    const basePath = props.basePath ?? '';
    if (props.basePath !== undefined && !/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)) {
      throw new MlopsValidationError(this, `basePath '${basePath}' is invalid: must start with '/', not end with one, and hold only letters, digits, `
        + "'.', '_', '~' or '-' between; e.g. '/jaeger'");
    }
    this.basePath = basePath;
    const image = props.image ?? defaultImage(this, DefaultImages.JAEGER);
    const labels = componentLabels(this, { name: 'jaeger', component: 'trace-store', image });
    const files = { 'config.yaml': jaegerConfig(retention, basePath) };
    const configMap = new kplus.ConfigMap(this, 'Config', { metadata: { labels }, data: files });

    this.service = new kplus.Service(this, 'Service', {
      metadata: { labels },
      ports: [
        { name: 'query', port: QUERY_PORT, targetPort: QUERY_PORT },
        { name: 'otlp-grpc', port: OTLP_GRPC_PORT, targetPort: OTLP_GRPC_PORT },
        { name: 'metrics', port: METRICS_PORT, targetPort: METRICS_PORT },
      ],
    });
    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { labels },
      podMetadata: {
        labels,
        annotations: configChecksum(files),
      },
      replicas: 1,
      // Badger takes a lock on its directory: the old pod must be gone before the new one opens it.
      strategy: kplus.DeploymentStrategy.recreate(),
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(JAEGER_USER),
    });
    this.service.select(this.deployment);
    const container = this.deployment.addContainer({
      name: 'jaeger',
      image,
      imagePullPolicy: imagePullPolicy(image),
      args: [`--config=${CONFIG_DIR}/config.yaml`],
      ports: [
        { name: 'query', number: QUERY_PORT },
        { name: 'otlp-grpc', number: OTLP_GRPC_PORT },
        { name: 'metrics', number: METRICS_PORT },
      ],
      securityContext: restrictedContainerSecurity(JAEGER_USER),
      resources: props.resources ?? {
        cpu: { request: kplus.Cpu.millis(100) },
        memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
      },
      readiness: httpGetProbe(`${basePath}/`, QUERY_PORT, { failureThreshold: 3 }),
      liveness: httpGetProbe(`${basePath}/`, QUERY_PORT, { failureThreshold: 6 }),
    });
    container.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap), { readOnly: true });
    const data = addDataVolume(this, {
      storageSize: props.storageSize,
      storageClassName: props.storageClassName,
      defaultSize: Size.gibibytes(10),
      labels,
      volumeRetention: props.volumeRetention,
    });
    container.mount(DATA_DIR, data.storage);
    mountWritablePaths(this, container, { tmp: '/tmp' });

    this.otlpGrpcEndpoint = ServiceEndpoint.fromService(this.service, OTLP_GRPC_PORT);
    this.queryUrl = ServiceEndpoint.fromService(this.service, QUERY_PORT).url(basePath);
    this.scrapeTargets = [{
      name: 'jaeger',
      discovery: ScrapeDiscovery.SERVICE,
      selector: instanceSelector(labels),
      endpoints: [{ port: 'metrics', path: '/metrics' }],
    }];
    placeWorkloads(this, props.placement);
  }

  /** Lets `peer` send spans over OTLP gRPC (4317): the collector. */
  public allowSpansFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.deployment, peer, [OTLP_GRPC_PORT]);
  }

  /** Lets `peer` use the UI and query API (16686): Grafana, an Ingress controller. */
  public allowQueryFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.deployment, peer, [QUERY_PORT]);
  }

  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.deployment, scraper, [METRICS_PORT]);
  }
}

/**
 * Jaeger v2's configuration (v2.20 keys): OTLP gRPC in, batched into the Badger backend, the query extension on it,
 * metrics on 8888. Listeners default to localhost in the collector, so each is bound to all addresses.
 */
function jaegerConfig(retention: Duration, basePath: string): string {
  return stringify({
    service: {
      extensions: ['jaeger_storage', 'jaeger_query'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      telemetry: {
        resource: { 'service.name': 'jaeger' },
        metrics: { level: 'detailed', readers: [{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: METRICS_PORT } } } }] },
        logs: { level: 'info' },
      },
    },
    extensions: {
      jaeger_query: {
        storage: { traces: 'badger_store' },
        ...(basePath ? { base_path: basePath } : {}),
        http: { endpoint: `0.0.0.0:${QUERY_PORT}` },
      },
      jaeger_storage: {
        backends: {
          badger_store: {
            badger: {
              directories: { keys: `${DATA_DIR}/keys`, values: `${DATA_DIR}/values` },
              ephemeral: false,
              ttl: { spans: `${retention.toHours()}h` },
            },
          },
        },
      },
    },
    receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` } } } },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: 'badger_store' } },
  });
}
