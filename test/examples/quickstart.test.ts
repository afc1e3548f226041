import { App, Testing } from 'cdk8s';
import { expectNoSecretValues, synthYamlOf } from './example-checks';
import { QuickstartChart } from '../../examples/quickstart/quickstart-chart';
import { synthValidWithTaskPod } from '../orchestration/fixtures';
import { container, envOf, objectNamed, objectsOfKind, synthValid } from '../util';

describe('examples/quickstart', () => {
  test('every object passes the validation harness, and so does the pod Airflow launches for each task', () => {
    const { manifests } = synthValidWithTaskPod(new QuickstartChart(Testing.app(), 'quickstart'));
    expect(manifests.length).toBeGreaterThan(0);
  });

  test('Airflow tasks see MLflow, and Prometheus scrapes every component', () => {
    const chart = new QuickstartChart(Testing.app(), 'quickstart');
    const manifests = synthValid(chart);
    const scheduler = objectNamed(manifests, 'Deployment', 'airflow-scheduler');
    expect(envOf(container(scheduler, 'scheduler')).MLFLOW_TRACKING_URI).toEqual({ value: chart.mlflow.trackingUri });
    const monitors = [...objectsOfKind(manifests, 'ServiceMonitor'), ...objectsOfKind(manifests, 'PodMonitor')];
    const scraped = [chart.minio, chart.postgres, chart.redis, chart.airflow, chart.mlflow, chart.iris]
      .flatMap((target) => target.scrapeTargets.map((spec) => spec.name));
    expect(scraped).toHaveLength(6);
    for (const name of scraped) {
      expect(monitors.some((m) => m.metadata.name.includes(name))).toBe(true);
    }
  });

  test('the drift loop: rule, Alertmanager route, RetrainTrigger starting the DAG retrain', () => {
    const chart = new QuickstartChart(Testing.app(), 'quickstart');
    const manifests = synthValid(chart);
    const alerts = objectsOfKind(manifests, 'PrometheusRule')[0].spec.groups.find((g: any) => g.name === 'mlops.alerts').rules;
    expect(alerts.map((rule: any) => rule.alert)).toContain('ModelDriftRetrain');
    const route = objectNamed(manifests, 'AlertmanagerConfig', 'retrain-on-drift').spec;
    expect(route.receivers[0].webhookConfigs[0].url).toBe(chart.retrain.webhookUrl);
    expect(objectNamed(manifests, 'Alertmanager', 'alertmanager').spec.alertmanagerConfigSelector.matchLabels).toEqual(chart.prometheus.monitorLabels);
    expect(chart.retrain.dags).toEqual({ ModelDriftRetrain: 'retrain' });
  });

  test('tracing: Airflow and the retrain trigger send spans to the collector, Jaeger is a Grafana data source', () => {
    const chart = new QuickstartChart(Testing.app(), 'quickstart');
    const manifests = synthValid(chart);
    const scheduler = objectNamed(manifests, 'Deployment', 'airflow-scheduler');
    expect(envOf(container(scheduler, 'scheduler')).AIRFLOW__TRACES__OTEL_PORT).toEqual({ value: '4318' });
    const config = JSON.parse(objectNamed(manifests, 'ConfigMap', 'retrainondrift-config').data['config.json']);
    expect(config.otlpTracesUrl).toBe(chart.platform.tracing!.otlpHttpEndpoint.url('/v1/traces'));
    expect(objectNamed(manifests, 'ConfigMap', 'grafana-provisioning').data['datasources.yaml']).toContain('type: jaeger');
  });

  test('smoke Jobs, Argo CD PostSync hooks, prove each service answers, iris with one inference', () => {
    const chart = new QuickstartChart(Testing.app(), 'quickstart');
    const hooks = objectsOfKind(synthValid(chart), 'Job').filter((job) => job.metadata.annotations?.['argocd.argoproj.io/hook'] === 'PostSync');
    const checks = hooks.map((job) => job.spec.template.spec.containers[0].name).sort();
    expect(checks).toEqual(expect.arrayContaining(['airflow', 'grafana', 'mc', 'mlflow', 'model', 'postgres', 'prometheus', 'redis']));
    const model = hooks.find((job) => job.spec.template.spec.containers[0].name === 'model').spec.template.spec.containers[0];
    expect(envOf(model)).toMatchObject({ MODEL_NAME: { value: 'iris' }, INFERENCE_REQUEST: { value: expect.stringContaining('6.8,2.8,4.8,1.4') } });
  });

  test('the namespace enforces Pod Security restricted and holds everything else', () => {
    const manifests = synthValid(new QuickstartChart(Testing.app(), 'quickstart'));
    const [namespace] = objectsOfKind(manifests, 'Namespace');
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];
    const namespaced = manifests.filter((m) => !clusterScoped.includes(m.kind));
    expect(new Set(namespaced.map((m) => m.metadata.namespace))).toEqual(new Set([namespace.metadata.name]));
  });

  test('no secret value is synthesized', () => {
    expectNoSecretValues(synthValid(new QuickstartChart(Testing.app(), 'quickstart')));
  });

  test('synthesizes byte-identical YAML every time', () => {
    const build = (app: App) => new QuickstartChart(app, 'quickstart');
    expect(synthYamlOf(build)).toBe(synthYamlOf(build));
  });
});
