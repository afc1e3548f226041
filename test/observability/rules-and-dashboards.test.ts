import { Chart, Duration, Testing } from 'cdk8s';
import { parsePromQL } from './harness';
import {
  AlertRule, DashboardRow, IMonitoringContribution, ISeriesScope, MlopsAlerts, MlopsRuleGroups, ModelSeries, MonitoringDashboard, RecordingRuleGroup,
  ResolvedAlertThresholds,
} from '../../src/core/monitoring';
import { DATABASE_METRIC_NAMES, DATABASE_MONITORING } from '../../src/data/database-monitoring';
import { FederatedPrometheus, PrometheusRole } from '../../src/observability';
import { FederatedPrometheusProps } from '../../src/observability/federated-prometheus-props';
import { PROMETHEUS_METRIC_NAMES } from '../../src/observability/prometheus-monitoring';
import { AIRFLOW_METRIC_NAMES, AIRFLOW_MONITORING } from '../../src/orchestration/airflow-monitoring';
import { KSERVE_METRIC_NAMES, KSERVE_MONITORING } from '../../src/serving/kserve-monitoring';
import { MODEL_SERVING_MONITORING } from '../../src/serving/model-serving-monitoring';
import { SELDON_METRIC_NAMES, SELDON_MONITORING } from '../../src/serving/seldon-monitoring';
import { MINIO_METRIC_NAMES, MINIO_MONITORING } from '../../src/storage/minio-monitoring';
import { MLFLOW_METRIC_NAMES, MLFLOW_MONITORING } from '../../src/tracking/mlflow-monitoring';
import { objectNamed, objectsOfKind, synthValid, testChart } from '../util';

/** Each component's contribution and the metric names its component declares. */
const COMPONENTS: Array<[IMonitoringContribution, readonly string[]]> = [
  // What every serving backend shares reads the series the backends record.
  [MODEL_SERVING_MONITORING, [ModelSeries.ERRORS, ModelSeries.REQUESTS, ModelSeries.LATENCY_QUANTILE, ModelSeries.LATENCY_MEAN]],
  [KSERVE_MONITORING, KSERVE_METRIC_NAMES],
  [SELDON_MONITORING, SELDON_METRIC_NAMES],
  [MINIO_MONITORING, MINIO_METRIC_NAMES],
  [AIRFLOW_MONITORING, AIRFLOW_METRIC_NAMES],
  [MLFLOW_MONITORING, MLFLOW_METRIC_NAMES],
  [DATABASE_MONITORING, DATABASE_METRIC_NAMES],
];

/** A Prometheus that monitors every component of the platform. */
function monitoringEverything(chart: Chart, props: Partial<FederatedPrometheusProps> = {}): FederatedPrometheus {
  const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a', ...props });
  prometheus.addMonitoring(...COMPONENTS.map(([contribution]) => contribution));
  return prometheus;
}

function rulesOf(manifests: any[]): { groups: any[]; rules: any[] } {
  const groups = objectNamed(manifests, 'PrometheusRule', 'prometheus').spec.groups;
  return { groups, rules: groups.flatMap((group: any) => group.rules) };
}

/** The raw metrics behind each recorded series. */
function rawMetricsByRecord(rules: any[]): Map<string, Set<string>> {
  const byRecord = new Map<string, Set<string>>();
  for (const rule of rules.filter((r) => r.record)) {
    const raw = byRecord.get(rule.record) ?? new Set<string>();
    for (const name of parsePromQL(rule.expr).metricNames) {
      for (const metric of byRecord.get(name) ?? [name]) raw.add(metric);
    }
    byRecord.set(rule.record, raw);
  }
  return byRecord;
}

function dashboards(manifests: any[]): any[] {
  return objectsOfKind(manifests, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1')
    .map((c) => JSON.parse(Object.values(c.data)[0] as string));
}

function panelExprs(dashboard: any): string[] {
  return dashboard.panels.filter((p: any) => p.type !== 'row').flatMap((p: any) => p.targets.map((t: any) => t.expr));
}

function rowTitles(dashboard: any): string[] {
  return dashboard.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title);
}

