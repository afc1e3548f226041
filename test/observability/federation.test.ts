import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ServiceEndpoint } from '../../src/core/endpoint';
import { MlopsAlerts } from '../../src/core/monitoring';
import { FederatedPrometheus, PrometheusRole } from '../../src/observability';
import { objectNamed, objectsOfKind, synthValid, testChart, validManifests } from '../util';

function primary(chart: Chart, props: Partial<ConstructorParameters<typeof FederatedPrometheus>[2]> = {}): FederatedPrometheus {
  return new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central', role: PrometheusRole.PRIMARY, ...props });
}

describe('FederatedPrometheus federation', () => {
  test('a primary federates a secondary of the same app: /federate, honor_labels, the aggregates, a timeout for large answers', () => {
    // GIVEN
    const app = Testing.app();
    const central = new Chart(app, 'central', { namespace: 'monitoring' });
    const serving = new Chart(app, 'serving', { namespace: 'serving-monitoring' });
    const secondary = new FederatedPrometheus(serving, 'Prometheus', { clusterName: 'serving-eu-1' });
    const prometheus = primary(central);
    // WHEN
    prometheus.addFederatedCluster({ clusterName: 'serving-eu-1', endpoint: secondary.endpoint });
    // THEN
    const manifests = validManifests([...Testing.synth(central), ...Testing.synth(serving)]);
    const scrapeConfig = objectNamed(manifests, 'ScrapeConfig', 'federate-serving-eu-1');
    expect(scrapeConfig.metadata.namespace).toBe('monitoring');
    expect(scrapeConfig.spec).toEqual({
      jobName: 'federate-serving-eu-1',
      metricsPath: '/federate',
      honorLabels: true,
      params: { 'match[]': ['{__name__=~".+:.+"}'] },
      scheme: 'http',
      scrapeInterval: '1m',
      scrapeTimeout: '50s',
      staticConfigs: [{
        targets: [`${objectNamed(manifests, 'Service', 'serving-prometheus').metadata.name}.serving-monitoring.svc:9090`],
      }],
    });
    const secondarySpec = objectsOfKind(manifests, 'Prometheus').find((p) => p.metadata.namespace === 'serving-monitoring').spec;
    expect(secondarySpec.externalLabels).toEqual({ cluster: 'serving-eu-1' });
  });

  test('a secondary in another cluster over https, with the model namespaces pulled raw and a longer interval', () => {
    // GIVEN
    const chart = testChart('monitoring');
    const prometheus = primary(chart);
    // WHEN
    prometheus.addFederatedCluster({
      clusterName: 'serving-us-1',
      endpoint: ServiceEndpoint.fromHost('prometheus.us-1.example.com', 443, 'https'),
      modelNamespaces: ['models', 'models-canary'],
      scrapeInterval: Duration.minutes(2),
      scrapeTimeout: Duration.seconds(90),
    });
    // THEN
    const spec = objectNamed(synthValid(chart), 'ScrapeConfig', 'federate-serving-us-1').spec;
    expect(spec).toMatchObject({
      scheme: 'https',
      scrapeInterval: '2m',
      scrapeTimeout: '90s',
      params: { 'match[]': ['{__name__=~".+:.+"}', '{namespace=~"models|models-canary"}'] },
      staticConfigs: [{ targets: ['prometheus.us-1.example.com:443'] }],
    });
  });

  test('match replaces the selectors', () => {
    const chart = testChart('monitoring');
    primary(chart).addFederatedCluster({
      clusterName: 'b', endpoint: ServiceEndpoint.fromHost('10.0.0.7', 9090), match: ['{__name__=~"namespace_job_model:.+"}', 'up'],
    });
    expect(objectNamed(synthValid(chart), 'ScrapeConfig', 'federate-b').spec.params).toEqual({
      'match[]': ['{__name__=~"namespace_job_model:.+"}', 'up'],
    });
  });

  test('remote write instead: the secondary pushes its aggregates to the primary\'s receiver', () => {
    // GIVEN
    const app = Testing.app();
    const central = new Chart(app, 'central', { namespace: 'monitoring' });
    const serving = new Chart(app, 'serving', { namespace: 'monitoring' });
    const prometheus = primary(central, { enableRemoteWriteReceiver: true });
    const secondary = new FederatedPrometheus(serving, 'Prometheus', { clusterName: 'serving-eu-1' });
    // WHEN
    secondary.addRemoteWrite({ url: prometheus.endpoint.url('/api/v1/write') });
    secondary.addRemoteWrite({ url: 'https://mimir.example.com/api/v1/push', seriesNameRegex: 'namespace_job_model:.+' });
    // THEN
    const manifests = validManifests([...Testing.synth(central), ...Testing.synth(serving)]);
    const [primarySpec, secondarySpec] = ['central', 'serving'].map((chart) => objectNamed(manifests, 'Prometheus', `${chart}-prometheus`).spec);
    expect(primarySpec.enableRemoteWriteReceiver).toBe(true);
    expect(secondarySpec.remoteWrite).toEqual([
      {
        url: `http://${objectNamed(manifests, 'Service', 'central-prometheus').metadata.name}.monitoring.svc:9090/api/v1/write`,
        writeRelabelConfigs: [{ sourceLabels: ['__name__'], regex: '.+:.+', action: 'keep' }],
      },
      {
        url: 'https://mimir.example.com/api/v1/push',
        writeRelabelConfigs: [{ sourceLabels: ['__name__'], regex: 'namespace_job_model:.+', action: 'keep' }],
      },
    ]);
    expect(secondarySpec.externalLabels).toEqual({ cluster: 'serving-eu-1' });
  });

  test('fails to federate from a secondary', () => {
    const prometheus = new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'serving-eu-1' });
    expect(() => prometheus.addFederatedCluster({ clusterName: 'b', endpoint: prometheus.endpoint })).toThrow(
      "FederatedPrometheus 'test/Prometheus': addFederatedCluster('b'): this Prometheus is a secondary: only a primary federates other "
      + 'clusters; create it with role: PrometheusRole.PRIMARY');
  });

  test('fails on a scrape timeout longer than the interval', () => {
    const prometheus = primary(testChart('monitoring'));
    expect(() => prometheus.addFederatedCluster({
      clusterName: 'b', endpoint: prometheus.endpoint, scrapeInterval: Duration.seconds(30), scrapeTimeout: Duration.minutes(1),
    })).toThrow("FederatedPrometheus 'test/Prometheus': addFederatedCluster('b'): scrapeTimeout 1m is invalid: it must be longer than 0 "
      + 'and at most scrapeInterval 30s, or Prometheus rejects the job; raise scrapeInterval or lower scrapeTimeout');
  });

  test('fails on federating a cluster twice, or itself', () => {
    const prometheus = primary(testChart('monitoring'));
    prometheus.addFederatedCluster({ clusterName: 'b', endpoint: prometheus.endpoint });
    expect(() => prometheus.addFederatedCluster({ clusterName: 'b', endpoint: prometheus.endpoint })).toThrow(
      "FederatedPrometheus 'test/Prometheus': addFederatedCluster('b'): clusterName is invalid: that cluster is federated already; add each secondary once");
    expect(() => prometheus.addFederatedCluster({ clusterName: 'central', endpoint: prometheus.endpoint })).toThrow(
      "FederatedPrometheus 'test/Prometheus': addFederatedCluster('central'): clusterName is invalid: it is the cluster name of this "
      + 'Prometheus itself; give the clusterName of the secondary');
  });

  test('fails on a remote write URL without a scheme', () => {
    const prometheus = new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'a' });
    expect(() => prometheus.addRemoteWrite({ url: 'prometheus.monitoring.svc:9090/api/v1/write' })).toThrow(
      "FederatedPrometheus 'test/Prometheus': addRemoteWrite: url 'prometheus.monitoring.svc:9090/api/v1/write' is invalid: must be an "
      + "absolute URL (http:// or https://host[:port][/path]), e.g. 'http://prometheus.monitoring.svc:9090/api/v1/write'");
  });

  test('a match[] selector that is not PromQL and a series regex that is not RE2 are refused where they enter', () => {
    const prometheus = new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'central', role: PrometheusRole.PRIMARY });
    const endpoint = ServiceEndpoint.fromHost('10.0.0.7', 9090);
    expect(() => prometheus.addFederatedCluster({ clusterName: 'b', endpoint, match: ['{__name__=~"namespace_job_model:.+"', 'up'] })).toThrow(
      "FederatedPrometheus 'test/Prometheus': addFederatedCluster: match[0] '{__name__=~\"namespace_job_model:.+\"' is invalid: PromQL syntax "
      + 'error at its end (something is not closed or is missing)');
    expect(() => prometheus.addRemoteWrite({ url: 'http://thanos.monitoring.svc:19291/api/v1/receive', seriesNameRegex: '(?!up).+' })).toThrow(
      "FederatedPrometheus 'test/Prometheus': addRemoteWrite: seriesNameRegex '(?!up).+' is invalid: invalid or unsupported Perl syntax: `(?!`; "
      + 'it is Go RE2 syntax');
  });
});

