import { Duration, Testing } from 'cdk8s';
import { FederatedPrometheus, MlopsAlerts, PrometheusRole } from '../../src/observability';
import { EXPOSED_METRIC_NAMES } from '../../src/observability/metric-names';
import { objectNamed, objectsOfKind, synthValid, testChart } from '../util';
import { parsePromQL } from './harness';

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

describe('FederatedPrometheus rules', () => {
  test('every expression parses with the Prometheus PromQL grammar and selects only exposed metrics or series recorded before it', () => {
    const chart = testChart('monitoring');
    new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'serving-eu-1' });
    const { rules } = rulesOf(synthValid(chart));
    const recorded = new Set<string>();
    for (const rule of rules) {
      const { errors, metricNames } = parsePromQL(rule.expr);
      expect({ expr: rule.expr, errors }).toEqual({ expr: rule.expr, errors: [] });
      for (const name of metricNames) {
        expect([...EXPOSED_METRIC_NAMES, ...recorded]).toContain(name);
      }
      if (rule.record) recorded.add(rule.record);
    }
    expect(recorded.size).toBeGreaterThan(20);
  });

  test('per-model request rate, error ratio and latency percentiles for the KServe, MLServer and Triton runtimes, labelled with the cluster', () => {
    const chart = testChart('monitoring');
    new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'serving-eu-1' });
    const { groups, rules } = rulesOf(synthValid(chart));
    expect(groups.map((g: any) => g.name)).toEqual(['mlops.models.rules', 'mlops.platform.rules', 'mlops.alerts']);
    for (const rule of rules.filter((r) => r.record)) {
      expect(rule.record).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
      expect(rule.labels.cluster).toBe('serving-eu-1');
    }
    const recordsOf = (name: string) => rules.filter((r) => r.record === name).map((r) => ({ labels: r.labels, expr: r.expr }));
    expect(recordsOf('namespace_job_model:inference_requests:rate5m').map((r) => r.labels.runtime)).toEqual(['kserve', 'mlserver', 'triton']);
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

  test('the alerts, with the default thresholds, routable from the chart\'s namespace', () => {
    const chart = testChart('monitoring');
    new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
    const alerts = rulesOf(synthValid(chart)).rules.filter((r) => r.alert);
    expect(alerts.map((a) => a.alert).sort()).toEqual([...MlopsAlerts.ALL].sort());
    const byName = Object.fromEntries(alerts.map((a) => [a.alert, a]));
    expect(Object.fromEntries(alerts.map((a) => [a.alert, [a.expr, a.for, a.labels.severity]]))).toEqual({
      ModelHighErrorRatio: ['namespace_job_model:inference_request_errors:ratio_rate5m{cluster="a"} > 0.05', '10m', 'warning'],
      ModelHighLatency: ['namespace_job_model:inference_request_duration_seconds:histogram_quantile{cluster="a", quantile="0.95"} > 1 '
        + 'or namespace_job_model:inference_request_duration_seconds:mean5m{cluster="a", runtime="triton"} > 1', '10m', 'warning'],
      ModelPredictorDown: ['namespace_inferenceservice:up:sum{cluster="a"} == 0', '5m', 'critical'],
      ModelDrifted: ['sum by (namespace, job, model) (increase(model_drifted_total[1h])) > 0', undefined, 'warning'],
      ScrapeTargetDown: ['up == 0', '10m', 'warning'],
      AirflowDagRunFailed: ['sum by (namespace, job, dag_id) (increase(airflow_dagrun_failed_count[1h])) > 0', undefined, 'warning'],
      AirflowSchedulerHeartbeatMissing: ['sum by (namespace, job) (rate(airflow_scheduler_heartbeat[5m])) == 0', '5m', 'critical'],
      MinioCapacityLow: ['namespace_job:minio_capacity_usable_free:ratio{cluster="a"} < 0.1', '15m', 'warning'],
      DatabaseDown: ['namespace_job:pg_up:min{cluster="a"} == 0 or namespace_job:mysql_up:min{cluster="a"} == 0 '
        + 'or namespace_job:redis_up:min{cluster="a"} == 0', '5m', 'critical'],
    });
    for (const alert of alerts) {
      expect(alert.labels).toMatchObject({ namespace: 'monitoring', target_namespace: '{{ $labels.namespace }}' });
      expect(alert.annotations.summary).toBeTruthy();
      expect(alert.annotations.description).toBeTruthy();
    }
    expect(byName.ModelDrifted.annotations.summary).toBe('Model {{ $labels.model }} drifted');
  });

  test('thresholds are props', () => {
    const chart = testChart('monitoring');
    new FederatedPrometheus(chart, 'Prometheus', {
      clusterName: 'a',
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
      + '> 0.25 or namespace_job_model:inference_request_duration_seconds:mean5m{cluster="a", runtime="triton"} > 0.25');
    expect(alerts.ModelDrifted.expr).toBe('sum by (namespace, job, model) (increase(model_drifted_total[6h])) > 3');
    expect(alerts.AirflowDagRunFailed.expr).toMatch(/ > 2$/);
    expect(alerts.AirflowSchedulerHeartbeatMissing.for).toBe('10m');
    expect(alerts.MinioCapacityLow.expr).toBe('namespace_job:minio_capacity_usable_free:ratio{cluster="a"} < 0.2');
  });

  test('a primary neither recomputes nor alerts on what it federates: raw series without a cluster label, its own aggregates only', () => {
    const chart = testChart('monitoring');
    new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central', role: PrometheusRole.PRIMARY });
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
    new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
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

describe('FederatedPrometheus dashboards', () => {
  test('ConfigMaps for the Grafana sidecar, holding valid dashboard JSON', () => {
    const chart = testChart('monitoring');
    new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
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
    ]);
    expect(platform.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title)).toEqual(['Scrape targets', 'Airflow', 'MLflow', 'MinIO', 'Databases']);
  });

  test('every panel query parses and shows recorded series built from metrics the targets expose', () => {
    const chart = testChart('monitoring');
    new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
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
    for (const metric of [...servingMetrics, ...platformMetrics]) {
      expect(EXPOSED_METRIC_NAMES).toContain(metric);
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
    new FederatedPrometheus(without, 'Prometheus', { clusterName: 'a', dashboards: { enabled: false } });
    expect(objectsOfKind(synthValid(without), 'ConfigMap')).toEqual([]);
  });
});
