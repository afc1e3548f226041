import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parse } from 'yaml';
import { JaegerTraceStore, OtelCollector, RestrictedSecurity, SeldonRuntime } from '../../src';
import { airflow, fixture, synthValidWithTaskPod, taskPod } from '../orchestration/fixtures';
import { platform } from '../platform/mlops-core-fixtures';
import { container, envOf, objectNamed, podSpec, synthValid, testChart } from '../util';

/** Every component a pipeline names is defined, and every one defined is used (the collector refuses both otherwise). */
function expectPipelinesConsistent(config: any): void {
  const pipelines = Object.values(config.service.pipelines) as any[];
  for (const kind of ['receivers', 'processors', 'exporters']) {
    const used = new Set(pipelines.flatMap((pipeline) => pipeline[kind] ?? []));
    expect([...used].sort()).toEqual(Object.keys(config[kind] ?? {}).sort());
  }
  expect([...config.service.extensions].sort()).toEqual(Object.keys(config.extensions).sort());
}

function traced() {
  const chart = testChart('mlops');
  const traces = new JaegerTraceStore(chart, 'Traces');
  const collector = new OtelCollector(chart, 'Collector', { traceStore: traces });
  return { chart, traces, collector };
}

describe('OtelCollector', () => {
  test('OTLP gRPC 4317 and HTTP 4318 in, memory_limiter then batch, OTLP gRPC out to Jaeger', () => {
    const { chart, traces } = traced();
    const manifests = synthValid(chart);
    const config = parse(objectNamed(manifests, 'ConfigMap', 'collector-config').data['config.yaml']);
    expectPipelinesConsistent(config);
    expect(config.receivers.otlp.protocols).toEqual({ grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } });
    expect(config.service.pipelines.traces.processors).toEqual(['memory_limiter', 'batch']);
    expect(config.processors.memory_limiter).toEqual({ check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 });
    expect(config.exporters['otlp_grpc/traces']).toEqual({ endpoint: traces.otlpGrpcEndpoint.hostPort, tls: { insecure: true } });
    const collector = container(objectNamed(manifests, 'Deployment', 'collector'), 'otel-collector');
    expect(collector.args).toEqual(['--config=/etc/otelcol-contrib/config.yaml']);
    expect(collector.image).toBe('docker.io/otel/opentelemetry-collector-contrib:0.160.0');
    expect(envOf(collector).GOMEMLIMIT).toEqual({ value: '409MiB' });
    expect(collector.readinessProbe.httpGet).toEqual({ path: '/', port: 13133, scheme: 'HTTP' });
    expect(objectNamed(manifests, 'Service', 'collector-service').spec.ports.map((p: any) => [p.name, p.port]))
      .toEqual([['otlp-grpc', 4317], ['otlp-http', 4318], ['metrics', 8888]]);
  });

  test('Jaeger lets only the collector send spans', () => {
    const { chart } = traced();
    const manifests = synthValid(chart);
    const policy = objectNamed(manifests, 'NetworkPolicy', 'traces-allowfrom-test-collector');
    expect(policy.spec.ingress[0].ports).toEqual([{ port: 4317, protocol: 'TCP' }]);
  });

  test('instrument: the OTEL_* env of an OTel SDK, and the way in', () => {
    const { chart, collector } = traced();
    const runAs = { user: 1000, group: 1000 };
    const api = new kplus.Deployment(chart, 'Api', { securityContext: RestrictedSecurity.podProps(runAs) });
    const app = api.addContainer({
      image: 'registry.example.com/feature-api:1.0',
      securityContext: RestrictedSecurity.containerProps(runAs),
      resources: { cpu: { request: kplus.Cpu.millis(50) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) } },
    });
    collector.instrument(api, app, { serviceName: 'feature-api', sampleRatio: 0.25 });
    const manifests = synthValid(chart);
    expect(envOf(podSpec(objectNamed(manifests, 'Deployment', 'api')).containers[0])).toEqual({
      OTEL_SERVICE_NAME: { value: 'feature-api' },
      OTEL_EXPORTER_OTLP_ENDPOINT: { value: collector.otlpHttpEndpoint.url() },
      OTEL_EXPORTER_OTLP_PROTOCOL: { value: 'http/protobuf' },
      OTEL_TRACES_EXPORTER: { value: 'otlp' },
      OTEL_METRICS_EXPORTER: { value: 'none' },
      OTEL_LOGS_EXPORTER: { value: 'none' },
      OTEL_TRACES_SAMPLER: { value: 'parentbased_traceidratio' },
      OTEL_TRACES_SAMPLER_ARG: { value: '0.25' },
    });
    expect(objectNamed(manifests, 'NetworkPolicy', 'collector-allowfrom-test-api').spec.ingress[0].ports)
      .toEqual([{ port: 4317, protocol: 'TCP' }, { port: 4318, protocol: 'TCP' }]);
    expect(() => collector.instrument(api, app, { serviceName: 'feature-api' })).toThrow(
      "OtelCollector 'test/Collector': instrument: env var 'OTEL_SERVICE_NAME' is invalid: container 'main' has it already; instrument each container once");
  });

  test('bad input: an export endpoint that is not a URL, both or no destination, a memory share out of range', () => {
    const chart = testChart('mlops');
    expect(() => new OtelCollector(chart, 'NotUrl', { exportEndpoint: 'tempo.monitoring.svc:4317' })).toThrow(
      "OtelCollector 'test/NotUrl': exportEndpoint 'tempo.monitoring.svc:4317' is invalid: must be an absolute URL (http:// or https://host[:port][/path]), "
      + "e.g. 'http://tempo.monitoring.svc:4317'");
    expect(() => new OtelCollector(chart, 'Path', { exportEndpoint: 'http://tempo:4317/v1/traces' })).toThrow(
      "OtelCollector 'test/Path': exportEndpoint 'http://tempo:4317/v1/traces' is invalid: an OTLP gRPC receiver is reached at host and port, "
      + "without a path; e.g. 'http://tempo.monitoring.svc:4317'");
    expect(() => new OtelCollector(chart, 'None', {})).toThrow(
      "OtelCollector 'test/None': traceStore and exportEndpoint are invalid together: give exactly one of them, where the traces go");
    expect(() => new OtelCollector(chart, 'Share', { exportEndpoint: 'http://tempo:4317', memoryLimitPercentage: 100 })).toThrow(
      "memoryLimitPercentage '100' is invalid: must be a whole number from 10 to 95 (percent), e.g. 80");
    const tempo = new OtelCollector(chart, 'Tempo', { exportEndpoint: 'https://tempo.example.com:4317' });
    expect(parse(tempo.config).exporters['otlp_grpc/traces']).toEqual({ endpoint: 'tempo.example.com:4317', tls: { insecure: false } });
  });
});

