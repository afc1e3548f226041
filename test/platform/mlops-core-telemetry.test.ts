import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parse } from 'yaml';
import { existingSecrets, NAMESPACE, platform } from './mlops-core-fixtures';
import {
  DagSource, MultiClusterPlatform, PlatformAccess, PlatformProfile, PrometheusRole, SecretSource, ServiceEndpoint,
} from '../../src';
import { synthValidWithTaskPod } from '../orchestration/fixtures';
import { container, envOf, objectNamed, objectsOfKind, testChart, validManifests } from '../util';

function alertsOf(manifests: any[]): any[] {
  return objectNamed(manifests, 'PrometheusRule', 'prometheus-rules').spec.groups.find((g: any) => g.name === 'mlops.alerts').rules;
}

describe('MlopsCore Alertmanager', () => {
  test('monitoring on: an Alertmanager that the Prometheus sends to and that selects its routes', () => {
    const core = platform();
    const { manifests } = synthValidWithTaskPod(core.node.scope as any);
    const alertmanager = objectNamed(manifests, 'Alertmanager', 'platform-alertmanager');
    expect(alertmanager.spec.alertmanagerConfigSelector.matchLabels).toEqual(core.prometheus!.monitorLabels);
    expect(alertmanager.spec.replicas).toBe(1);
    expect(objectNamed(manifests, 'Prometheus', 'platform-prometheus').spec.alerting.alertmanagers).toEqual([{
      name: core.alertmanager!.service.name, namespace: NAMESPACE, port: 'web', apiVersion: 'v2',
    }]);
  });

  test('addAlertRoute works out of the box', () => {
    const core = platform();
    core.prometheus!.addAlertRoute('oncall', { alerts: ['ModelDrifted'], webhookUrl: 'http://hooks.example.com/drift' });
    const { manifests } = synthValidWithTaskPod(core.node.scope as any);
    expect(objectNamed(manifests, 'AlertmanagerConfig', 'alertroute-oncall').metadata.labels).toMatchObject(core.prometheus!.monitorLabels);
  });

  test('production: two replicas that gossip', () => {
    const chart = testChart(NAMESPACE);
    const { secrets, externals } = existingSecrets(chart);
    const core = platform({ profile: PlatformProfile.PRODUCTION, secrets }, chart);
    const { manifests } = synthValidWithTaskPod(chart, externals);
    expect(objectNamed(manifests, 'Alertmanager', 'platform-alertmanager').spec.replicas).toBe(2);
    expect(objectNamed(manifests, 'NetworkPolicy', 'alertmanager-allowgossip')).toBeDefined();
    expect(core.alertmanager).toBeDefined();
  });

  test('monitoring off: no Alertmanager', () => {
    const core = platform({ monitoring: false });
    expect(core.alertmanager).toBeUndefined();
  });
});