/** A workload of a user's own, contributing through the core contract. */
class FeatureStoreMonitoring implements IMonitoringContribution {
  constructor(public readonly key: string = 'acme-feature-store') {}

  public recordingRules(series: ISeriesScope): RecordingRuleGroup[] {
    return [{
      name: MlopsRuleGroups.PLATFORM,
      rules: [{ record: 'namespace_job:feast_requests:rate5m', expr: `sum by (namespace, job) (rate(${series.raw('feast_requests_total')}[5m]))` }],
    }];
  }

  public alertRules(series: ISeriesScope, thresholds: ResolvedAlertThresholds): AlertRule[] {
    return [{
      alert: 'FeatureStoreIdle',
      expr: `${series.recorded('namespace_job:feast_requests:rate5m')} == 0`,
      forDuration: thresholds.airflowSchedulerHeartbeatMissingFor,
      severity: 'info',
      summary: 'The feature store gets no requests',
      description: 'Nobody asked {{ $labels.job }} for features.',
      labels: { team: 'data' },
    }];
  }

  public dashboardRows(): DashboardRow[] {
    return [{
      dashboard: MonitoringDashboard.PLATFORM,
      title: 'Feature store',
      panels: [{ title: 'Requests per second', unit: 'reqps', queries: [{ expr: 'namespace_job:feast_requests:rate5m{cluster=~"$cluster"}', legend: '{{job}}' }] }],
    }];
  }
}

