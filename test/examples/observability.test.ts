import { App, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { expectNoSecretValues } from './example-checks';
import { ObservabilityChart } from '../../examples/observability/observability-chart';
import { container, envOf, objectNamed, objectsOfKind, validManifests } from '../util';

function synthAll(): { chart: ObservabilityChart; manifests: any[] } {
  const app = Testing.app();
  const chart = new ObservabilityChart(app, 'observability');
  return { chart, manifests: validManifests(app.charts.flatMap((c) => Testing.synth(c))) };
}

describe('examples/observability', () => {
  const { chart, manifests } = synthAll();

  test('two charts: the platform, and the log shipper in its privileged namespace; every object passes the harness', () => {
    expect((chart.node.scope as App).charts.map((c) => c.namespace)).toEqual(['observability', 'observability-logs']);
    expect(objectNamed(manifests, 'Namespace', 'observability-logs').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    const platformNamespace = objectsOfKind(manifests, 'Namespace').find((n) => n.metadata.name === 'observability');
    expect(platformNamespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('Grafana reads Prometheus, Jaeger and Loki', () => {
    const datasources = parse(objectNamed(manifests, 'ConfigMap', 'grafana-provisioning').data['datasources.yaml']).datasources;
    expect(datasources.map((d: any) => d.type)).toEqual(['prometheus', 'jaeger', 'loki']);
  });

  test('the drift detector is scraped and traced, and its drift retrains the model', () => {
    expect(objectsOfKind(manifests, 'PodMonitor').some((m) => m.metadata.name.includes('drift-detector'))).toBe(true);
    const detector = envOf(container(objectNamed(manifests, 'Deployment', 'driftdetector'), 'detector'));
    expect(detector.OTEL_SERVICE_NAME).toEqual({ value: 'drift-detector' });
    expect(detector.OTEL_EXPORTER_OTLP_ENDPOINT).toEqual({ value: chart.platform.tracing!.otlpHttpEndpoint.url() });
    expect(chart.retrain.dags).toEqual({ ModelDriftRetrain: 'retrain' });
  });

  test('no secret value is synthesized', () => {
    expectNoSecretValues(manifests);
  });
});