describe('JaegerTraceStore', () => {
  test('Badger on a PVC with a TTL, the query API under the base path', () => {
    const chart = testChart('mlops');
    const traces = new JaegerTraceStore(chart, 'Traces', { retention: Duration.days(2), storageSize: Size.gibibytes(20), basePath: '/jaeger' });
    const manifests = synthValid(chart);
    const config = parse(objectNamed(manifests, 'ConfigMap', 'traces-config').data['config.yaml']);
    expectPipelinesConsistent(config);
    expect(config.extensions.jaeger_storage.backends.badger_store.badger).toEqual({
      directories: { keys: '/badger/keys', values: '/badger/values' }, ephemeral: false, ttl: { spans: '48h' },
    });
    expect(config.extensions.jaeger_query).toEqual({ storage: { traces: 'badger_store' }, base_path: '/jaeger', http: { endpoint: '0.0.0.0:16686' } });
    expect(objectNamed(manifests, 'PersistentVolumeClaim', 'traces-data').spec.resources.requests.storage).toBe('20Gi');
    const deployment = objectNamed(manifests, 'Deployment', 'traces');
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(container(deployment, 'jaeger').readinessProbe.httpGet.path).toBe('/jaeger/');
    expect(podSpec(deployment).securityContext).toMatchObject({ runAsUser: 10001, fsGroup: 10001 });
    expect(traces.queryUrl).toMatch(/^http:\/\/test-traces-service-[0-9a-f]+\.mlops\.svc:16686\/jaeger$/);
  });

  test('bad retention and base path', () => {
    const chart = testChart('mlops');
    expect(() => new JaegerTraceStore(chart, 'A', { retention: Duration.minutes(30) })).toThrow(
      "JaegerTraceStore 'test/A': retention '30 minutes' is invalid: must be whole seconds, at least 60 minutes; e.g. Duration.days(7)");
    expect(() => new JaegerTraceStore(chart, 'C', { retention: Duration.minutes(90) })).toThrow(
      "JaegerTraceStore 'test/C': retention 1.5h is invalid: give whole hours, e.g. Duration.days(7)");
    expect(() => new JaegerTraceStore(chart, 'B', { basePath: 'jaeger' })).toThrow("basePath 'jaeger' is invalid: must start with '/'");
  });
});