describe('MlopsCore.retrainOnDrift', () => {
  const core = platform();
  const trigger = core.retrainOnDrift({ dag: 'retrain', threshold: 2, window: Duration.hours(6), cooldown: Duration.hours(2) });
  const { manifests } = synthValidWithTaskPod(core.node.scope as any);

  test('the rule: more than threshold detections within window', () => {
    const rule = alertsOf(manifests).find((r) => r.alert === 'ModelDriftRetrain');
    expect(rule.expr).toBe('sum by (cluster, namespace, job, model) (avg_over_time(namespace_job_model:model_drifted:rate5m{cluster="platform"}[6h])) * 21600 > 2');
  });

  test('the route: the alert to the trigger\'s webhook, without resolved notifications', () => {
    const route = objectNamed(manifests, 'AlertmanagerConfig', 'alertroute-retrain-on-drift').spec;
    expect(route.route.matchers).toEqual([{ name: 'alertname', value: 'ModelDriftRetrain' }]);
    expect(route.receivers).toEqual([{ name: 'webhook', webhookConfigs: [{ url: trigger.webhookUrl, sendResolved: false }] }]);
    expect(trigger.webhookUrl).toMatch(new RegExp(`^http://test-platform-retrainondrift-service-[0-9a-f]+\\.${NAMESPACE}\\.svc:8080/alerts$`));
  });

  test('the trigger: the DAG by alert, the cooldown, the Airflow api-server', () => {
    const config = JSON.parse(objectNamed(manifests, 'ConfigMap', 'retrainondrift-config').data['config.json']);
    expect(config).toMatchObject({ dags: { ModelDriftRetrain: 'retrain' }, cooldownSeconds: 7200, airflowUrl: core.airflow.apiUrl });
    const receiver = container(objectNamed(manifests, 'Deployment', 'retrainondrift'), 'receiver');
    expect(envOf(receiver).AIRFLOW_PASSWORD.valueFrom.secretKeyRef.key).toBe('password');
  });

  test('network: Alertmanager to the webhook, Prometheus to the metrics, the receiver to the api-server only', () => {
    const receiverPods = objectNamed(manifests, 'NetworkPolicy', 'retrainondrift-egress').spec.podSelector;
    const policies = objectsOfKind(manifests, 'NetworkPolicy').filter((p) => p.spec.ingress && JSON.stringify(p.spec.podSelector) === JSON.stringify(receiverPods));
    expect(policies).toHaveLength(2);
    const byPort = Object.fromEntries(policies.map((p) => [p.spec.ingress[0].ports[0].port, p.spec.ingress[0].from[0].podSelector.matchLabels]));
    expect(byPort[8080]).toEqual({ 'app.kubernetes.io/name': 'alertmanager', 'alertmanager': core.alertmanager!.alertmanagerName });
    expect(byPort[9102]).toMatchObject({ 'app.kubernetes.io/name': 'prometheus' });
    expect(objectNamed(manifests, 'NetworkPolicy', 'retrainondrift-egress').spec.egress[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(objectsOfKind(manifests, 'ServiceMonitor').some((m) => m.metadata.name.includes('retrain-trigger'))).toBe(true);
  });

  test('on a primary the rule covers the models of every federated cluster', () => {
    const primary = platform({ prometheusRole: PrometheusRole.PRIMARY, clusterName: 'central' });
    primary.retrainOnDrift({ dag: 'retrain' });
    const { manifests: out } = synthValidWithTaskPod(primary.node.scope as any);
    expect(alertsOf(out).find((r) => r.alert === 'ModelDriftRetrain').expr)
      .toBe('sum by (cluster, namespace, job, model) (avg_over_time(namespace_job_model:model_drifted:rate5m[1h])) * 3600 > 0');
  });

  test('bad input', () => {
    expect(() => core.retrainOnDrift({ dag: 'retrain' })).toThrow(
      "MlopsCore 'test/Platform': retrainOnDrift: it was called before: one trigger retrains every model; call it once");
    expect(() => platform({ monitoring: false }).retrainOnDrift({ dag: 'retrain' })).toThrow(
      "MlopsCore 'test/Platform': retrainOnDrift: there is no Prometheus to evaluate the drift rule (monitoring is off); turn monitoring on");
    expect(() => platform().retrainOnDrift({ dag: 'retrain/v2' })).toThrow(
      "RetrainTrigger 'test/Platform/RetrainOnDrift': dags: DAG id 'retrain/v2' of alert 'ModelDriftRetrain' is invalid: Airflow accepts only letters, digits, '_', '.' and '-', at most 250; e.g. 'retrain'");
    expect(() => platform().retrainOnDrift({ dag: 'retrain', cooldown: Duration.seconds(0) })).toThrow("MlopsCore 'test/Platform': cooldown '0 seconds' is invalid: must be whole seconds, at least 1 second");
    const chart = testChart(NAMESPACE);
    const production = platform({ profile: PlatformProfile.PRODUCTION, secrets: existingSecrets(chart).secrets }, chart);
    expect(() => production.retrainOnDrift({ dag: 'retrain' })).toThrow(
      "MlopsCore 'test/Platform': retrainOnDrift: profile production refuses credentials generated in the cluster: options.password (the trigger's "
      + 'Airflow user) is missing; give it an existing Secret with SecretSource.fromSecret(...)');
    expect(() => production.retrainOnDrift({ dag: 'retrain', password: SecretSource.fromSecret(kplus.Secret.fromSecretName(chart, 'Retrain', 'retrain')) }))
      .not.toThrow();
  });
});

describe('MlopsCore logs', () => {
  test('Loki in the platform namespace as a Grafana data source, the shipper in a privileged namespace of its own', () => {
    const chart = testChart(NAMESPACE);
    const core = platform({ logs: { retention: Duration.days(5) } }, chart);
    const app = chart.node.scope as App;
    const manifests = validManifests(app.charts.flatMap((c) => Testing.synth(c)));
    expect(app.charts.map((c) => c.namespace)).toEqual([NAMESPACE, `${NAMESPACE}-logs`]);
    expect(objectNamed(manifests, 'Namespace', `${NAMESPACE}-logs`).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(objectNamed(manifests, 'DaemonSet', 'logshipper').metadata.namespace).toBe(`${NAMESPACE}-logs`);
    expect(parse(objectNamed(manifests, 'ConfigMap', 'logs-config').data['config.yaml']).limits_config.retention_period).toBe('120h');
    const datasources = parse(objectNamed(manifests, 'ConfigMap', 'grafana-provisioning').data['datasources.yaml']).datasources;
    expect(datasources.map((d: any) => [d.type, d.url])).toEqual([['prometheus', expect.any(String)], ['loki', core.logStore!.endpoint.url()]]);
  });

  test('a shipper namespace that is the platform\'s is refused', () => {
    expect(() => platform({ logs: { shipperNamespace: NAMESPACE } })).toThrow(
      "MlopsCore 'test/Platform': logs.shipperNamespace 'mlops' is invalid: it is the platform's namespace; the shipper needs a namespace of its own "
      + "that enforces Pod Security privileged, e.g. 'mlops-logs'");
  });
});

describe('MlopsCore: Prometheus, Alertmanager and Jaeger behind the platform access', () => {
  test('ingress: each under its path, told its route prefix and public URL; Grafana queries Prometheus under the prefix', () => {
    const core = platform({ access: PlatformAccess.ingress({ host: 'mlops.example.com' }), tracing: true });
    const { manifests } = synthValidWithTaskPod(core.node.scope as any);
    expect(objectNamed(manifests, 'Prometheus', 'platform-prometheus').spec).toMatchObject({
      routePrefix: '/prometheus', externalUrl: 'http://mlops.example.com/prometheus',
    });
    expect(objectNamed(manifests, 'Alertmanager', 'platform-alertmanager').spec).toMatchObject({
      routePrefix: '/alertmanager', externalUrl: 'http://mlops.example.com/alertmanager',
    });
    expect(objectNamed(manifests, 'Prometheus', 'platform-prometheus').spec.alerting.alertmanagers[0].pathPrefix).toBe('/alertmanager');
    expect(parse(objectNamed(manifests, 'ConfigMap', 'traces-config').data['config.yaml']).extensions.jaeger_query.base_path).toBe('/jaeger');
    const datasources = parse(objectNamed(manifests, 'ConfigMap', 'grafana-provisioning').data['datasources.yaml']).datasources;
    expect(datasources[0].url).toBe(core.prometheus!.apiUrl);
    expect(core.prometheus!.apiUrl).toMatch(/:9090\/prometheus$/);
    const paths = objectNamed(manifests, 'Ingress', 'platform-ingress').spec.rules[0].http.paths.map((p: any) => p.path).sort();
    expect(paths).toEqual(['/alertmanager', '/grafana', '/jaeger', '/mlflow', '/prometheus']);
  });

  test('nodePorts: Prometheus 30012, Alertmanager 30013, Jaeger 30014, each selecting its pods', () => {
    const core = platform({ access: PlatformAccess.nodePorts(), tracing: true });
    const manifests = synthValidWithTaskPod(core.node.scope as any).manifests;
    const byPort = Object.fromEntries(objectsOfKind(manifests, 'Service').filter((s) => s.spec.type === 'NodePort')
      .map((s) => [s.spec.ports[0].nodePort, s.spec.selector]));
    expect(byPort[30012]).toEqual({ 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': core.prometheus!.prometheusName });
    expect(byPort[30013]).toEqual({ 'app.kubernetes.io/name': 'alertmanager', 'alertmanager': core.alertmanager!.alertmanagerName });
    expect(Object.keys(byPort[30014])).toEqual(['cdk8s.io/metadata.addr']);
  });
});

describe('the drift loop on a multi-cluster platform', () => {
  test('serving clusters record the drift rate, the primary federates it and evaluates the retrain rule over every cluster', () => {
    const multi = new MultiClusterPlatform({ outdir: '/nonexistent' });
    const primary = multi.addPrimary({
      clusterName: 'primary', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000), egressCidr: '198.51.100.0/24',
    });
    primary.addPlatform({ dags: DagSource.fromGit({ repository: 'https://github.com/example/dags.git' }) }).retrainOnDrift({ dag: 'retrain' });
    const eu = multi.addServingCluster({
      clusterName: 'eu', prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090), egressCidr: '203.0.113.0/24',
    });
    const primaryManifests = validManifests(Testing.synth(multi.primaryChart));
    const euManifests = validManifests(Testing.synth(Chart.of(eu)));
    const recorded = objectsOfKind(euManifests, 'PrometheusRule')[0].spec.groups.flatMap((g: any) => g.rules).map((r: any) => r.record);
    expect(recorded).toContain('namespace_job_model:model_drifted:rate5m');
    const federate = objectNamed(primaryManifests, 'ScrapeConfig', 'federate-eu');
    expect(new RegExp(federate.spec.params['match[]'][0].replace(/^\{__name__=~"(.*)"\}$/, '^$1$')).test('namespace_job_model:model_drifted:rate5m')).toBe(true);
    expect(alertsOf(primaryManifests).find((r) => r.alert === 'ModelDriftRetrain').expr)
      .toBe('sum by (cluster, namespace, job, model) (avg_over_time(namespace_job_model:model_drifted:rate5m[1h])) * 3600 > 0');
  });
});
