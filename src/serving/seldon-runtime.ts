import { ApiObject, Chart, Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { MODEL_SERVING_MONITORING } from './model-serving-monitoring';
import { RcloneCredentials } from './rclone-credentials';
import { COMPONENT_NAME_LABEL, SELDON_RUNTIME_LABEL, SeldonComponent, SeldonPort, SERVER_POD_LABELS } from './seldon-labels';
import { SELDON_MONITORING } from './seldon-monitoring';
import { IBucket } from '../core/bucket';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { IEventBus } from '../core/event-bus';
import { componentLabels } from '../core/labels';
import { IMonitoringContribution } from '../core/monitoring';
import { allowIngress } from '../core/network';
import { aDnsLabel, aNamespace, aShare } from '../core/prop-kinds';
import { AN_IBUCKET, anImplementationOf, aString, checkProps } from '../core/props-check';
import { IScrapeTarget, ScrapeDiscovery, ScrapeTargetSpec } from '../core/scrape-target';
import { ITraceCollector } from '../core/trace-collector';
import { SeldonRuntime as SeldonRuntimeResource } from '../imports/seldon-seldonruntime-mlops.seldon.io';

/** The Kafka components of SeldonConfig `default`: without an event bus they would only crash-loop. */
const KAFKA_COMPONENTS = [SeldonComponent.MODEL_GATEWAY, SeldonComponent.PIPELINE_GATEWAY, SeldonComponent.DATAFLOW_ENGINE];

/** Properties of a `SeldonRuntime`. */
export interface SeldonRuntimeProps {
  /**
   * The SeldonRuntime's name.
   *
   * @default - derived from the construct path
   */
  readonly name?: string;

  /**
   * The SeldonConfig the runtime's components are rendered from, in the operator's namespace.
   *
   * @default 'default'
   */
  readonly seldonConfig?: string;

  /**
   * The Kafka that pipelines stream through (`spec.config.kafkaConfig.bootstrap.servers`): `new Kafka(...)` or
   * `Kafka.fromBootstrapServers(...)`. The runtime's components may reach it.
   *
   * @default - none: models and model experiments work, pipelines cannot be added; the Kafka components (model
   * gateway, pipeline gateway, dataflow engine) are disabled
   */
  readonly eventBus?: IEventBus;

  /**
   * A bucket whose rclone remote (`s3`) every server of the runtime preloads (`config_secrets`), read with one grant
   * for the whole runtime; models from it need no Secret of their own. Models from other buckets get one each.
   *
   * @default - none: every model from a bucket gets its own Secret (`secretName`)
   */
  readonly modelsBucket?: IBucket;

  /**
   * The namespace of the Seldon operator, whose controller calls the runtime's scheduler.
   *
   * @default 'seldon-mesh'
   */
  readonly operatorNamespace?: string;

  /**
   * The type of the `seldon-mesh` Service (Envoy), which inference requests go to.
   *
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;

  /**
   * Where the runtime's components and servers send traces (`spec.config.tracingConfig.otelExporterEndpoint`, OTLP over
   * gRPC to port 4317), e.g. `platform.tracing`; the collector lets them in.
   *
   * @default - tracing is off (`tracingConfig.disable`)
   */
  readonly tracing?: ITraceCollector;

  /**
   * The share of requests traced (`tracingConfig.ratio`), with `tracing`.
   *
   * @default 1
   */
  readonly tracingRatio?: number;
}

/**
 * Seldon Core v2 in this chart's namespace: a `SeldonRuntime` (`mlops.seldon.io/v1alpha1`) from which the Seldon
 * operator renders the scheduler, Envoy (the `seldon-mesh` Service), the gateways and the dataflow engine, next to
 * the `SeldonServer`s, `SeldonModel`s, `SeldonPipeline`s and `SeldonExperiment`s of the namespace.
 *
 * ```ts
 * const runtime = new SeldonRuntime(this, 'Seldon', { eventBus: new Kafka(this, 'Kafka') });
 * const mlserver = new SeldonServer(this, 'Mlserver', { runtime, image: 'registry.example.com/mlserver-sklearn:1.7.1' });
 * ```
 *
 * - The operator must watch every namespace (`controller.clusterwide=true`); it reads SeldonConfig and ServerConfigs
 *   from its own namespace (`operatorNamespace`).
 * - One runtime per namespace. Hodometer (usage data to Seldon) is disabled, tracing is off unless `tracing` is given, and `seldon-mesh` is a
 *   ClusterIP Service unless `serviceType` says otherwise.
 * - Pod Security: the component pods run in this namespace, rendered from the SeldonConfig, which a SeldonRuntime
 *   cannot change (its overrides are replicas, disable and service type). Seldon v2.6.0's own SeldonConfig sets
 *   only runAsUser, runAsNonRoot and fsGroup, which `restricted` refuses; with `SeldonOperatorConfig`'s (which
 *   `ClusterPrerequisites` emits when it installs Seldon, or which you apply in the operator's namespace) the runtime
 *   runs in a `restricted` namespace. With the chart's own, run it in a `baseline` namespace.
 * - NetworkPolicies let the components and the servers reach each other, the operator reach the scheduler, and
 *   nothing else: `allowInferenceFrom` (or a model's `allowFrom`) opens Envoy to clients, `allowScrapeFrom` the
 *   metrics ports to Prometheus.
 */
export class SeldonRuntime extends Construct implements IScrapeTarget {
  /** The SeldonRuntime's name. */
  public readonly name: string;
  /** The namespace, when the chart has one. */
  public readonly namespace?: string;
  /** The SeldonRuntime. */
  public readonly resource: ApiObject;
  /** The Kafka of its pipelines, if any. */
  public readonly eventBus?: IEventBus;
  /** The bucket every server preloads, if any. */
  public readonly modelsBucket?: IBucket;
  /**
   * Where inference requests go: `seldon-mesh.<namespace>.svc:80`, e.g. `POST /v2/models/iris/infer`, or
   * `/v2/models/<pipeline>/infer` with the header `Seldon-Model: <pipeline>.pipeline`.
   */
  public readonly meshEndpoint: ServiceEndpoint;
  /**
   * The metrics of its pods (PodMonitors, as upstream's `prometheus/monitors`): every server's agent (port `metrics`)
   * and server (port `server-metrics`, which Triton declares and v2.6's MLServer does not), and the pipeline gateway.
   */
  public readonly scrapeTargets: ScrapeTargetSpec[];
  /** The rules, alerts and model-serving dashboard rows of every serving backend and of Seldon. */
  public readonly monitoring?: IMonitoringContribution[] = [MODEL_SERVING_MONITORING, SELDON_MONITORING];

  /** The pods of the runtime's components, which carry the runtime's label. */
  private readonly componentPods: kplus.Pods;
  /** The pods of every Server of the namespace. */
  private readonly serverPods: kplus.Pods;
  private readonly envoyPods: kplus.Pods;
  private readonly pipelineGatewayPods: kplus.Pods;
  private readonly experimentDefaults = new Map<string, string>();

  constructor(scope: Construct, id: string, props: SeldonRuntimeProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      name: aDnsLabel("'seldon'"),
      seldonConfig: aDnsLabel("'default'"),
      eventBus: anImplementationOf('IEventBus', ['bootstrapServers', 'allowFrom'], "new Kafka(this, 'Kafka')"),
      modelsBucket: AN_IBUCKET,
      operatorNamespace: aNamespace("'seldon-mesh'"),
      serviceType: aString('kplus.ServiceType.CLUSTER_IP'),
      tracing: anImplementationOf('ITraceCollector', ['otlpGrpcEndpoint', 'allowFrom'], 'platform.tracing'),
      tracingRatio: aShare(0.1, 'requests traced'),
    });
    this.name = props.name ?? Names.toDnsLabel(this);
    const seldonConfig = props.seldonConfig ?? 'default';
    const operatorNamespace = props.operatorNamespace ?? 'seldon-mesh';
    this.namespace = Chart.of(this).namespace;
    claimNamespace(this);
    this.eventBus = props.eventBus;
    this.modelsBucket = props.modelsBucket;

    const runtimeLabel = Names.toLabelValue(this);
    const labels = { ...componentLabels(this, { name: 'seldon', component: 'serving-runtime' }), [SELDON_RUNTIME_LABEL]: runtimeLabel };
    const component = (name: string) => ({ [COMPONENT_NAME_LABEL]: name, [SELDON_RUNTIME_LABEL]: runtimeLabel });
    // Peers of policies in other namespaces (Kafka's, MinIO's) too: they name this namespace.
    const namespaces = this.namespace ? kplus.Namespaces.select(this, 'Namespace', { names: [this.namespace] }) : undefined;
    this.componentPods = kplus.Pods.select(this, 'ComponentPods', { labels: { [SELDON_RUNTIME_LABEL]: runtimeLabel }, namespaces });
    this.serverPods = kplus.Pods.select(this, 'ServerPods', { labels: SERVER_POD_LABELS, namespaces });
    this.envoyPods = kplus.Pods.select(this, 'EnvoyPods', { labels: component(SeldonComponent.ENVOY) });
    this.pipelineGatewayPods = kplus.Pods.select(this, 'PipelineGatewayPods', { labels: component(SeldonComponent.PIPELINE_GATEWAY) });

    let configSecrets: string[] | undefined;
    if (props.modelsBucket) {
      const credentials = new RcloneCredentials(this, 'ModelsBucketCredentials', {
        bucket: props.modelsBucket,
        credentials: props.modelsBucket.grantRead(this.serverPods),
        labels: componentLabels(this, { name: 'seldon', component: 'model-store-credentials' }),
      });
      configSecrets = [credentials.secret.name];
    }

    const tracingRatio = props.tracingRatio ?? 1;
    if (props.tracingRatio !== undefined && !props.tracing) {
      throw new MlopsValidationError(this, `tracingRatio '${tracingRatio}' is invalid without tracing: it is the share of the requests traced; `
        + 'give it together with tracing, e.g. { tracing: platform.tracing, tracingRatio: 0.1 }');
    }
    const disabled = [SeldonComponent.HODOMETER, ...(props.eventBus ? [] : KAFKA_COMPONENTS)];
    this.resource = new SeldonRuntimeResource(this, 'Resource', {
      metadata: { name: this.name, labels },
      spec: {
        seldonConfig,
        overrides: disabled.map((name) => ({ name, disable: true })),
        config: {
          agentConfig: configSecrets ? { rclone: { configSecrets } } : undefined,
          kafkaConfig: props.eventBus ? { bootstrapServers: props.eventBus.bootstrapServers.join(',') } : undefined,
          serviceConfig: { serviceType: props.serviceType ?? kplus.ServiceType.CLUSTER_IP },
          tracingConfig: props.tracing
            ? { otelExporterEndpoint: props.tracing.otlpGrpcEndpoint.hostPort, ratio: String(tracingRatio) }
            : { disable: true },
        },
      },
    });
    this.meshEndpoint = this.namespace
      ? ServiceEndpoint.fromHost(`seldon-mesh.${this.namespace}.svc`, 80)
      : ServiceEndpoint.fromHost('seldon-mesh', 80);

    // The components and the servers call each other on many ports (scheduler, agents, Envoy, gateways, dataflow).
    new kplus.NetworkPolicy(this, 'ComponentsIngress', {
      selector: this.componentPods,
      ingress: { rules: [{ peer: this.componentPods }, { peer: this.serverPods }] },
    });
    new kplus.NetworkPolicy(this, 'ServersIngress', {
      selector: this.serverPods,
      ingress: { rules: [{ peer: this.componentPods }] },
    });
    const schedulerPods = kplus.Pods.select(this, 'SchedulerPods', { labels: component(SeldonComponent.SCHEDULER) });
    const operator = kplus.Namespaces.select(this, 'Operator', { names: [operatorNamespace] });
    allowIngress(schedulerPods, schedulerPods, operator, [SeldonPort.SCHEDULER]);
    props.eventBus?.allowFrom(this.componentPods);
    props.tracing?.allowFrom(this.componentPods);
    props.tracing?.allowFrom(this.serverPods);

    const metrics = (name: string, selector: Record<string, string>, port: string): ScrapeTargetSpec => ({
      name, discovery: ScrapeDiscovery.POD, namespace: this.namespace, selector, endpoints: [{ port, path: '/metrics' }],
    });
    this.scrapeTargets = [
      metrics('seldon-agent', SERVER_POD_LABELS, 'metrics'),
      metrics('seldon-server', SERVER_POD_LABELS, 'server-metrics'),
      ...(props.eventBus ? [metrics('seldon-pipelinegateway', component(SeldonComponent.PIPELINE_GATEWAY), 'metrics')] : []),
    ];
  }

  /** Lets `peer` send inference requests to the runtime's models, pipelines and experiments, through Envoy. */
  public allowInferenceFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this.envoyPods, this.envoyPods, peer, [SeldonPort.ENVOY_HTTP]);
  }

  /** Lets `scraper` reach the agents' and servers' metrics ports, and the pipeline gateway's. */
  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    allowIngress(this.serverPods, this.serverPods, scraper, [SeldonPort.METRICS, SeldonPort.TRITON_METRICS]);
    if (this.eventBus) {
      allowIngress(this.pipelineGatewayPods, this.pipelineGatewayPods, scraper, [SeldonPort.METRICS]);
    }
  }

  /**
   * The pods that download models (every server's agent), to grant read access to a bucket.
   *
   * @internal
   */
  public get _modelDownloaders(): kplus.INetworkPolicyPeer {
    return this.serverPods;
  }

  /**
   * Records `experiment` as the one experiment of its default model or pipeline; throws naming the other one.
   *
   * @internal
   */
  public _claimExperimentDefault(experiment: IConstruct, experimentName: string, resourceType: string, defaultName: string): void {
    const key = `${resourceType}/${defaultName}`;
    const other = this.experimentDefaults.get(key);
    if (other !== undefined) {
      throw new MlopsValidationError(experiment, `defaultCandidate '${defaultName}' is invalid: experiment '${other}' has it as its default already, `
        + `and Seldon runs one experiment per default ${resourceType}; end that experiment first, or leave defaultCandidate out and call '${experimentName}.experiment'`);
    }
    this.experimentDefaults.set(key, experimentName);
  }
}

/** The SeldonRuntime of each namespace, by app: the operator makes Services of fixed names (`seldon-mesh`, ...). */
const RUNTIMES = new WeakMap<IConstruct, Map<string, SeldonRuntime>>();

function claimNamespace(runtime: SeldonRuntime): void {
  const app = runtime.node.root;
  const byNamespace = RUNTIMES.get(app) ?? new Map<string, SeldonRuntime>();
  RUNTIMES.set(app, byNamespace);
  const namespace = runtime.namespace ?? '';
  const other = byNamespace.get(namespace);
  if (other) {
    throw new MlopsValidationError(runtime, `namespace '${namespace || 'default'}' is invalid: runtime '${other.node.path}' is there already, and `
      + 'Seldon runs one SeldonRuntime per namespace (its Services have fixed names, e.g. seldon-mesh); put this one in a chart of another namespace, or use the other');
  }
  byNamespace.set(namespace, runtime);
}