describe('FederatedPrometheus.addAlertRoute', () => {
  const alertmanager = { serviceName: 'alertmanager-operated' };

  test('a webhook receiver for the drift alert, matching on the alert name, with resolved notifications', () => {
    // GIVEN
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a', alertmanager });
    // WHEN
    prometheus.addAlertRoute('retrain', { alerts: [MlopsAlerts.MODEL_DRIFTED], webhookUrl: 'http://retrain.mlops.svc:8080/hooks/drift' });
    // THEN
    const manifests = synthValid(chart);
    expect(objectNamed(manifests, 'Prometheus', 'prometheus').spec.alerting).toEqual({
      alertmanagers: [{ apiVersion: 'v2', name: 'alertmanager-operated', namespace: 'monitoring', port: 'web' }],
    });
    const config = objectNamed(manifests, 'AlertmanagerConfig', 'alertroute-retrain');
    expect(config.apiVersion).toBe('monitoring.coreos.com/v1alpha1');
    expect(config.spec).toEqual({
      route: {
        receiver: 'webhook',
        groupBy: ['alertname', 'cluster', 'target_namespace', 'model'],
        repeatInterval: '4h',
        matchers: [{ name: 'alertname', value: 'ModelDrifted' }],
      },
      receivers: [{ name: 'webhook', webhookConfigs: [{ url: 'http://retrain.mlops.svc:8080/hooks/drift', sendResolved: true }] }],
    });
  });

  test('several alerts, more matchers, a URL from a Secret', () => {
    // GIVEN
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a', alertmanager });
    const secret = kplus.Secret.fromSecretName(chart, 'Pager', 'pager-webhook');
    // WHEN
    prometheus.addAlertRoute('pager', {
      alerts: [MlopsAlerts.MODEL_PREDICTOR_DOWN, MlopsAlerts.AIRFLOW_SCHEDULER_HEARTBEAT_MISSING],
      matchLabels: { severity: 'critical' },
      webhookUrlSecret: secret,
      sendResolved: false,
      groupBy: ['alertname'],
      repeatInterval: Duration.minutes(30),
    });
    // THEN
    const spec = objectNamed(synthValid(chart, [{ kind: 'Secret', name: 'pager-webhook' }]), 'AlertmanagerConfig', 'pager').spec;
    expect(spec.route).toEqual({
      receiver: 'webhook',
      groupBy: ['alertname'],
      repeatInterval: '30m',
      matchers: [
        { name: 'alertname', matchType: '=~', value: 'ModelPredictorDown|AirflowSchedulerHeartbeatMissing' },
        { name: 'severity', value: 'critical' },
      ],
    });
    expect(spec.receivers[0].webhookConfigs).toEqual([{ urlSecret: { name: 'pager-webhook', key: 'url' }, sendResolved: false }]);
  });

  test('fails without an Alertmanager to send to', () => {
    const prometheus = new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'a' });
    expect(() => prometheus.addAlertRoute('retrain', { alerts: [MlopsAlerts.MODEL_DRIFTED], webhookUrl: 'http://retrain:8080' })).toThrow(
      "FederatedPrometheus 'test/Prometheus': addAlertRoute('retrain'): the alerts would never reach an Alertmanager: give the "
      + "alertmanager prop (e.g. { serviceName: 'alertmanager-operated' }) or call addAlertmanager first, so that Prometheus sends them");
  });

  test('fails on an alert this construct does not define', () => {
    const prometheus = new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'a', alertmanager });
    expect(() => prometheus.addAlertRoute('retrain', { alerts: ['ModelDrift'], webhookUrl: 'http://retrain:8080' })).toThrow(
      "FederatedPrometheus 'test/Prometheus': addAlertRoute('retrain'): alerts is invalid: 'ModelDrift' is not defined here; use "
      + 'ModelHighErrorRatio, ModelHighLatency, ModelPredictorDown, ModelDrifted, ScrapeTargetDown, AirflowDagRunFailed, '
      + 'AirflowSchedulerHeartbeatMissing, MinioCapacityLow, DatabaseDown');
  });

  test('fails on both a URL and a URL Secret', () => {
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a', alertmanager });
    expect(() => prometheus.addAlertRoute('retrain', {
      alerts: [MlopsAlerts.MODEL_DRIFTED], webhookUrl: 'http://retrain:8080', webhookUrlSecret: kplus.Secret.fromSecretName(chart, 'S', 's'),
    })).toThrow("FederatedPrometheus 'test/Prometheus': addAlertRoute('retrain'): webhookUrl and webhookUrlSecret are invalid together: give exactly one of them");
  });
});
