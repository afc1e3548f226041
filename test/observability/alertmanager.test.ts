import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parsePromQL } from './harness';
import { MlopsAlerts, ResolvedAlertThresholds } from '../../src/core/monitoring';
import { Alertmanager, DriftRetrainRule, FederatedPrometheus, PrometheusRole } from '../../src/observability';
import { SeriesScope } from '../../src/observability/promql';
import { objectNamed, objectsOfKind, synthValid, testChart } from '../util';

function wired(props: Partial<ConstructorParameters<typeof Alertmanager>[2]> = {}) {
  const chart = testChart('monitoring');
  const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central' });
  const alertmanager = new Alertmanager(chart, 'Alertmanager', { configLabels: prometheus.monitorLabels, ...props });
  prometheus.addAlertmanager(alertmanager.alertmanagerEndpoint);
  alertmanager.allowFrom(prometheus.pods);
  prometheus.addTargets(alertmanager);
  return { chart, prometheus, alertmanager };
}

describe('Alertmanager', () => {
  test('the CR: pinned image and version, storage, restricted pod, and the routes of the Prometheus selected', () => {
    const { chart, prometheus } = wired();
    const manifests = synthValid(chart);
    const spec = objectNamed(manifests, 'Alertmanager', 'alertmanager').spec;
    expect(spec).toEqual({
      image: 'quay.io/prometheus/alertmanager:v0.33.1',
      version: 'v0.33.1',
      replicas: 1,
      retention: '120h',
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      automountServiceAccountToken: false,
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
      storage: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      alertmanagerConfigSelector: { matchLabels: prometheus.monitorLabels },
      alertmanagerConfigMatcherStrategy: { type: 'OnNamespace' },
    });
  });

  test('Prometheus sends its alerts to the Service, which selects the operator\'s pods; only Prometheus gets in', () => {
    const { chart } = wired();
    const manifests = synthValid(chart);
    const name = objectNamed(manifests, 'Alertmanager', 'alertmanager').metadata.name;
    const service = objectNamed(manifests, 'Service', 'alertmanager-service');
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'alertmanager', 'alertmanager': name });
    expect(service.spec.ports).toEqual([{ name: 'web', port: 9093, targetPort: 9093 }]);
    expect(objectNamed(manifests, 'Prometheus', 'prometheus').spec.alerting).toEqual({
      alertmanagers: [{ name: service.metadata.name, namespace: 'monitoring', port: 'web', apiVersion: 'v2' }],
    });
    const policy = objectsOfKind(manifests, 'NetworkPolicy').find((p) => p.metadata.name.includes('alertmanager-allowfrom'));
    expect(policy.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'alertmanager', 'alertmanager': name });
    expect(policy.spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': objectNamed(manifests, 'Prometheus', 'prometheus').metadata.name } },
      }],
      ports: [{ port: 9093, protocol: 'TCP' }],
    }]);
    expect(objectNamed(manifests, 'ServiceMonitor', 'alertmanager').spec.endpoints[0]).toMatchObject({ port: 'web', path: '/metrics' });
  });

  test('an alert route works out of the box: its AlertmanagerConfig carries the labels the Alertmanager selects', () => {
    const { chart, prometheus } = wired();
    prometheus.addAlertRoute('oncall', { alerts: [MlopsAlerts.MODEL_DRIFTED], webhookUrl: 'http://hooks.example.com/drift' });
    const manifests = synthValid(chart);
    const config = objectNamed(manifests, 'AlertmanagerConfig', 'alertroute-oncall');
    expect(config.metadata.labels).toMatchObject(objectNamed(manifests, 'Alertmanager', 'alertmanager').spec.alertmanagerConfigSelector.matchLabels);
    expect(config.metadata.namespace).toBe('monitoring');
  });

  test('a route prefix reaches the CR, the Prometheus alerting entry and the scrapes; two replicas gossip on 9094', () => {
    const { chart } = wired({
      routePrefix: '/alertmanager',
      externalUrl: 'https://mlops.example.com/alertmanager',
      replicas: 2,
      retention: Duration.hours(48),
      storageSize: Size.gibibytes(2),
      storageClassName: 'fast',
    });
    const manifests = synthValid(chart);
    const spec = objectNamed(manifests, 'Alertmanager', 'alertmanager').spec;
    expect(spec).toMatchObject({ routePrefix: '/alertmanager', externalUrl: 'https://mlops.example.com/alertmanager', replicas: 2, retention: '48h' });
    expect(spec.storage.volumeClaimTemplate.spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '2Gi' } } });
    expect(objectNamed(manifests, 'Prometheus', 'prometheus').spec.alerting.alertmanagers[0].pathPrefix).toBe('/alertmanager');
    expect(objectNamed(manifests, 'ServiceMonitor', 'alertmanager').spec.endpoints[0].path).toBe('/alertmanager/metrics');
    const gossip = objectNamed(manifests, 'NetworkPolicy', 'alertmanager-allowgossip');
    expect(gossip.spec.ingress[0].ports).toEqual([{ port: 9094, protocol: 'TCP' }, { port: 9094, protocol: 'UDP' }]);
  });

  test('bad input', () => {
    const make = (props: any) => () => wired(props);
    expect(make({ configLabels: {} })).toThrow("Alertmanager 'test/Alertmanager': configLabels is invalid: it is empty, and an empty selector merges "
      + 'every AlertmanagerConfig of the namespace; give the labels your routes carry, e.g. prometheus.monitorLabels');
    expect(make({ routePrefix: '/alertmanager/' })).toThrow("routePrefix '/alertmanager/' is invalid: must start with '/', not end with one");
    expect(make({ externalUrl: 'mlops.example.com' })).toThrow("externalUrl 'mlops.example.com' is invalid: must be an absolute URL (http:// or https://host[:port][/path])");
    expect(make({ replicas: 0 })).toThrow("replicas '0' is invalid: must be a whole number from 1 to 9");
    expect(make({ image: 'registry.example.com/alertmanager:latest' })).toThrow("image 'registry.example.com/alertmanager:latest' is invalid without version");
    const { prometheus, alertmanager } = wired();
    expect(() => prometheus.addAlertmanager(alertmanager.alertmanagerEndpoint)).toThrow(
      `FederatedPrometheus 'test/Prometheus': addAlertmanager: serviceName '${alertmanager.service.name}' is invalid: that Alertmanager was added already; add each once`);
  });
});

