import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { DefaultImages, ImageRegistry, JaegerTraceStore, OtelCollector, SeldonOperatorConfig, SeldonOperatorConfigProps, SeldonServerConfig } from '../../src';
import { ManifestValidator } from '../../src/testing';
import { objectsOfKind, synthValid } from '../util';

const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  privileged: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
const RESTRICTED_POD = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } };

/** The validated output of a chart of the operator's namespace with one SeldonOperatorConfig. */
function operatorConfig(props: SeldonOperatorConfigProps = {}, chart = new Chart(Testing.app(), 'seldon-operator', { namespace: 'seldon-mesh' })) {
  const config = new SeldonOperatorConfig(chart, 'Config', props);
  const manifests = synthValid(chart);
  const [seldonConfig] = objectsOfKind(manifests, 'SeldonConfig');
  const serverConfigs = Object.fromEntries(objectsOfKind(manifests, 'ServerConfig').map((obj) => [obj.metadata.name, obj]));
  const components = Object.fromEntries(seldonConfig.spec.components.map((c: any) => [c.name, c]));
  return { config, manifests, seldonConfig, serverConfigs, components };
}

function envOf(container: any): Record<string, any> {
  return Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

function containerOf(podSpec: any, name: string): any {
  return podSpec.containers.find((c: any) => c.name === name);
}

describe('SeldonOperatorConfig', () => {
  const { seldonConfig, serverConfigs, components, manifests } = operatorConfig();

  test("SeldonConfig 'default' in the operator's namespace, with the chart's components and no hodometer", () => {
    expect(seldonConfig.apiVersion).toBe('mlops.seldon.io/v1alpha1');
    expect(seldonConfig.metadata).toMatchObject({ name: 'default', namespace: 'seldon-mesh' });
    expect(Object.keys(components)).toEqual(['seldon-scheduler', 'seldon-pipelinegateway', 'seldon-modelgateway', 'seldon-envoy', 'seldon-dataflow-engine']);
    expect(JSON.stringify(seldonConfig)).not.toContain('hodometer');
    expect(Object.values(components).map((c: any) => c.replicas)).toEqual([1, 1, 1, 1, 1]);
  });

  test('every component and server pod passes Pod Security restricted, as uid/gid 1000 with RuntimeDefault seccomp', () => {
    const podSpecs = [...Object.values(components).map((c: any) => c.podSpec), ...Object.values(serverConfigs).map((s: any) => s.spec.podSpec)];
    expect(podSpecs).toHaveLength(7);
    for (const podSpec of podSpecs) {
      expect(podSpec.securityContext).toEqual(RESTRICTED_POD);
      for (const c of podSpec.containers) {
        expect(c.securityContext).toMatchObject(RESTRICTED_CONTAINER);
      }
    }
    // synthValid holds them to restricted; this is what it would say about the chart's own contexts.
    const envoy = components['seldon-envoy'].podSpec;
    const chartLike = {
      ...seldonConfig,
      spec: {
        components: [{
          name: 'seldon-envoy',
          podSpec: {
            ...envoy,
            securityContext: { runAsUser: 1000, runAsNonRoot: true, fsGroup: 1000 },
            containers: [{ ...containerOf(envoy, 'envoy'), securityContext: undefined }],
          },
        }],
      },
    };
    expect(new ManifestValidator().validateManifests([chartLike]).map((finding) => finding.message)).toEqual([
      'spec.components[0].podSpec.containers[0].securityContext.allowPrivilegeEscalation must be false',
      'spec.components[0].podSpec.containers[0].securityContext.seccompProfile.type must be RuntimeDefault or Localhost (or set spec.components[0].podSpec.securityContext.seccompProfile.type)',
      'spec.components[0].podSpec.containers[0].securityContext.capabilities.drop must include ALL',
    ]);
  });

  test('read-only root filesystems where the component writes nothing else; the dataflow engine writes /tmp to an emptyDir', () => {
    const readOnly = (podSpec: any) => Object.fromEntries(podSpec.containers
      .map((c: any) => [c.name, c.securityContext.readOnlyRootFilesystem ?? false]));
    expect(Object.values(components).map((c: any) => readOnly(c.podSpec))).toEqual([
      { scheduler: true }, { pipelinegateway: true }, { modelgateway: true }, { envoy: true }, { 'dataflow-engine': true },
    ]);
    const dataflow = components['seldon-dataflow-engine'].podSpec;
    expect(dataflow.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(containerOf(dataflow, 'dataflow-engine').volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
    expect(readOnly(serverConfigs.mlserver.spec.podSpec)).toEqual({ rclone: false, agent: true, mlserver: false });
    expect(readOnly(serverConfigs.triton.spec.podSpec)).toEqual({ rclone: false, agent: true, triton: false });
  });

  test('images pinned in DefaultImages, pulled IfNotPresent', () => {
    const images = (podSpec: any) => podSpec.containers.map((c: any) => [c.image, c.imagePullPolicy]);
    expect(Object.values(components).flatMap((c: any) => images(c.podSpec))).toEqual([
      DefaultImages.SELDON_SCHEDULER, DefaultImages.SELDON_PIPELINE_GATEWAY, DefaultImages.SELDON_MODEL_GATEWAY, DefaultImages.SELDON_ENVOY,
      DefaultImages.SELDON_DATAFLOW_ENGINE,
    ].map((image) => [image, 'IfNotPresent']));
    const serverImages = (name: string) => images(serverConfigs[name].spec.podSpec).map(([image]: string[]) => image);
    expect(serverImages('mlserver')).toEqual([DefaultImages.SELDON_RCLONE, DefaultImages.SELDON_AGENT, DefaultImages.SELDON_MLSERVER]);
    expect(serverImages('triton')).toEqual([DefaultImages.SELDON_RCLONE, DefaultImages.SELDON_AGENT, DefaultImages.SELDON_TRITON]);
    expect(DefaultImages.SELDON_SCHEDULER).toBe('docker.io/seldonio/seldon-scheduler:2.6.0');
    expect(DefaultImages.SELDON_DATAFLOW_ENGINE).toBe('docker.io/seldonio/seldon-dataflow-engine:2.6.0');
  });

  test("the scheduler as the chart's: its state on a claim, the operator's ConfigMaps, plaintext allowed, port 9004 for the operator", () => {
    const scheduler = components['seldon-scheduler'];
    expect(scheduler.volumeClaimTemplates).toEqual([{ name: 'scheduler-state', spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }]);
    const c = containerOf(scheduler.podSpec, 'scheduler');
    expect(c.command).toEqual(['/bin/scheduler']);
    expect(c.args).toEqual([
      '--pipeline-gateway-host=seldon-pipelinegateway', '--tracing-config-path=/mnt/tracing/tracing.json', '--db-path=/mnt/scheduler/db',
      '--allow-plaintxt=$(ALLOW_PLAINTXT)', '--kafka-config-path=/mnt/kafka/kafka.json',
    ]);
    expect(envOf(c)).toMatchObject({ ALLOW_PLAINTXT: 'true', CONTROL_PLANE_SECURITY_PROTOCOL: 'PLAINTEXT', ENVOY_SECURITY_PROTOCOL: 'PLAINTEXT' });
    expect(c.ports.map((p: any) => [p.name, p.containerPort])).toEqual([
      ['xds', 9002], ['scheduler', 9004], ['scheduler-mtls', 9044], ['agent', 9005], ['agent-mtls', 9055], ['dataflow', 9008],
    ]);
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '1Gi' }, limits: { memory: '1Gi' } });
    expect(scheduler.podSpec.serviceAccountName).toBe('seldon-scheduler');
    expect(scheduler.podSpec.volumes).toEqual([
      { name: 'kafka-config-volume', configMap: { name: 'seldon-kafka' } }, { name: 'tracing-config-volume', configMap: { name: 'seldon-tracing' } },
    ]);
  });

  test('the gateways and Envoy as the chart renders them', () => {
    const pipeline = containerOf(components['seldon-pipelinegateway'].podSpec, 'pipelinegateway');
    expect(pipeline.args.slice(0, 4)).toEqual(['--http-port=9010', '--grpc-port=9011', '--metrics-port=9006', '--scheduler-host=seldon-scheduler']);
    expect(pipeline.ports.map((p: any) => [p.name, p.containerPort])).toEqual([['http', 9010], ['grpc', 9011], ['metrics', 9006]]);
    expect(envOf(pipeline)).toMatchObject({ KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT', SELDON_SCHEDULER_PLAINTXT_PORT: '9004', SELDON_SCHEDULER_TLS_PORT: '9044' });
    const model = containerOf(components['seldon-modelgateway'].podSpec, 'modelgateway');
    expect(envOf(model)).toMatchObject({ MODELGATEWAY_NUM_WORKERS: '8', KAFKA_DEFAULT_REPLICATION_FACTOR: '1', MODELGATEWAY_MAX_NUM_CONSUMERS: '100' });
    expect(model.resources).toEqual({ requests: { cpu: '100m', memory: '1G' }, limits: { memory: '1G' } });
    const envoy = containerOf(components['seldon-envoy'].podSpec, 'envoy');
    expect(envoy.ports).toEqual([{ containerPort: 9000, name: 'http' }, { containerPort: 9003, name: 'envoy-admin' }]);
    expect(envOf(envoy).ENVOY_XDS_CLIENT_TLS_KEY).toEqual({ secretKeyRef: { key: 'tls.key', name: 'seldon-controlplane-client', optional: true } });
    expect(components['seldon-envoy'].podSpec.serviceAccountName).toBeUndefined();
  });

  test('config: no preloaded rclone Secret, ClusterIP Services, tracing off, the chart\'s Kafka client settings, no broker', () => {
    expect(seldonConfig.spec.config).toEqual({
      kafkaConfig: {
        consumer: {
          'auto.offset.reset': 'earliest', 'message.max.bytes': '1000000000', 'session.timeout.ms': '6000', 'topic.metadata.propagation.max.ms': '300000',
        },
        producer: { 'linger.ms': '0', 'message.max.bytes': '1000000000' },
        topicPrefix: 'seldon',
      },
      serviceConfig: { serviceType: 'ClusterIP' },
      tracingConfig: { disable: true },
    });
    expect(envOf(containerOf(components['seldon-dataflow-engine'].podSpec, 'dataflow-engine')).SELDON_KAFKA_BOOTSTRAP_SERVERS).toBeUndefined();
  });

  test("ServerConfigs 'mlserver' and 'triton', named as SeldonServerConfig expects, advertising its capabilities", () => {
    for (const config of [SeldonServerConfig.MLSERVER, SeldonServerConfig.TRITON]) {
      const serverConfig = serverConfigs[config.name];
      expect(serverConfig.metadata).toMatchObject({ name: config.name, namespace: 'seldon-mesh' });
      const podSpec = serverConfig.spec.podSpec;
      expect(podSpec.containers.map((c: any) => c.name)).toEqual(['rclone', 'agent', config.serverContainer]);
      expect(podSpec.serviceAccountName).toBe('seldon-server');
      expect(podSpec.terminationGracePeriodSeconds).toBe(120);
      const agent = envOf(containerOf(podSpec, 'agent'));
      expect(agent.SELDON_SERVER_CAPABILITIES).toBe(config.capabilities.join(','));
      expect(agent.SELDON_SERVER_TYPE).toBe(config.name);
      expect(agent.MEMORY_REQUEST).toEqual({ resourceFieldRef: { containerName: config.serverContainer, resource: 'requests.memory' } });
      expect(serverConfig.spec.volumeClaimTemplates).toEqual([
        { name: `${config.name}-models`, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
      ]);
    }
    const triton = containerOf(serverConfigs.triton.spec.podSpec, 'triton');
    expect(triton.ports).toContainEqual({ containerPort: 8002, name: 'server-metrics' });
    expect(serverConfigs.triton.spec.podSpec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } });
    const mlserver = containerOf(serverConfigs.mlserver.spec.podSpec, 'mlserver');
    expect(mlserver.readinessProbe).toEqual({ httpGet: { path: '/v2/health/live', port: 'server-http' }, initialDelaySeconds: 5, periodSeconds: 5 });
    expect(containerOf(serverConfigs.mlserver.spec.podSpec, 'rclone').lifecycle).toEqual({ preStop: { httpGet: { path: 'terminate', port: 9007 } } });
    expect(envOf(containerOf(serverConfigs.mlserver.spec.podSpec, 'agent')).MLSERVER_TRACING_SERVER).toBeUndefined();
  });

  test('only the SeldonConfig and the ServerConfigs', () => {
    expect(manifests.map((obj) => `${obj.kind}/${obj.metadata.name}`)).toEqual(['SeldonConfig/default', 'ServerConfig/mlserver', 'ServerConfig/triton']);
  });
});

describe('SeldonOperatorConfig options', () => {
  test('a Kafka bootstrap goes to the config and to the dataflow engine, which v2.6 reads it from', () => {
    const { seldonConfig, components } = operatorConfig({ kafkaBootstrapServers: ['kafka-0.kafka.mlops.svc:9092', 'kafka-1.kafka.mlops.svc:9092'] });
    expect(seldonConfig.spec.config.kafkaConfig['bootstrap.servers']).toBe('kafka-0.kafka.mlops.svc:9092,kafka-1.kafka.mlops.svc:9092');
    expect(envOf(containerOf(components['seldon-dataflow-engine'].podSpec, 'dataflow-engine')).SELDON_KAFKA_BOOTSTRAP_SERVERS)
      .toBe('kafka-0.kafka.mlops.svc:9092,kafka-1.kafka.mlops.svc:9092');
  });

  test("tracing: the collector's OTLP gRPC endpoint and ratio, and MLServer's tracing server", () => {
    const app = Testing.app();
    const mlops = new Chart(app, 'mlops', { namespace: 'mlops' });
    const collector = new OtelCollector(mlops, 'Collector', { traceStore: new JaegerTraceStore(mlops, 'Traces') });
    const { seldonConfig, serverConfigs } = operatorConfig({ tracing: collector, tracingRatio: 0.25 }, new Chart(app, 'seldon-operator'));
    expect(seldonConfig.spec.config.tracingConfig).toEqual({ otelExporterEndpoint: collector.otlpGrpcEndpoint.hostPort, ratio: '0.25' });
    expect(collector.otlpGrpcEndpoint.hostPort).toMatch(/\.mlops\.svc:4317$/);
    expect(envOf(containerOf(serverConfigs.mlserver.spec.podSpec, 'agent')).MLSERVER_TRACING_SERVER).toBe(collector.otlpGrpcEndpoint.hostPort);
    expect(envOf(containerOf(serverConfigs.triton.spec.podSpec, 'agent')).MLSERVER_TRACING_SERVER).toBeUndefined();
  });

  test('another namespace and name; without ServerConfigs', () => {
    const { seldonConfig, serverConfigs, config } = operatorConfig({ namespace: 'seldon-system', name: 'restricted', serverConfigs: false });
    expect(seldonConfig.metadata).toMatchObject({ name: 'restricted', namespace: 'seldon-system' });
    expect(serverConfigs).toEqual({});
    expect(config.serverConfigs).toEqual([]);
  });

  test('an image registry mirrors the components and servers', () => {
    const chart = new Chart(Testing.app(), 'seldon-operator', { namespace: 'seldon-mesh' });
    ImageRegistry.of({ mirrors: { 'docker.io': 'harbor.example.com/dockerhub' } }).applyTo(chart);
    const { components, serverConfigs } = operatorConfig({}, chart);
    expect(containerOf(components['seldon-scheduler'].podSpec, 'scheduler').image).toBe('harbor.example.com/dockerhub/seldonio/seldon-scheduler:2.6.0');
    expect(containerOf(serverConfigs.triton.spec.podSpec, 'triton').image).toBe(DefaultImages.SELDON_TRITON);
  });

  test("an image registry's pull Secrets reach every component's and every server's pod spec", () => {
    const chart = new Chart(Testing.app(), 'seldon-operator', { namespace: 'seldon-mesh' });
    ImageRegistry.of({ pullSecrets: [kplus.Secret.fromSecretName(chart, 'Pull', 'registry-credentials')] }).applyTo(chart);
    new SeldonOperatorConfig(chart, 'Config');
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'registry-credentials', namespace: 'seldon-mesh' }]);
    const podSpecs = [
      ...objectsOfKind(manifests, 'SeldonConfig')[0].spec.components.map((c: any) => c.podSpec),
      ...objectsOfKind(manifests, 'ServerConfig').map((c) => c.spec.podSpec),
    ];
    expect(podSpecs).toHaveLength(7);
    for (const podSpec of podSpecs) {
      expect(podSpec.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    }
  });
});