describe('FederatedPrometheus rules', () => {
  test.each(COMPONENTS.map(([contribution, names]) => [contribution.key, contribution, names] as const))(
    'the rules of %s parse with the Prometheus PromQL grammar and select only the metrics its component declares or series recorded before',
    (_key, contribution, names) => {
      const chart = testChart('monitoring');
      new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'serving-eu-1' }).addMonitoring(contribution);
      const { rules } = rulesOf(synthValid(chart));
      const recorded = new Set<string>();
      const declared = [...names, ...PROMETHEUS_METRIC_NAMES];
      for (const rule of rules) {
        const { errors, metricNames } = parsePromQL(rule.expr);
        expect({ expr: rule.expr, errors }).toEqual({ expr: rule.expr, errors: [] });
        for (const name of metricNames) {
          expect([...declared, ...recorded]).toContain(name);
        }
        if (rule.record) recorded.add(rule.record);
      }
      // The component's own rules read each metric it declares.
      const read = new Set(rules.flatMap((rule: any) => parsePromQL(rule.expr).metricNames));
      for (const name of names) {
        expect(read).toContain(name);
      }
    });

  test('a Prometheus on its own watches its targets and model drift, nothing else', () => {
    const chart = testChart('monitoring');
    new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
    const manifests = synthValid(chart);
    const { groups, rules } = rulesOf(manifests);
    expect(groups.map((g: any) => [g.name, g.rules.map((r: any) => r.record ?? r.alert)])).toEqual([
      ['mlops.models.rules', ['namespace_job_model:model_drifted:increase1h', 'namespace_job_model:model_drifted:rate5m']],
      ['mlops.platform.rules', ['namespace_job:up:sum', 'namespace_job:up:count']],
      ['mlops.alerts', [MlopsAlerts.SCRAPE_TARGET_DOWN, MlopsAlerts.MODEL_DRIFTED]],
    ]);
    for (const rule of rules) {
      expect(parsePromQL(rule.expr).errors).toEqual([]);
    }
    const [serving, platform] = dashboards(manifests);
    expect(serving.panels.map((p: any) => p.title)).toEqual(['Predictors', 'Drift detections in the last hour']);
    expect(platform.panels.map((p: any) => p.title)).toEqual(['Scrape targets', 'Targets up']);
  });

  test('per-model request rate, error ratio and latency percentiles for the KServe, MLServer and Triton runtimes and Seldon, labelled with the cluster', () => {
    const chart = testChart('monitoring');
    monitoringEverything(chart, { clusterName: 'serving-eu-1' });
    const { groups, rules } = rulesOf(synthValid(chart));
    expect(groups.map((g: any) => g.name)).toEqual(['mlops.models.rules', 'mlops.platform.rules', 'mlops.alerts']);
    for (const rule of rules.filter((r) => r.record)) {
      expect(rule.record).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
      expect(rule.labels.cluster).toBe('serving-eu-1');
    }
    const recordsOf = (name: string) => rules.filter((r) => r.record === name).map((r) => ({ labels: r.labels, expr: r.expr }));
    expect(recordsOf('namespace_job_model:inference_requests:rate5m').map((r) => r.labels.runtime)).toEqual(['kserve', 'mlserver', 'triton', 'seldon']);
    expect(recordsOf('namespace_job_model:inference_request_errors:ratio_rate5m')).toEqual([{
      labels: { cluster: 'serving-eu-1' },
      expr: 'namespace_job_model:inference_request_errors:rate5m{cluster="serving-eu-1"} '
        + '/ (namespace_job_model:inference_requests:rate5m{cluster="serving-eu-1"} > 0)',
    }]);
    const quantiles = recordsOf('namespace_job_model:inference_request_duration_seconds:histogram_quantile');
    expect(quantiles.map((r) => `${r.labels.runtime} ${r.labels.quantile}`)).toEqual([
      'kserve 0.5', 'mlserver 0.5', 'kserve 0.95', 'mlserver 0.95', 'kserve 0.99', 'mlserver 0.99',
    ]);
    expect(quantiles[2].expr).toBe('histogram_quantile(0.95, sum by (namespace, job, model, le) '
      + '(label_replace(rate(request_predict_seconds_bucket[5m]), "model", "$1", "model_name", "(.+)")))');
    // A failure counter appears with the first failure: until then the request rate must not vanish.
    expect(recordsOf('namespace_job_model:inference_requests:rate5m')[2].expr).toBe(
      'sum by (namespace, job, model) (rate(nv_inference_request_success[5m])) + (sum by (namespace, job, model) '
      + '(rate(nv_inference_request_failure[5m])) or sum by (namespace, job, model) (rate(nv_inference_request_success[5m])) * 0)');
  });

  test('the Prometheus\' own rules first, then each contribution in the order of its key, each key once', () => {
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
    prometheus.addMonitoring(MLFLOW_MONITORING, DATABASE_MONITORING, KSERVE_MONITORING, MINIO_MONITORING, AIRFLOW_MONITORING);
    prometheus.addMonitoring(...COMPONENTS.map(([contribution]) => contribution));
    const { groups } = rulesOf(synthValid(chart));
    expect(groups.find((g: any) => g.name === 'mlops.platform.rules').rules.map((r: any) => r.record)).toEqual([
      'namespace_job:up:sum', 'namespace_job:up:count',
      'namespace_job_dag_id:airflow_dagrun_failed:increase1h', 'namespace_job_dag_id:airflow_dagrun_success:increase1h',
      'namespace_job:airflow_scheduler_heartbeat:rate5m', 'namespace_job:airflow_executor_running_tasks:sum',
      'namespace_job:airflow_executor_queued_tasks:sum', 'namespace_job:airflow_dag_processing_last_run_seconds_ago:max',
      'namespace_job:pg_up:min', 'namespace_job:pg_stat_database_numbackends:sum', 'namespace_job:mysql_up:min',
      'namespace_job:mysql_global_status_threads_connected:sum', 'namespace_job:redis_up:min', 'namespace_job:redis_connected_clients:sum',
      'namespace_job:redis_memory_used_bytes:max',
      'namespace_inferenceservice:up:sum', 'namespace_inferenceservice:up:count',
      'namespace_job:minio_cluster_capacity_usable_free_bytes:max', 'namespace_job:minio_capacity_usable_free:ratio',
      'namespace_job:minio_s3_requests:rate5m', 'namespace_job:minio_s3_requests_errors:rate5m',
      'namespace_job:mlflow_http_requests:rate5m', 'namespace_job:mlflow_http_request_errors:rate5m',
      'namespace_job:mlflow_http_request_duration_seconds:histogram_quantile', 'namespace_job:mlflow_http_request_duration_seconds:histogram_quantile',
      'namespace_job:mlflow_http_request_duration_seconds:histogram_quantile',
      'namespace_job_pipeline:seldon_pipeline_infer_requests:rate5m', 'namespace_job_pipeline:seldon_pipeline_infer_errors:rate5m',
      'namespace_server:seldon_loaded_models:sum',
    ]);
    expect(groups.find((g: any) => g.name === 'mlops.alerts').rules.map((r: any) => r.alert)).toEqual([
      MlopsAlerts.SCRAPE_TARGET_DOWN, MlopsAlerts.AIRFLOW_DAG_RUN_FAILED, MlopsAlerts.AIRFLOW_SCHEDULER_HEARTBEAT_MISSING,
      MlopsAlerts.DATABASE_DOWN, MlopsAlerts.MODEL_HIGH_ERROR_RATIO, MlopsAlerts.MODEL_HIGH_LATENCY, MlopsAlerts.MODEL_PREDICTOR_DOWN,
      MlopsAlerts.MINIO_CAPACITY_LOW, MlopsAlerts.MODEL_DRIFTED,
    ]);
  });

  test('the alerts, with the default thresholds, routable from the chart\'s namespace', () => {
    const chart = testChart('monitoring');
    monitoringEverything(chart);
    const alerts = rulesOf(synthValid(chart)).rules.filter((r) => r.alert);
    expect(alerts.map((a) => a.alert).sort()).toEqual([...MlopsAlerts.ALL].sort());
    const byName = Object.fromEntries(alerts.map((a) => [a.alert, a]));
    expect(Object.fromEntries(alerts.map((a) => [a.alert, [a.expr, a.for, a.labels.severity]]))).toEqual({
      ModelHighErrorRatio: ['namespace_job_model:inference_request_errors:ratio_rate5m{cluster="a"} > 0.05', '10m', 'warning'],
      ModelHighLatency: ['namespace_job_model:inference_request_duration_seconds:histogram_quantile{cluster="a", quantile="0.95"} > 1 '
        + 'or namespace_job_model:inference_request_duration_seconds:mean5m{cluster="a", runtime=~"triton|seldon"} > 1', '10m', 'warning'],
      ModelPredictorDown: ['namespace_inferenceservice:up:sum{cluster="a"} == 0', '5m', 'critical'],
      ModelDrifted: ['sum by (cluster, namespace, job, model) (avg_over_time(namespace_job_model:model_drifted:rate5m{cluster="a"}[1h])) * 3600 > 0', undefined, 'warning'],
      ScrapeTargetDown: ['up == 0', '10m', 'warning'],
      AirflowDagRunFailed: ['sum by (namespace, job, dag_id) (increase(airflow_dagrun_failed_count[1h])) > 0', undefined, 'warning'],
      AirflowSchedulerHeartbeatMissing: ['sum by (namespace, job) (rate(airflow_scheduler_heartbeat[5m])) == 0', '5m', 'critical'],
      MinioCapacityLow: ['namespace_job:minio_capacity_usable_free:ratio{cluster="a"} < 0.1', '15m', 'warning'],
      DatabaseDown: ['namespace_job:pg_up:min{cluster="a"} == 0 or namespace_job:mysql_up:min{cluster="a"} == 0 '
        + 'or namespace_job:redis_up:min{cluster="a"} == 0', '5m', 'critical'],
    });
    for (const alert of alerts) {
      expect(alert.labels).toEqual({ severity: alert.labels.severity, namespace: 'monitoring', target_namespace: '{{ $labels.namespace }}' });
      expect(alert.annotations.summary).toBeTruthy();
      expect(alert.annotations.description).toBeTruthy();
    }
    expect(byName.ModelDrifted.annotations.summary).toBe('Model {{ $labels.model }} drifted');
  });

  test('thresholds are props', () => {
    const chart = testChart('monitoring');
    monitoringEverything(chart, {
      alertThresholds: {
        modelErrorRatio: 0.1,
        modelLatencyP95: Duration.millis(250),
        modelDriftCount: 3,
        modelDriftWindow: Duration.hours(6),
        airflowDagRunFailures: 2,
        airflowSchedulerHeartbeatMissingFor: Duration.minutes(10),
        minioFreeCapacityRatio: 0.2,
      },
    });
    const alerts = Object.fromEntries(rulesOf(synthValid(chart)).rules.filter((r) => r.alert).map((a) => [a.alert, a]));
    expect(alerts.ModelHighErrorRatio.expr).toMatch(/ > 0\.1$/);
    expect(alerts.ModelHighLatency.expr).toBe('namespace_job_model:inference_request_duration_seconds:histogram_quantile{cluster="a", quantile="0.95"} '
      + '> 0.25 or namespace_job_model:inference_request_duration_seconds:mean5m{cluster="a", runtime=~"triton|seldon"} > 0.25');
    expect(alerts.ModelDrifted.expr).toBe('sum by (cluster, namespace, job, model) (avg_over_time(namespace_job_model:model_drifted:rate5m{cluster="a"}[6h])) * 21600 > 3');
    expect(alerts.AirflowDagRunFailed.expr).toMatch(/ > 2$/);
    expect(alerts.AirflowSchedulerHeartbeatMissing.for).toBe('10m');
    expect(alerts.AirflowSchedulerHeartbeatMissing.annotations.description).toMatch(/ for 10m\.$/);
    expect(alerts.MinioCapacityLow.expr).toBe('namespace_job:minio_capacity_usable_free:ratio{cluster="a"} < 0.2');
  });

  test('a primary neither recomputes nor alerts on what it federates: raw series without a cluster label, its own aggregates only', () => {
    const chart = testChart('monitoring');
    monitoringEverything(chart, { clusterName: 'central', role: PrometheusRole.PRIMARY });
    const { rules } = rulesOf(synthValid(chart));
    const byName = (name: string) => rules.find((r) => r.record === name || r.alert === name).expr;
    expect(byName('namespace_job:up:sum')).toBe('sum by (namespace, job) (up{cluster=""})');
    expect(byName('namespace_job_model:inference_request_errors:ratio_rate5m')).toBe(
      'namespace_job_model:inference_request_errors:rate5m{cluster="central"} / (namespace_job_model:inference_requests:rate5m{cluster="central"} > 0)');
    expect(byName(MlopsAlerts.SCRAPE_TARGET_DOWN)).toBe('up{cluster=""} == 0');
    expect(byName('namespace_inferenceservice:up:count')).toBe('count by (namespace, inferenceservice) (up{cluster="", inferenceservice!=""})');
    for (const rule of rules) {
      expect(parsePromQL(rule.expr).errors).toEqual([]);
    }
  });

  test('without a namespace, alerts keep the namespace they come from', () => {
    const chart = Testing.chart();
    monitoringEverything(chart);
    const alerts = rulesOf(synthValid(chart)).rules.filter((r) => r.alert);
    expect(alerts.every((a) => a.labels.namespace === undefined && a.labels.target_namespace === undefined)).toBe(true);
  });

  test('fails on an error ratio that is not a share', () => {
    expect(() => new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'a', alertThresholds: { modelErrorRatio: 5 } }))
      .toThrow("FederatedPrometheus 'test/Prometheus': alertThresholds.modelErrorRatio 5 is invalid: it is a share of requests or capacity; "
        + 'give a number between 0 and 1, e.g. 0.05');
  });

  test('fails on a drift count that is not a whole number', () => {
    expect(() => new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'a', alertThresholds: { modelDriftCount: 0.5 } }))
      .toThrow("FederatedPrometheus 'test/Prometheus': alertThresholds.modelDriftCount 0.5 is invalid: it counts events; give a whole number, 0 or more");
  });
});