describe('DriftRetrainRule', () => {
  test('a primary evaluates it over the drift rate of every cluster, a secondary over its own', () => {
    const chart = testChart('monitoring');
    const central = new FederatedPrometheus(chart, 'Central', { clusterName: 'central', role: PrometheusRole.PRIMARY });
    const edge = new FederatedPrometheus(chart, 'Edge', { clusterName: 'edge' });
    central.addMonitoring(DriftRetrainRule.of(central, { threshold: 2, window: Duration.hours(6) }));
    edge.addMonitoring(DriftRetrainRule.of(edge));
    const manifests = synthValid(chart);
    const alert = (fragment: string) => objectNamed(manifests, 'PrometheusRule', fragment).spec.groups
      .find((g: any) => g.name === 'mlops.alerts').rules.find((r: any) => r.alert === 'ModelDriftRetrain');
    expect(alert('central').expr).toBe('sum by (cluster, namespace, job, model) (avg_over_time(namespace_job_model:model_drifted:rate5m[6h])) * 21600 > 2');
    expect(alert('edge').expr).toBe('sum by (cluster, namespace, job, model) (avg_over_time(namespace_job_model:model_drifted:rate5m{cluster="edge"}[1h])) * 3600 > 0');
    const drifted = objectNamed(manifests, 'PrometheusRule', 'central').spec.groups
      .find((g: any) => g.name === 'mlops.alerts').rules.find((r: any) => r.alert === MlopsAlerts.MODEL_DRIFTED);
    expect(drifted.expr).toBe('sum by (cluster, namespace, job, model) (avg_over_time(namespace_job_model:model_drifted:rate5m[1h])) * 3600 > 0');
  });

  test('the rule parses with Prometheus\' own grammar and reads only the recorded drift rate', () => {
    const chart = testChart('monitoring');
    const central = new FederatedPrometheus(chart, 'Central', { clusterName: 'central', role: PrometheusRole.PRIMARY });
    const rule = DriftRetrainRule.of(central, { threshold: 1 });
    const [alert] = rule.alertRules(new SeriesScope('central', true), ResolvedAlertThresholds.resolve(central));
    expect(parsePromQL(alert.expr)).toEqual({ errors: [], metricNames: ['namespace_job_model:model_drifted:rate5m'] });
  });

  test('bad thresholds and windows', () => {
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central' });
    expect(() => DriftRetrainRule.of(prometheus, { threshold: 1.5 })).toThrow(
      "FederatedPrometheus 'test/Prometheus': threshold '1.5' is invalid: must be a whole number 0 or more (drift detections; 0: any detection), e.g. 3");
    expect(() => DriftRetrainRule.of(prometheus, { window: Duration.minutes(1) })).toThrow(
      "FederatedPrometheus 'test/Prometheus': window '1 minute' is invalid: must be whole seconds, at least 5 minutes (the detections are counted from a 5-minute rate); e.g. Duration.hours(1)");
  });
});

test('an existing pod peer may also be let in, e.g. an Ingress controller namespace', () => {
  const { chart, alertmanager } = wired();
  alertmanager.allowFrom(kplus.Namespaces.select(chart, 'IngressNginx', { names: ['ingress-nginx'] }));
  const manifests = synthValid(chart);
  expect(objectsOfKind(manifests, 'NetworkPolicy').filter((p) => p.metadata.name.includes('alertmanager-allowfrom'))).toHaveLength(2);
});