describe('SeldonOperatorConfig bad input', () => {
  const make = (props: SeldonOperatorConfigProps) => () => new SeldonOperatorConfig(new Chart(Testing.app(), 'seldon-operator'), 'Config', props);

  test.each([
    ['a namespace that is not a DNS label', { namespace: 'Seldon_Mesh' },
      "namespace 'Seldon_Mesh' is invalid: must contain only lowercase letters, digits and '-'; give e.g. 'seldon-mesh'"],
    ['a broker without a port', { kafkaBootstrapServers: ['kafka.mlops.svc'] },
      "kafkaBootstrapServers[0] 'kafka.mlops.svc' is invalid: must be host:port, a DNS name or an IP address and a port from 1 to 65535, "
      + "without a scheme or whitespace, e.g. 'kafka.mlops.svc:9092'"],
    ['a broker URL', { kafkaBootstrapServers: ['kafka.mlops.svc:9092', 'PLAINTEXT://kafka-1.mlops.svc:9092'] },
      "kafkaBootstrapServers[1] 'PLAINTEXT://kafka-1.mlops.svc:9092' is invalid: must be host:port, a DNS name or an IP address and a port "
      + "from 1 to 65535, without a scheme or whitespace, e.g. 'kafka.mlops.svc:9092'"],
    ['no broker', { kafkaBootstrapServers: [] },
      "kafkaBootstrapServers is invalid: the list is empty; give at least one broker, e.g. ['kafka.mlops.svc:9092'], or leave it out"],
    ['a tracing ratio without tracing', { tracingRatio: 0.5 },
      "tracingRatio '0.5' is invalid without tracing: it is the share of the requests traced; give it together with tracing, "
      + 'e.g. { tracing: platform.tracing, tracingRatio: 0.1 }'],
  ])('%s', (_name, props, message) => {
    expect(make(props as SeldonOperatorConfigProps)).toThrow(`SeldonOperatorConfig 'seldon-operator/Config': ${message}`);
  });
});