describe('FederatedPrometheus.addMonitoring', () => {
  test('a contribution registered after the Prometheus was created, e.g. by a later addTargets, is rendered at synth time', () => {
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
    const before = synthValid(chart);
    expect(rulesOf(before).rules.some((r: any) => r.alert === MlopsAlerts.MINIO_CAPACITY_LOW)).toBe(false);
    prometheus.addMonitoring(MINIO_MONITORING);
    const after = synthValid(chart);
    expect(rulesOf(after).rules.some((r: any) => r.alert === MlopsAlerts.MINIO_CAPACITY_LOW)).toBe(true);
    expect(rowTitles(dashboards(after)[1])).toEqual(['Scrape targets', 'MinIO']);
  });

  test('a workload of your own contributes rules, a routable alert and a dashboard row through the core contract', () => {
    const chart = testChart('monitoring');
    const prometheus = monitoringEverything(chart, { alertmanager: { serviceName: 'alertmanager-operated' } });
    prometheus.addMonitoring(new FeatureStoreMonitoring(), new FeatureStoreMonitoring());
    prometheus.addAlertRoute('data-team', { alerts: ['FeatureStoreIdle'], webhookUrl: 'http://hooks.data.svc:8080/idle' });
    const manifests = synthValid(chart);
    const { rules } = rulesOf(manifests);
    expect(rules.filter((r: any) => r.record === 'namespace_job:feast_requests:rate5m')).toEqual([{
      record: 'namespace_job:feast_requests:rate5m',
      expr: 'sum by (namespace, job) (rate(feast_requests_total[5m]))',
      labels: { cluster: 'a' },
    }]);
    expect(rules.filter((r: any) => r.alert === 'FeatureStoreIdle')).toEqual([{
      alert: 'FeatureStoreIdle',
      expr: 'namespace_job:feast_requests:rate5m{cluster="a"} == 0',
      for: '5m',
      labels: { team: 'data', severity: 'info', namespace: 'monitoring', target_namespace: '{{ $labels.namespace }}' },
      annotations: { summary: 'The feature store gets no requests', description: 'Nobody asked {{ $labels.job }} for features.' },
    }]);
    // Its key sorts first among the contributions: right after the Prometheus' own row.
    expect(rowTitles(dashboards(manifests)[1])).toEqual(['Scrape targets', 'Feature store', 'Airflow', 'Databases', 'MinIO', 'MLflow']);
    expect(objectsOfKind(manifests, 'AlertmanagerConfig')[0].spec.route.matchers).toEqual([{ name: 'alertname', value: 'FeatureStoreIdle' }]);
  });

  test('fails on a contribution whose key, records, alerts or rows cannot be rendered', () => {
    const prometheus = new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'a' });
    const broken: IMonitoringContribution = {
      key: 'Feature Store',
      recordingRules: () => [{ name: MlopsRuleGroups.ALERTS, rules: [{ record: 'feast_requests_rate', expr: 'rate(feast_requests_total[5m])' }] }],
      alertRules: () => [{ alert: 'Feature store idle', expr: ' ', severity: 'info', summary: 's', description: 'd' }],
      dashboardRows: () => [{ dashboard: 'feast' as MonitoringDashboard, title: 'Feast', panels: [{ title: 'Nothing', unit: 'short', queries: [] }] }],
    };
    expect(() => prometheus.addMonitoring(broken)).toThrow("FederatedPrometheus 'test/Prometheus': addMonitoring: contribution 'Feature Store' is invalid: "
      + "its key is not lowercase letters, digits, '.' and '-' (starting and ending with a letter or digit); "
      + "recording rule group 'mlops.alerts' has a name that is empty or that of the alerts' group; "
      + "recording rule 'feast_requests_rate' records a series whose name is not a metric name with a ':' (only such series are federated), "
      + 'e.g. namespace_job:my_metric:rate5m; '
      + "alert 'Feature store idle' has a name that is not letters, digits and '_', e.g. FeatureStoreDown; alert 'Feature store idle' has an empty expr; "
      + "row 'Feast' is for dashboard 'feast', which does not exist (dashboards: mlops-model-serving, mlops-platform); "
      + "panel 'Nothing' of row 'Feast' has no queries");
    expect(() => prometheus.addMonitoring(new FeatureStoreMonitoring('prometheus'))).toThrow(
      "FederatedPrometheus 'test/Prometheus': addMonitoring: contribution 'prometheus' is invalid: its key is that of the Prometheus' own rules; "
      + "give it a key of its own, e.g. 'acme-feature-store'");
  });
});

