import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { seldonPlatform, sklearnModel } from './seldon-fixtures';
import { Kafka } from '../../src/data/kafka';
import { FederatedPrometheus } from '../../src/observability/federated-prometheus';
import { SeldonRuntime } from '../../src/serving/seldon-runtime';
import { objectNamed, objectsOfKind, synthValid, testChart } from '../util';

const RUNTIME_LABEL = 'mlops.cdk8s.io/seldon-runtime';

describe('SeldonRuntime', () => {
  test('a SeldonRuntime on SeldonConfig default with the Kafka bootstrap, hodometer off, tracing off and a ClusterIP mesh', () => {
    // GIVEN
    const { chart, kafka, runtime } = seldonPlatform();
    // THEN
    const manifests = synthValid(chart);
    const [resource] = objectsOfKind(manifests, 'SeldonRuntime');
    expect(resource.apiVersion).toBe('mlops.seldon.io/v1alpha1');
    expect(resource.metadata.name).toBe('seldon');
    expect(resource.metadata.namespace).toBe('mlops');
    expect(resource.spec).toEqual({
      seldonConfig: 'default',
      overrides: [{ name: 'hodometer', disable: true }],
      config: {
        kafkaConfig: { 'bootstrap.servers': kafka.bootstrapServers[0] },
        serviceConfig: { serviceType: 'ClusterIP' },
        tracingConfig: { disable: true },
      },
    });
    expect(kafka.bootstrapServers[0]).toMatch(/^test-kafka-service-[0-9a-f]+\.mlops\.svc:9092$/);
    // the operator copies the runtime's labels onto its components' pods, which the policies select by
    expect(resource.metadata.labels[RUNTIME_LABEL]).toMatch(/^test-Seldon-[0-9a-f]{8}$/);
    expect(runtime.meshEndpoint.url('/v2/models/iris/infer')).toBe('http://seldon-mesh.mlops.svc:80/v2/models/iris/infer');
  });

  test('the components reach Kafka, each other and the servers; the operator reaches the scheduler; nothing else', () => {
    // GIVEN
    const { chart, runtime } = seldonPlatform();
    // THEN
    const manifests = synthValid(chart);
    const label = objectsOfKind(manifests, 'SeldonRuntime')[0].metadata.labels[RUNTIME_LABEL];
    const components = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mlops' } }, podSelector: { matchLabels: { [RUNTIME_LABEL]: label } } };
    const servers = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mlops' } }, podSelector: { matchLabels: { app: 'seldon-server' } } };
    expect(objectNamed(manifests, 'NetworkPolicy', 'seldon-componentsingress').spec).toEqual({
      podSelector: { matchLabels: { [RUNTIME_LABEL]: label } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [components], ports: [] }, { from: [servers], ports: [] }],
    });
    expect(objectNamed(manifests, 'NetworkPolicy', 'seldon-serversingress').spec).toEqual({
      podSelector: { matchLabels: { app: 'seldon-server' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [components], ports: [] }],
    });
    expect(objectNamed(manifests, 'NetworkPolicy', 'schedulerpods-allowfrom').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'seldon-scheduler', [RUNTIME_LABEL]: label } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'seldon-mesh' } }, podSelector: {} }], ports: [{ port: 9004, protocol: 'TCP' }] }],
    });
    expect(objectNamed(manifests, 'NetworkPolicy', 'kafka-allowfrom-test-seldon-componentpods').spec.ingress).toEqual([
      { from: [components], ports: [{ port: 9092, protocol: 'TCP' }] },
    ]);
    // inference through Envoy only for who is let in
    runtime.allowInferenceFrom(kplus.Namespaces.select(chart, 'Gateway', { names: ['istio-system'] }));
    expect(objectNamed(synthValid(chart), 'NetworkPolicy', 'envoypods-allowfrom').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'seldon-envoy', [RUNTIME_LABEL]: label } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: {} }], ports: [{ port: 9000, protocol: 'TCP' }] }],
    });
  });

  test('without an event bus, models work and the Kafka components are disabled; the pipeline gateway is not scraped', () => {
    // GIVEN
    const chart = testChart('mlops');
    // WHEN
    const runtime = new SeldonRuntime(chart, 'Seldon', { seldonConfig: 'restricted', operatorNamespace: 'seldon-system', serviceType: kplus.ServiceType.LOAD_BALANCER });
    // THEN
    const [resource] = objectsOfKind(synthValid(chart), 'SeldonRuntime');
    expect(resource.spec).toEqual({
      seldonConfig: 'restricted',
      overrides: ['hodometer', 'seldon-modelgateway', 'seldon-pipelinegateway', 'seldon-dataflow-engine'].map((name) => ({ name, disable: true })),
      config: { serviceConfig: { serviceType: 'LoadBalancer' }, tracingConfig: { disable: true } },
    });
    expect(runtime.scrapeTargets.map((t) => t.name)).toEqual(['seldon-agent', 'seldon-server']);
    expect(objectNamed(synthValid(chart), 'NetworkPolicy', 'schedulerpods-allowfrom').spec.ingress[0].from[0].namespaceSelector)
      .toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'seldon-system' } });
  });

  test('an external Kafka: the bootstrap list, comma-separated', () => {
    // GIVEN
    const chart = testChart('mlops');
    // WHEN
    new SeldonRuntime(chart, 'Seldon', { eventBus: Kafka.fromBootstrapServers(chart, 'Kafka', ['kafka-0.example.internal:9092', 'kafka-1.example.internal:9092']) });
    // THEN
    const [resource] = objectsOfKind(synthValid(chart), 'SeldonRuntime');
    expect(resource.spec.config.kafkaConfig).toEqual({ 'bootstrap.servers': 'kafka-0.example.internal:9092,kafka-1.example.internal:9092' });
  });

  test('scraped with upstream\'s PodMonitors: the agents, the servers and the pipeline gateway, once however many models share them', () => {
    // GIVEN
    const platform = seldonPlatform();
    const prometheus = new FederatedPrometheus(platform.chart, 'Prometheus', { clusterName: 'eu' });
    // WHEN
    prometheus.addTargets(sklearnModel(platform, 'iris'), sklearnModel(platform, 'wine'), platform.runtime);
    // THEN
    const manifests = synthValid(platform.chart);
    const monitors = objectsOfKind(manifests, 'PodMonitor');
    const label = objectsOfKind(manifests, 'SeldonRuntime')[0].metadata.labels[RUNTIME_LABEL];
    expect(monitors.map((m) => [
      m.metadata.name.replace(/-[0-9a-f]+$/, ''), m.spec.selector.matchLabels, m.spec.namespaceSelector, m.spec.podMetricsEndpoints.map((e: any) => [e.port, e.path, e.relabelings[0].replacement]),
    ])).toEqual([
      ['test-prometheus-monitor-mlops-seldon-agent', { app: 'seldon-server' }, { matchNames: ['mlops'] }, [['metrics', '/metrics', 'seldon-agent']]],
      ['test-prometheus-monitor-mlops-seldon-server', { app: 'seldon-server' }, { matchNames: ['mlops'] }, [['server-metrics', '/metrics', 'seldon-server']]],
      ['test-prometheus-monitor-mlops-seldon-pipelinegateway', { 'app.kubernetes.io/name': 'seldon-pipelinegateway', [RUNTIME_LABEL]: label },
        { matchNames: ['mlops'] }, [['metrics', '/metrics', 'seldon-pipelinegateway']]],
    ]);
    const scrapePorts = (name: string) => objectNamed(manifests, 'NetworkPolicy', `${name}-allowfrom-test-prometheus-pods`).spec.ingress[0].ports.map((p: any) => p.port);
    expect(scrapePorts('serverpods')).toEqual([9006, 8002]);
    expect(scrapePorts('pipelinegatewa')).toEqual([9006]);
    // the model-serving rules and rows of every backend, and Seldon's
    const groups = objectNamed(manifests, 'PrometheusRule', 'prometheus').spec.groups;
    const records = groups.flatMap((g: any) => g.rules).filter((r: any) => r.labels?.runtime === 'seldon');
    expect(records.map((r: any) => [r.record, r.expr])).toEqual([
      ['namespace_job_model:inference_requests:rate5m', 'sum by (namespace, job, model) (rate(seldon_model_infer_total[5m]))'],
      ['namespace_job_model:inference_request_errors:rate5m', 'sum by (namespace, job, model) (rate(seldon_model_infer_total{code!~"2..|OK"}[5m])) '
        + 'or sum by (namespace, job, model) (rate(seldon_model_infer_total[5m])) * 0'],
      ['namespace_job_model:inference_request_duration_seconds:mean5m', 'sum by (namespace, job, model) (rate(seldon_model_infer_seconds_total[5m])) '
        + '/ (sum by (namespace, job, model) (rate(seldon_model_infer_total[5m])) > 0)'],
    ]);
    const dashboard = JSON.parse(objectNamed(manifests, 'ConfigMap', 'modelservingdashboard').data['mlops-model-serving.json']);
    expect(dashboard.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title)).toEqual(['Traffic', 'Latency', 'Predictors', 'Seldon pipelines and servers']);
  });

  test('one runtime per namespace', () => {
    // GIVEN
    const app = Testing.app();
    new SeldonRuntime(new Chart(app, 'a', { namespace: 'mlops' }), 'Seldon');
    new SeldonRuntime(new Chart(app, 'b', { namespace: 'serving' }), 'Seldon');
    // THEN
    expect(() => new SeldonRuntime(new Chart(app, 'c', { namespace: 'mlops' }), 'Seldon')).toThrow(
      "SeldonRuntime 'c/Seldon': namespace 'mlops' is invalid: runtime 'a/Seldon' is there already, and Seldon runs one SeldonRuntime per namespace "
      + '(its Services have fixed names, e.g. seldon-mesh); put this one in a chart of another namespace, or use the other');
  });
});