describe('Airflow traces', () => {
  test('[traces] in every component and task pod, OTLP/HTTP to 4318, and the collector lets Airflow in', () => {
    const f = fixture();
    const af = airflow(f);
    const collector = new OtelCollector(f.chart, 'Collector', { traceStore: new JaegerTraceStore(f.chart, 'Traces') });
    af.useTracing(collector);
    const { manifests, pod } = synthValidWithTaskPod(f.chart);
    const expected = {
      AIRFLOW__TRACES__OTEL_ON: { value: 'True' },
      AIRFLOW__TRACES__OTEL_HOST: { value: collector.otlpHttpEndpoint.host },
      AIRFLOW__TRACES__OTEL_PORT: { value: '4318' },
      AIRFLOW__TRACES__OTEL_SERVICE: { value: 'airflow' },
      AIRFLOW__TRACES__OTEL_SSL_ACTIVE: { value: 'False' },
    };
    expect(envOf(container(objectNamed(manifests, 'Deployment', 'airflow-scheduler'), 'scheduler'))).toMatchObject(expected);
    expect(envOf(taskPod(manifests).spec.containers[0])).toMatchObject(expected);
    expect(envOf(pod.spec.containers[0])).toMatchObject(expected);
    expect(objectNamed(manifests, 'NetworkPolicy', 'collector-allowfrom-test-airflow').spec.ingress[0].ports)
      .toEqual([{ port: 4317, protocol: 'TCP' }, { port: 4318, protocol: 'TCP' }]);
    expect(() => af.useTracing(collector)).toThrow("GitSyncAirflow 'test/Airflow': useTracing was called before: Airflow exports to one collector; call it once");
  });
});

describe('MlopsCore tracing', () => {
  test('the collector, Jaeger as a Grafana data source that Grafana may query, Airflow traced, both scraped', () => {
    const core = platform({ tracing: true });
    const { manifests } = synthValidWithTaskPod(core.node.scope as any);
    const datasources = parse(objectNamed(manifests, 'ConfigMap', 'grafana-provisioning').data['datasources.yaml']).datasources;
    expect(datasources[1]).toEqual({ name: 'Jaeger', uid: 'jaeger', type: 'jaeger', access: 'proxy', url: core.traceStore!.queryUrl, editable: false });
    expect(objectNamed(manifests, 'NetworkPolicy', 'allowfrom-test-platform-grafana-c89563df').spec.ingress[0].ports).toEqual([{ port: 16686, protocol: 'TCP' }]);
    expect(envOf(container(objectNamed(manifests, 'Deployment', 'airflow-apiserver'), 'api-server')).AIRFLOW__TRACES__OTEL_ON).toEqual({ value: 'True' });
    const monitors = manifests.filter((m) => m.kind === 'ServiceMonitor').map((m) => m.metadata.name);
    expect(monitors.filter((name) => /otel-collector|jaeger/.test(name))).toHaveLength(2);
  });

  test('off by default', () => {
    expect(platform().tracing).toBeUndefined();
  });
});

describe('Seldon traces', () => {
  test('the runtime exports to the collector over OTLP gRPC, and the collector lets its pods in', () => {
    const chart = testChart('mlops');
    const collector = new OtelCollector(chart, 'Collector', { traceStore: new JaegerTraceStore(chart, 'Traces') });
    new SeldonRuntime(chart, 'Seldon', { name: 'seldon', tracing: collector, tracingRatio: 0.5 });
    const manifests = synthValid(chart);
    expect(objectNamed(manifests, 'SeldonRuntime', 'seldon').spec.config.tracingConfig).toEqual({
      otelExporterEndpoint: collector.otlpGrpcEndpoint.hostPort, ratio: '0.5',
    });
    expect(objectNamed(manifests, 'NetworkPolicy', 'collector-allowfrom-test-seldon-componentpods').spec.ingress[0].ports)
      .toEqual([{ port: 4317, protocol: 'TCP' }, { port: 4318, protocol: 'TCP' }]);
    expect(() => new SeldonRuntime(testChart('other'), 'Seldon', { tracingRatio: 0.5 })).toThrow(
      "SeldonRuntime 'test/Seldon': tracingRatio '0.5' is invalid without tracing: it is the share of the requests traced; give it together with "
      + 'tracing, e.g. { tracing: platform.tracing, tracingRatio: 0.1 }');
    expect(() => new SeldonRuntime(testChart('other'), 'Seldon', { tracingRatio: 1.5 })).toThrow(
      "SeldonRuntime 'test/Seldon': tracingRatio '1.5' is invalid: give the share of requests traced, more than 0 and at most 1, e.g. 0.1");
  });
});
