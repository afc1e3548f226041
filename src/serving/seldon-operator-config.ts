import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { seldonServerConfigs } from './seldon-chart-server-configs';
import {
  CONTROL_PLANE_CLIENT, CONTROL_PLANE_SERVER, DATAFLOW_KAFKA_CLIENT, ENVOY_DOWNSTREAM_CLIENT, ENVOY_HOST, ENVOY_UPSTREAM_SERVER, ENVOY_XDS,
  envOf, GATEWAY_SCHEDULER_PORTS, KAFKA_CLIENT, KAFKA_CONFIG_PATH, KAFKA_MESSAGE_MAX_BYTES, KAFKA_PARTITIONS, KAFKA_REPLICATION_FACTOR,
  POD_NAMESPACE, SCHEDULER_ENVOY, SCHEDULER_HOST, SELDON_USER, SeldonEnvVar, TRACING_CONFIG_PATH, TRACING_MOUNT, TRACING_VOLUME,
} from './seldon-chart-settings';
import { SeldonComponent, SeldonPort } from './seldon-labels';
import { checkHostPort } from '../core/address';
import { MlopsValidationError } from '../core/errors';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { aDnsLabel, aNamespace, aShare } from '../core/prop-kinds';
import { aBoolean, aListOf, anImplementationOf, aString, checkProps } from '../core/props-check';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/security';
import { ITraceCollector } from '../core/trace-collector';
import * as sc from '../imports/seldon-seldonconfig-mlops.seldon.io';

/** The operator's per-runtime Kafka ConfigMap, as the chart mounts it. */
const KAFKA_VOLUME = { name: 'kafka-config-volume', configMap: { name: 'seldon-kafka' } };
const KAFKA_MOUNT = { mountPath: '/mnt/kafka', name: KAFKA_VOLUME.name };
/** The ServiceAccount the operator makes in each runtime's namespace for the scheduler and the gateways. */
const SCHEDULER_ACCOUNT = 'seldon-scheduler';

/** Properties of a `SeldonOperatorConfig`. */
export interface SeldonOperatorConfigProps {
  /**
   * The Seldon operator's namespace, where it reads SeldonConfigs and ServerConfigs (a runtime's `operatorNamespace`).
   *
   * @default 'seldon-mesh'
   */
  readonly namespace?: string;

  /**
   * The SeldonConfig's name, which a runtime names in `seldonConfig`.
   *
   * @default 'default'
   */
  readonly name?: string;

  /**
   * The Kafka brokers of the runtimes' pipelines (`host:port` each): `config.kafkaConfig.bootstrap.servers`, and the
   * dataflow engine's `SELDON_KAFKA_BOOTSTRAP_SERVERS`, which v2.6 reads from here and not from the runtime. Every
   * runtime with an `eventBus` must use these brokers.
   *
   * @default - none: runtimes without an `eventBus` (models and model experiments only) work; a runtime with one
   * gets its brokers into the gateways' configuration but not into the dataflow engine
   */
  readonly kafkaBootstrapServers?: string[];

  /**
   * Where components send traces when their runtime says nothing (`config.tracingConfig`), and MLServer's
   * `MLSERVER_TRACING_SERVER`. A `SeldonRuntime` always says: its own `tracing`, or off.
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

  /**
   * Whether to emit the ServerConfigs `mlserver` and `triton` too. Leave them out where the operator's install
   * renders its own under those names (the `seldon-core-v2-setup` chart always does).
   *
   * @default true
   */
  readonly serverConfigs?: boolean;
}

/**
 * The configuration the Seldon Core v2.6 operator renders runtimes and servers from, in its namespace: the
 * SeldonConfig (`mlops.seldon.io/v1alpha1`) with the components of the `seldon-core-v2-setup` 2.6.0 chart, and its
 * ServerConfigs `mlserver` and `triton` (`SeldonServerConfig.MLSERVER`, `TRITON`), so that `SeldonRuntime`s and
 * `SeldonServer`s run in namespaces that enforce Pod Security `restricted`.
 *
 * ```ts
 * const operator = new Chart(app, 'seldon-operator', { namespace: 'seldon-mesh' });
 * new SeldonOperatorConfig(operator, 'Config', { kafkaBootstrapServers: kafka.bootstrapServers });
 * ```
 *
 * - **As the chart, restricted:** the scheduler, Envoy, the model and pipeline gateways and the dataflow engine with
 *   the chart's images (pinned in `DefaultImages`, mirrored by an `ImageRegistry`), arguments, environment, ports and
 *   resources, as uid/gid 1000 with a RuntimeDefault seccomp profile, no privilege escalation and no capabilities.
 *   The components' root filesystems are read-only (the dataflow engine writes its Kafka Streams state to an emptyDir
 *   at `/tmp`, the scheduler its state to its claim); the servers' agents too, while rclone (which writes the remotes
 *   it is given to `/rclone`) and the model servers (whose images vary) keep theirs writable.
 * - **No usage data:** there is no hodometer component, so no runtime has one.
 * - **Nothing the namespace lacks:** no preloaded rclone Secret (the chart's `seldon-rclone-gs-public` exists only with
 *   the `seldon-core-v2-runtime` chart); `seldon-mesh` Services are ClusterIP unless a runtime says otherwise (the
 *   chart's are LoadBalancers).
 * - `ClusterPrerequisites` emits one (without ServerConfigs, as the chart renders those) when it installs Seldon.
 */
