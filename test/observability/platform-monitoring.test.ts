import { Chart, Testing } from 'cdk8s';
import { BringYourOwnChart } from '../../examples/bring-your-own/bring-your-own-chart';
import { multiclusterPlatform } from '../../examples/multicluster/multicluster-platform';
import { QuickstartChart } from '../../examples/quickstart/quickstart-chart';
import { DagSource, MlopsAlerts, ModelFormat, ModelSource, MultiClusterPlatform, ServiceEndpoint } from '../../src';
import { objectNamed, objectsOfKind } from '../util';

// Each Prometheus of the platform renders the rules and dashboard rows of what its cluster runs, and a primary also
// those of what the serving clusters it federates serve.

function monitoringOf(chart: Chart): { records: string[]; alerts: string[]; rows: Record<string, string[]> } {
  const manifests = Testing.synth(chart);
  const rules = objectNamed(manifests, 'PrometheusRule', 'prometheus').spec.groups.flatMap((group: any) => group.rules);
  const rows: Record<string, string[]> = {};
  for (const configMap of objectsOfKind(manifests, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1')) {
    const dashboard = JSON.parse(Object.values(configMap.data)[0] as string);
    rows[dashboard.uid] = dashboard.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title);
  }
  return {
    records: [...new Set<string>(rules.filter((r: any) => r.record).map((r: any) => r.record))],
    alerts: rules.filter((r: any) => r.alert).map((r: any) => r.alert),
    rows,
  };
}

const MODEL_ALERTS = [MlopsAlerts.MODEL_HIGH_ERROR_RATIO, MlopsAlerts.MODEL_HIGH_LATENCY, MlopsAlerts.MODEL_PREDICTOR_DOWN];

describe('monitoring of the platform', () => {
  test('MlopsCore: the rules and rows of every component it runs and scrapes', () => {
    const { alerts, rows } = monitoringOf(new QuickstartChart(Testing.app(), 'quickstart'));
    expect([...alerts].sort()).toEqual([...MlopsAlerts.ALL, 'ModelDriftRetrain'].sort());
    expect(rows).toEqual({
      'mlops-model-serving': ['Traffic', 'Latency', 'Predictors'],
      'mlops-platform': ['Scrape targets', 'Airflow', 'Databases', 'MinIO', 'MLflow'],
    });
  });

  test('MlopsCore on your own databases and S3: no MinIO rules, and no model rules until a predictor is added', () => {
    const { records, alerts, rows } = monitoringOf(new BringYourOwnChart(Testing.app(), 'bring-your-own'));
    expect(alerts).toEqual([MlopsAlerts.SCRAPE_TARGET_DOWN, MlopsAlerts.AIRFLOW_DAG_RUN_FAILED, MlopsAlerts.AIRFLOW_SCHEDULER_HEARTBEAT_MISSING,
      MlopsAlerts.DATABASE_DOWN, MlopsAlerts.MODEL_DRIFTED]);
    expect(records.filter((record) => record.includes('minio') || record.includes('inference'))).toEqual([]);
    expect(rows).toEqual({
      'mlops-model-serving': ['Predictors'],
      'mlops-platform': ['Scrape targets', 'Airflow', 'Databases', 'MLflow'],
    });
  });

  test('a serving cluster: only its predictors\' rules; the primary: its own components and the models of the clusters it federates', () => {
    const platform = multiclusterPlatform('dist/multicluster');
    const primary = monitoringOf(platform.primaryChart);
    expect([...primary.alerts].sort()).toEqual([...MlopsAlerts.ALL].sort());
    expect(primary.rows).toEqual({
      'mlops-model-serving': ['Traffic', 'Latency', 'Predictors'],
      'mlops-platform': ['Scrape targets', 'Airflow', 'Databases', 'MinIO', 'MLflow'],
    });
    for (const cluster of ['serving-eu', 'serving-us']) {
      const serving = monitoringOf(platform.chartOf(cluster));
      expect(serving.alerts).toEqual([MlopsAlerts.SCRAPE_TARGET_DOWN, ...MODEL_ALERTS, MlopsAlerts.MODEL_DRIFTED]);
      expect(serving.rows).toEqual({ 'mlops-model-serving': ['Traffic', 'Latency', 'Predictors'], 'mlops-platform': ['Scrape targets'] });
    }
  });

  test('a primary whose serving clusters serve nothing has no model rules', () => {
    const platform = new MultiClusterPlatform({ outdir: '/nonexistent' });
    platform.addPrimary({
      clusterName: 'primary', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000), egressCidr: '198.51.100.0/24',
    })
      .addPlatform({ dags: DagSource.fromGit({ repository: 'https://github.com/example/dags.git' }) });
    const eu = platform.addServingCluster({
      clusterName: 'eu', prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090), egressCidr: '203.0.113.0/24',
    });
    expect(monitoringOf(platform.primaryChart).alerts.filter((alert) => MODEL_ALERTS.includes(alert))).toEqual([]);

    // A model served later (any backend, through the serving contract) reaches the primary's rules too.
    eu.addPredictor('Iris', { model: ModelSource.fromBucket(eu.modelsBucket, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
    expect(monitoringOf(platform.primaryChart).alerts.filter((alert) => MODEL_ALERTS.includes(alert))).toEqual(MODEL_ALERTS);
  });
});
