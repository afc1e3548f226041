import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { JaegerTraceStore } from './jaeger-trace-store';
import { configChecksum } from '../core/config-checksum';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { componentLabels, instanceSelector } from '../core/labels';
import { allowIngress } from '../core/network';
import { httpGetProbe } from '../core/probes';
import { aPercentage, aShare, aUrl, aWholeNumber } from '../core/prop-kinds';
import { anImage, anInstanceOf, aString, checkArgument, checkProps } from '../core/props-check';
import { IScrapeTarget, ScrapeDiscovery, ScrapeTargetSpec } from '../core/scrape-target';
import { ImageUser, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { ITraceCollector } from '../core/trace-collector';
import { A_PLACEMENT, placeWorkloads, WorkloadPlacement } from '../core/workload-placement';

const OTLP_GRPC_PORT = 4317;
const OTLP_HTTP_PORT = 4318;
const HEALTH_PORT = 13133;
const METRICS_PORT = 8888;
const CONFIG_DIR = '/etc/otelcol-contrib';
/** The contrib image's user (`USER 10001` in its Dockerfile). */
const OTEL_USER: ImageUser = { user: 10001, group: 10001 };

/** Properties of an `OtelCollector`. */
export interface OtelCollectorProps {
  /**
   * The Jaeger the collector exports traces to (OTLP gRPC).
   *
   * @default - `exportEndpoint` must be given
   */
  readonly traceStore?: JaegerTraceStore;

  /**
   * Another OTLP gRPC endpoint the traces go to instead (Tempo, a vendor's collector), e.g.
   * `http://tempo.monitoring.svc:4317`; `http://` is sent without TLS.
   *
   * @default - `traceStore` must be given
   */
  readonly exportEndpoint?: string;

  /**
   * The share of the container's memory limit the `memory_limiter` processor lets the collector use before it refuses
   * data (`limit_percentage`); the spike limit is a quarter of it.
   *
   * @default 80
   */
  readonly memoryLimitPercentage?: number;

  /**
   * Collector replicas (stateless).
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * The OpenTelemetry Collector contrib image.
   *
   * @default DefaultImages.OTEL_COLLECTOR
   */
  readonly image?: string;

  /**
   * The container's cpu and memory; the memory limit is what `memoryLimitPercentage` is a share of.
   *
   * @default - cpu request 100m; memory request 256Mi, limit 512Mi
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Where the pods run and what they pull images with, applied to every pod this construct makes.
   *
   * @default - no constraints
   */
  readonly placement?: WorkloadPlacement;
}

/** What `OtelCollector.instrument` tells the workload's OTel SDK. */
export interface InstrumentOptions {
  /** `OTEL_SERVICE_NAME`: the service the spans are of, e.g. `feature-api`. */
  readonly serviceName: string;

  /**
   * The share of traces sampled (`OTEL_TRACES_SAMPLER=parentbased_traceidratio` with this argument).
   *
   * @default 1 - every trace
   */
  readonly sampleRatio?: number;
}

/**
 * An OpenTelemetry Collector (contrib distribution) that receives OTLP on 4317 (gRPC) and 4318 (HTTP), limits its
 * memory (`memory_limiter`), batches (`batch`) and exports traces over OTLP gRPC to a `JaegerTraceStore` (or any
 * `exportEndpoint`). Its own metrics are a scrape target.
 *
 * ```ts
 * const collector = new OtelCollector(this, 'Collector', { traceStore: new JaegerTraceStore(this, 'Traces') });
 * airflow.useTracing(collector);                                       // Airflow's [traces], OTLP/HTTP 4318
 * collector.instrument(api, api.containers[0], { serviceName: 'feature-api' });   // OTEL_* for an OTel SDK
 * ```
 */
export class OtelCollector extends Construct implements ITraceCollector, IScrapeTarget {
  public readonly otlpGrpcEndpoint: ServiceEndpoint;
  public readonly otlpHttpEndpoint: ServiceEndpoint;
  /** The collector's configuration, as mounted. */
  public readonly config: string;
  /** The Service: `otlp-grpc` 4317, `otlp-http` 4318, `metrics` 8888. */
  public readonly service: kplus.Service;
  /** The collector Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The collector's own metrics (`otelcol_*`). */
  public readonly scrapeTargets: ScrapeTargetSpec[];

  constructor(scope: Construct, id: string, props: OtelCollectorProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      traceStore: anInstanceOf(JaegerTraceStore, "new JaegerTraceStore(this, 'Traces')"),
      exportEndpoint: aUrl({ schemes: ['http', 'https'], example: 'http://tempo.monitoring.svc:4317' }),
      memoryLimitPercentage: aPercentage(80, 10, 95),
      replicas: aWholeNumber(2, 1, 20),
      image: anImage('DefaultImages.OTEL_COLLECTOR'),
      placement: A_PLACEMENT,
    });
    if ((props.traceStore === undefined) === (props.exportEndpoint === undefined)) {
      throw new MlopsValidationError(this, 'traceStore and exportEndpoint are invalid together: give exactly one of them, where the traces go');
    }
    const endpoint = props.traceStore?.otlpGrpcEndpoint.url() ?? props.exportEndpoint!;
    if (props.exportEndpoint !== undefined && new URL(props.exportEndpoint).pathname !== '/') {
      throw new MlopsValidationError(this, `exportEndpoint '${endpoint}' is invalid: an OTLP gRPC receiver is reached at host and port, `
        + "without a path; e.g. 'http://tempo.monitoring.svc:4317'");
    }
    const memoryLimit = props.memoryLimitPercentage ?? 80;
    const replicas = props.replicas ?? 1;
    const resources = props.resources ?? {
      cpu: { request: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
    };
    const memory = resources.memory?.limit;
    if (!memory) {
      throw new MlopsValidationError(this, 'resources is invalid: give a memory limit, which memory_limiter takes its share of, '
        + 'e.g. { memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) } }');
    }
    const image = props.image ?? defaultImage(this, DefaultImages.OTEL_COLLECTOR);
    const labels = componentLabels(this, { name: 'otel-collector', component: 'telemetry-collector', image });
    this.config = collectorConfig(endpoint, memoryLimit);
    const files = { 'config.yaml': this.config };
    const configMap = new kplus.ConfigMap(this, 'Config', { metadata: { labels }, data: files });

    this.service = new kplus.Service(this, 'Service', {
      metadata: { labels },
      ports: [
        { name: 'otlp-grpc', port: OTLP_GRPC_PORT, targetPort: OTLP_GRPC_PORT },
        { name: 'otlp-http', port: OTLP_HTTP_PORT, targetPort: OTLP_HTTP_PORT },
        { name: 'metrics', port: METRICS_PORT, targetPort: METRICS_PORT },
      ],
    });
    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { labels },
      podMetadata: {
        labels,
        annotations: configChecksum(files),
      },
      replicas,
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(OTEL_USER),
    });
    this.service.select(this.deployment);
    const container = this.deployment.addContainer({
      name: 'otel-collector',
      image,
      imagePullPolicy: imagePullPolicy(image),
      args: [`--config=${CONFIG_DIR}/config.yaml`],
      ports: [
        { name: 'otlp-grpc', number: OTLP_GRPC_PORT },
        { name: 'otlp-http', number: OTLP_HTTP_PORT },
        { name: 'metrics', number: METRICS_PORT },
        { name: 'health', number: HEALTH_PORT },
      ],
      securityContext: restrictedContainerSecurity(OTEL_USER),
      resources,
      // memory_limiter reads the container's limit from the cgroup; GOMEMLIMIT keeps the Go heap under it as well.
      envVariables: { GOMEMLIMIT: kplus.EnvValue.fromValue(`${Math.floor(memory.toMebibytes() * memoryLimit / 100)}MiB`) },
      readiness: httpGetProbe('/', HEALTH_PORT, { failureThreshold: 3 }),
      liveness: httpGetProbe('/', HEALTH_PORT, { failureThreshold: 6 }),
    });
    container.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap), { readOnly: true });

    this.otlpGrpcEndpoint = ServiceEndpoint.fromService(this.service, OTLP_GRPC_PORT);
    this.otlpHttpEndpoint = ServiceEndpoint.fromService(this.service, OTLP_HTTP_PORT);
    props.traceStore?.allowSpansFrom(this.deployment);
    this.scrapeTargets = [{
      name: 'otel-collector',
      discovery: ScrapeDiscovery.SERVICE,
      selector: instanceSelector(labels),
      endpoints: [{ port: 'metrics', path: '/metrics' }],
    }];
    placeWorkloads(this, props.placement);
  }

  public get collectorPods(): kplus.INetworkPolicyPeer {
    return this.deployment;
  }

  /** Lets `peer` send spans on 4317 and 4318. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.deployment, peer, [OTLP_GRPC_PORT, OTLP_HTTP_PORT]);
  }

  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.deployment, scraper, [METRICS_PORT]);
  }

  /**
   * Points the OpenTelemetry SDK in `container` of `workload` at this collector: `OTEL_EXPORTER_OTLP_ENDPOINT` (OTLP
   * over HTTP, 4318), `OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`, `OTEL_SERVICE_NAME`, `OTEL_TRACES_EXPORTER=otlp`,
   * `OTEL_METRICS_EXPORTER=none`, `OTEL_LOGS_EXPORTER=none` and the sampler, and lets the workload's traffic in. It
   * does nothing for a process without an OTel SDK (auto-instrumentation such as `opentelemetry-instrument` or the
   * Java agent must be in the image): MLflow's server and KServe 0.14's model servers have none.
   */
  public instrument(workload: kplus.INetworkPolicyPeer, container: kplus.Container, options: InstrumentOptions): void {
    checkArgument(this, 'instrument: container', container, anInstanceOf(kplus.Container, 'deployment.containers[0]'));
    checkProps(this, options, { serviceName: aString("'feature-api'") }, { sampleRatio: aShare(0.1, 'traces kept') }, 'instrument: options');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(options.serviceName)) {
      throw new MlopsValidationError(this, `instrument: serviceName '${options.serviceName}' is invalid: give 1-63 letters, digits, '.', '_' or '-', e.g. 'feature-api'`);
    }
    const ratio = options.sampleRatio ?? 1;
    const env: Record<string, string> = {
      OTEL_SERVICE_NAME: options.serviceName,
      OTEL_EXPORTER_OTLP_ENDPOINT: this.otlpHttpEndpoint.url(),
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: String(ratio),
    };
    for (const [name, value] of Object.entries(env)) {
      if (container.env.variables[name] !== undefined) {
        throw new MlopsValidationError(this, `instrument: env var '${name}' is invalid: container '${container.name}' has it already; instrument each container once`);
      }
      container.env.addVariable(name, kplus.EnvValue.fromValue(value));
    }
    this.allowFrom(workload);
  }
}

/**
 * The collector's pipeline: OTLP in on both protocols, `memory_limiter` first and `batch` last (the order the
 * collector's docs give), out over OTLP gRPC (`otlp_grpc`, the exporter's name since v0.144). Listeners are bound to
 * all addresses: the collector's defaults are localhost.
 */
function collectorConfig(endpoint: string, memoryLimitPercentage: number): string {
  const insecure = endpoint.startsWith('http://');
  return stringify({
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` },
          http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_percentage: memoryLimitPercentage, spike_limit_percentage: Math.round(memoryLimitPercentage / 4) },
      batch: {},
    },
    exporters: {
      'otlp_grpc/traces': { endpoint: endpoint.replace(/^https?:\/\//, '').replace(/\/$/, ''), tls: { insecure } },
    },
    extensions: { health_check: { endpoint: `0.0.0.0:${HEALTH_PORT}` } },
    service: {
      extensions: ['health_check'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['otlp_grpc/traces'] } },
      telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: METRICS_PORT } } } }] } },
    },
  });
}