describe('FederatedPrometheus dashboards', () => {
  test('ConfigMaps for the Grafana sidecar, holding valid dashboard JSON', () => {
    const chart = testChart('monitoring');
    monitoringEverything(chart);
    const manifests = synthValid(chart);
    const configMaps = objectsOfKind(manifests, 'ConfigMap');
    expect(configMaps.map((c) => Object.keys(c.data))).toEqual([['mlops-model-serving.json'], ['mlops-platform.json']]);
    for (const configMap of configMaps) {
      expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
      expect(configMap.metadata.annotations).toEqual({ 'k8s-sidecar-target-directory': 'MLOps' });
      expect(configMap.metadata.namespace).toBe('monitoring');
    }
    const [serving, platform] = dashboards(manifests);
    for (const dashboard of [serving, platform]) {
      expect(dashboard).toMatchObject({ uid: expect.stringMatching(/^[a-z-]{1,40}$/), title: expect.any(String), schemaVersion: 39 });
      expect(dashboard.templating.list.map((v: any) => [v.name, v.type])).toEqual([['datasource', 'datasource'], ['cluster', 'query']]);
      const ids = dashboard.panels.map((p: any) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of dashboard.panels.filter((p: any) => p.type !== 'row')) {
        expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(panel.gridPos).toEqual({ h: 8, w: expect.any(Number), x: expect.any(Number), y: expect.any(Number) });
        expect(panel.targets.length).toBeGreaterThan(0);
        for (const target of panel.targets) {
          expect(target).toMatchObject({ refId: expect.stringMatching(/^[A-Z]$/), datasource: panel.datasource, expr: expect.any(String) });
        }
      }
    }
    expect(serving.panels.map((p: any) => p.title)).toEqual([
      'Traffic', 'Requests per second', 'Failed requests per second', 'Error ratio',
      'Latency', 'Latency p50 / p95 / p99', 'Mean latency',
      'Predictors', 'Replicas per predictor', 'Drift detections in the last hour',
      'Seldon pipelines and servers', 'Pipeline requests per second', 'Failed pipeline requests per second', 'Models loaded per server',
    ]);
    expect(serving.panels.find((p: any) => p.title === 'Drift detections in the last hour').gridPos).toEqual({ h: 8, w: 12, x: 12, y: 19 });
    expect(rowTitles(platform)).toEqual(['Scrape targets', 'Airflow', 'Databases', 'MinIO', 'MLflow']);
  });

  test('every panel query parses and shows recorded series built from metrics the components declare', () => {
    const chart = testChart('monitoring');
    monitoringEverything(chart);
    const manifests = synthValid(chart);
    const byRecord = rawMetricsByRecord(rulesOf(manifests).rules);
    const [serving, platform] = dashboards(manifests);
    const rawMetricsOf = (dashboard: any): string[] => {
      const raw = new Set<string>();
      for (const expr of panelExprs(dashboard)) {
        const { errors, metricNames } = parsePromQL(expr);
        expect(errors).toEqual([]);
        expect(metricNames.length).toBeGreaterThan(0);
        for (const name of metricNames) {
          expect([...byRecord.keys()]).toContain(name);
          for (const metric of byRecord.get(name)!) raw.add(metric);
        }
      }
      return [...raw];
    };
    const servingMetrics = rawMetricsOf(serving);
    const platformMetrics = rawMetricsOf(platform);
    const declared = [...PROMETHEUS_METRIC_NAMES, ...COMPONENTS.flatMap(([, names]) => names)];
    for (const metric of [...servingMetrics, ...platformMetrics]) {
      expect(declared).toContain(metric);
    }
    expect(servingMetrics).toEqual(expect.arrayContaining([
      'request_predict_seconds_count', 'request_predict_seconds_bucket', 'model_infer_request_success_total', 'model_infer_request_failure_total',
      'rest_server_request_duration_seconds_bucket', 'nv_inference_request_success', 'nv_inference_request_failure',
      'nv_inference_request_duration_us', 'model_drifted_total', 'up',
    ]));
    expect(platformMetrics).toEqual(expect.arrayContaining([
      'minio_cluster_capacity_usable_free_bytes', 'minio_cluster_capacity_usable_total_bytes', 'minio_s3_requests_total',
      'minio_s3_requests_errors_total', 'airflow_dagrun_failed_count', 'airflow_scheduler_heartbeat', 'airflow_executor_running_tasks',
      'airflow_dag_processing_last_run_seconds_ago', 'mlflow_http_request_total', 'mlflow_http_request_duration_seconds_bucket', 'up',
      'pg_up', 'pg_stat_database_numbackends', 'mysql_up', 'mysql_global_status_threads_connected', 'redis_up', 'redis_connected_clients',
      'redis_memory_used_bytes',
    ]));
  });

  test('label, value, folder and namespace are configurable; dashboards can be left out', () => {
    const chart = testChart('monitoring');
    new FederatedPrometheus(chart, 'Prometheus', {
      clusterName: 'a', dashboards: { label: 'dashboards', labelValue: 'mlops', folder: 'Platform/MLOps', namespace: 'grafana' },
    });
    const configMaps = objectsOfKind(synthValid(chart), 'ConfigMap');
    expect(configMaps.map((c) => [c.metadata.namespace, c.metadata.labels.dashboards, c.metadata.annotations['k8s-sidecar-target-directory']]))
      .toEqual([['grafana', 'mlops', 'Platform/MLOps'], ['grafana', 'mlops', 'Platform/MLOps']]);

    const without = testChart('monitoring');
    new FederatedPrometheus(without, 'Prometheus', { clusterName: 'a', dashboards: { enabled: false } }).addMonitoring(MINIO_MONITORING);
    expect(objectsOfKind(synthValid(without), 'ConfigMap')).toEqual([]);
  });
});

test("a contribution's expression that is not PromQL fails the synth, naming the rule", () => {
  class BrokenMonitoring extends FeatureStoreMonitoring {
    public recordingRules(): RecordingRuleGroup[] {
      return [{ name: MlopsRuleGroups.PLATFORM, rules: [{ record: 'namespace_job:feast_requests:rate5m', expr: 'sum(rate(feast_requests_total[5m])' }] }];
    }
  }
  const chart = testChart('monitoring');
  new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'serving-eu-1' }).addMonitoring(new BrokenMonitoring());
  expect(() => Testing.synth(chart)).toThrow(
    "FederatedPrometheus 'test/Prometheus': recording rule 'namespace_job:feast_requests:rate5m' expr 'sum(rate(feast_requests_total[5m])' is invalid: "
    + 'PromQL syntax error at its end (something is not closed or is missing)');
});
