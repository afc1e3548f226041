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