export class SeldonOperatorConfig extends Construct {
  /** The SeldonConfig's name. */
  public readonly name: string;
  /** The operator's namespace. */
  public readonly namespace: string;
  /** The SeldonConfig. */
  public readonly seldonConfig: ApiObject;
  /** The ServerConfigs, when emitted. */
  public readonly serverConfigs: ApiObject[];

  constructor(scope: Construct, id: string, props: SeldonOperatorConfigProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      namespace: aNamespace("'seldon-mesh'"),
      name: aDnsLabel("'default'"),
      kafkaBootstrapServers: aListOf(aString("'kafka.mlops.svc:9092'")),
      tracing: anImplementationOf('ITraceCollector', ['otlpGrpcEndpoint', 'allowFrom'], 'platform.tracing'),
      tracingRatio: aShare(0.1, 'requests traced'),
      serverConfigs: aBoolean(),
    });
    if (props.kafkaBootstrapServers?.length === 0) {
      throw new MlopsValidationError(this, "kafkaBootstrapServers is invalid: the list is empty; give at least one broker, e.g. ['kafka.mlops.svc:9092'], or leave it out");
    }
    props.kafkaBootstrapServers?.forEach((server, index) => checkHostPort(this, `kafkaBootstrapServers[${index}]`, server, 'kafka.mlops.svc:9092'));
    if (props.tracingRatio !== undefined && !props.tracing) {
      throw new MlopsValidationError(this, `tracingRatio '${props.tracingRatio}' is invalid without tracing: it is the share of the requests traced; `
        + 'give it together with tracing, e.g. { tracing: platform.tracing, tracingRatio: 0.1 }');
    }
    this.name = props.name ?? 'default';
    this.namespace = props.namespace ?? 'seldon-mesh';
    const bootstrap = props.kafkaBootstrapServers?.join(',');
    const tracingServer = props.tracing?.otlpGrpcEndpoint.hostPort;

    this.seldonConfig = new sc.SeldonConfig(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        components: [
          this.scheduler(),
          this.pipelineGateway(),
          this.modelGateway(),
          this.envoy(),
          this.dataflowEngine(bootstrap),
        ],
        config: {
          kafkaConfig: {
            bootstrapServers: bootstrap,
            consumer: kafkaSettings(sc.SeldonConfigSpecConfigKafkaConfigConsumer.fromString, {
              'auto.offset.reset': 'earliest',
              'message.max.bytes': KAFKA_MESSAGE_MAX_BYTES,
              'session.timeout.ms': '6000',
              'topic.metadata.propagation.max.ms': '300000',
            }),
            producer: kafkaSettings(sc.SeldonConfigSpecConfigKafkaConfigProducer.fromString, {
              'linger.ms': '0',
              'message.max.bytes': KAFKA_MESSAGE_MAX_BYTES,
            }),
            topicPrefix: 'seldon',
          },
          serviceConfig: { serviceType: 'ClusterIP' },
          tracingConfig: tracingServer ? { otelExporterEndpoint: tracingServer, ratio: String(props.tracingRatio ?? 1) } : { disable: true },
        },
      },
    });

    this.serverConfigs = props.serverConfigs === false ? [] : seldonServerConfigs(this, this.namespace, tracingServer);
  }

  private scheduler(): sc.SeldonConfigSpecComponents {
    return component(SeldonComponent.SCHEDULER, {
      serviceAccountName: SCHEDULER_ACCOUNT,
      volumes: [KAFKA_VOLUME, TRACING_VOLUME],
      containers: [{
        ...this.componentContainer('scheduler', defaultImage(this, DefaultImages.SELDON_SCHEDULER), '100m', '1Gi'),
        command: ['/bin/scheduler'],
        args: [
          '--pipeline-gateway-host=seldon-pipelinegateway',
          `--tracing-config-path=${TRACING_CONFIG_PATH}`,
          '--db-path=/mnt/scheduler/db',
          '--allow-plaintxt=$(ALLOW_PLAINTXT)',
          `--kafka-config-path=${KAFKA_CONFIG_PATH}`,
        ],
        env: [...CONTROL_PLANE_SERVER, ...SCHEDULER_ENVOY, { name: 'ALLOW_PLAINTXT', value: 'true' }, POD_NAMESPACE],
        ports: [
          { containerPort: 9002, name: 'xds' },
          { containerPort: SeldonPort.SCHEDULER, name: 'scheduler' },
          { containerPort: 9044, name: 'scheduler-mtls' },
          { containerPort: 9005, name: 'agent' },
          { containerPort: 9055, name: 'agent-mtls' },
          { containerPort: 9008, name: 'dataflow' },
        ],
        volumeMounts: [KAFKA_MOUNT, TRACING_MOUNT, { mountPath: '/mnt/scheduler', name: 'scheduler-state' }],
      }],
    }, [{
      name: 'scheduler-state',
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: sc.SeldonConfigSpecComponentsVolumeClaimTemplatesSpecResourcesRequests.fromString('1Gi') } },
      },
    }]);
  }

  private pipelineGateway(): sc.SeldonConfigSpecComponents {
    return component(SeldonComponent.PIPELINE_GATEWAY, {
      serviceAccountName: SCHEDULER_ACCOUNT,
      volumes: [KAFKA_VOLUME, TRACING_VOLUME],
      containers: [{
        ...this.componentContainer('pipelinegateway', defaultImage(this, DefaultImages.SELDON_PIPELINE_GATEWAY), '100m', '1G'),
        command: ['/bin/pipelinegateway'],
        args: [
          '--http-port=9010',
          '--grpc-port=9011',
          `--metrics-port=${SeldonPort.METRICS}`,
          ...this.gatewayArgs(),
        ],
        env: [
          ...KAFKA_CLIENT, { name: 'ENVOY_SECURITY_PROTOCOL', value: 'PLAINTEXT' }, ...ENVOY_UPSTREAM_SERVER, ...ENVOY_DOWNSTREAM_CLIENT,
          ...CONTROL_PLANE_CLIENT, ...GATEWAY_SCHEDULER_PORTS, POD_NAMESPACE,
        ],
        ports: [
          { containerPort: 9010, name: 'http', protocol: 'TCP' },
          { containerPort: 9011, name: 'grpc', protocol: 'TCP' },
          { containerPort: SeldonPort.METRICS, name: 'metrics', protocol: 'TCP' },
        ],
        volumeMounts: [KAFKA_MOUNT, TRACING_MOUNT],
      }],
    });
  }

  private modelGateway(): sc.SeldonConfigSpecComponents {
    return component(SeldonComponent.MODEL_GATEWAY, {
      serviceAccountName: SCHEDULER_ACCOUNT,
      volumes: [KAFKA_VOLUME, TRACING_VOLUME],
      containers: [{
        ...this.componentContainer('modelgateway', defaultImage(this, DefaultImages.SELDON_MODEL_GATEWAY), '100m', '1G'),
        command: ['/bin/modelgateway'],
        args: this.gatewayArgs(),
        env: [
          ...envOf([
            ['MODELGATEWAY_NUM_WORKERS', '8'],
            ['KAFKA_DEFAULT_REPLICATION_FACTOR', KAFKA_REPLICATION_FACTOR],
            ['KAFKA_DEFAULT_PARTITIONS_DEFAULT', KAFKA_PARTITIONS],
          ]),
          ...CONTROL_PLANE_CLIENT, ...KAFKA_CLIENT, { name: 'ENVOY_SECURITY_PROTOCOL', value: 'PLAINTEXT' }, ...ENVOY_DOWNSTREAM_CLIENT,
          ...GATEWAY_SCHEDULER_PORTS, { name: 'MODELGATEWAY_MAX_NUM_CONSUMERS', value: '100' }, POD_NAMESPACE,
        ],
        volumeMounts: [KAFKA_MOUNT, TRACING_MOUNT],
      }],
    });
  }

  private envoy(): sc.SeldonConfigSpecComponents {
    return component(SeldonComponent.ENVOY, {
      containers: [{
        ...this.componentContainer('envoy', defaultImage(this, DefaultImages.SELDON_ENVOY), '100m', '128Mi'),
        env: ENVOY_XDS,
        ports: [{ containerPort: SeldonPort.ENVOY_HTTP, name: 'http' }, { containerPort: 9003, name: 'envoy-admin' }],
      }],
    });
  }

  private dataflowEngine(bootstrap: string | undefined): sc.SeldonConfigSpecComponents {
    const tracing = (key: string): SeldonEnvVar => ({ name: key, valueFrom: { configMapKeyRef: { key, name: TRACING_VOLUME.configMap.name } } });
    return component(SeldonComponent.DATAFLOW_ENGINE, {
      serviceAccountName: SCHEDULER_ACCOUNT,
      // Kafka Streams keeps its state under java.io.tmpdir; the image's /tmp/certs only serves Kafka over TLS.
      volumes: [{ name: 'tmp', emptyDir: {} }],
      containers: [{
        ...this.componentContainer('dataflow-engine', defaultImage(this, DefaultImages.SELDON_DATAFLOW_ENGINE), '100m', '1G'),
        env: [
          ...(bootstrap ? [{ name: 'SELDON_KAFKA_BOOTSTRAP_SERVERS', value: bootstrap }] : []),
          ...envOf([
            ['SELDON_KAFKA_REPLICATION_FACTOR', KAFKA_REPLICATION_FACTOR],
            ['SELDON_KAFKA_PARTITIONS_DEFAULT', KAFKA_PARTITIONS],
            ['SELDON_KAFKA_MAX_MESSAGE_SIZE_BYTES', KAFKA_MESSAGE_MAX_BYTES],
          ]),
          ...DATAFLOW_KAFKA_CLIENT,
          ...envOf([['SELDON_CORES_COUNT', '4'], ['SELDON_UPSTREAM_HOST', SCHEDULER_HOST], ['SELDON_UPSTREAM_PORT', '9008']]),
          tracing('OTEL_JAVAAGENT_ENABLED'),
          tracing('OTEL_EXPORTER_OTLP_ENDPOINT'),
          POD_NAMESPACE,
        ],
        volumeMounts: [{ mountPath: '/tmp', name: 'tmp' }],
      }],
    });
  }

  /** The arguments both gateways take: where the scheduler, Envoy and the operator's ConfigMaps are. */
  private gatewayArgs(): string[] {
    return [
      `--scheduler-host=${SCHEDULER_HOST}`,
      '--scheduler-plaintxt-port=$(SELDON_SCHEDULER_PLAINTXT_PORT)',
      '--scheduler-tls-port=$(SELDON_SCHEDULER_TLS_PORT)',
      `--envoy-host=${ENVOY_HOST}`,
      '--envoy-port=80',
      `--kafka-config-path=${KAFKA_CONFIG_PATH}`,
      `--tracing-config-path=${TRACING_CONFIG_PATH}`,
    ];
  }

  /** A component's container: image, resources (as the chart: memory limit = request) and a read-only root. */
  private componentContainer(name: string, image: string, cpu: string, memory: string) {
    return {
      name,
      image,
      imagePullPolicy: imagePullPolicy(image),
      resources: {
        requests: {
          cpu: sc.SeldonConfigSpecComponentsPodSpecContainersResourcesRequests.fromString(cpu),
          memory: sc.SeldonConfigSpecComponentsPodSpecContainersResourcesRequests.fromString(memory),
        },
        limits: { memory: sc.SeldonConfigSpecComponentsPodSpecContainersResourcesLimits.fromString(memory) },
      },
      securityContext: { ...restrictedContainerSecurityContext(), readOnlyRootFilesystem: true },
    };
  }

}

/** A component of one replica, as uid/gid 1000 with RuntimeDefault seccomp, stopped within 5 s (as the chart's). */
function component(
  name: string, podSpec: sc.SeldonConfigSpecComponentsPodSpec, volumeClaimTemplates?: sc.SeldonConfigSpecComponentsVolumeClaimTemplates[],
): sc.SeldonConfigSpecComponents {
  return {
    name,
    replicas: 1,
    podSpec: { ...podSpec, securityContext: restrictedPodSecurityContext(SELDON_USER), terminationGracePeriodSeconds: 5 },
    volumeClaimTemplates,
  };
}

function kafkaSettings<T>(make: (value: string) => T, values: Record<string, string>): { [key: string]: T } {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, make(value)]));
}
