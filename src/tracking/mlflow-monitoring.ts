import {
  AlertRule, DashboardRow, IMonitoringContribution, ISeriesScope, MlopsRuleGroups, ModelSeries, MonitoringDashboard, RecordingRule,
  RecordingRuleGroup,
} from '../core/monitoring';
import { dashboardPanel, inPickedClusters, JOB_LEGEND, recordingRule } from '../core/monitoring-promql';

/**
 * MLflow's `--expose-prometheus`: prometheus_flask_exporter with `defaults_prefix="mlflow"` (mlflow/mlflow
 * `mlflow/server/prometheus_exporter.py`), so `mlflow_http_request_total{method,status}` and the histogram
 * `mlflow_http_request_duration_seconds{method,status,...}` (prometheus_flask_exporter `export_defaults`).
 */
export const MLFLOW = {
  requests: 'mlflow_http_request_total',
  durationBucket: 'mlflow_http_request_duration_seconds_bucket',
} as const;

/** Every raw metric the rules below read. */
export const MLFLOW_METRIC_NAMES: readonly string[] = Object.values(MLFLOW);

/** The series the rules below record. */
const RECORDED = {
  requests: 'namespace_job:mlflow_http_requests:rate5m',
  errors: 'namespace_job:mlflow_http_request_errors:rate5m',
  latencyQuantile: 'namespace_job:mlflow_http_request_duration_seconds:histogram_quantile',
} as const;

/** MLflow's request rate, server errors and latency, and its row on the platform dashboard. */
class MlflowMonitoring implements IMonitoringContribution {
  public readonly key = 'mlflow';

  public recordingRules(series: ISeriesScope): RecordingRuleGroup[] {
    const byJob = 'namespace, job';
    const sumRate = (metric: string, matchers?: string) => `sum by (${byJob}) (rate(${series.raw(metric, matchers)}[5m]))`;
    const rules: RecordingRule[] = [
      recordingRule(RECORDED.requests, sumRate(MLFLOW.requests)),
      recordingRule(RECORDED.errors, sumRate(MLFLOW.requests, 'status=~"5.."')),
    ];
    // The same quantiles as the models'.
    for (const quantile of ModelSeries.QUANTILES) {
      rules.push(recordingRule(RECORDED.latencyQuantile,
        `histogram_quantile(${quantile}, sum by (${byJob}, le) (rate(${series.raw(MLFLOW.durationBucket)}[5m])))`, { quantile }));
    }
    return [{ name: MlopsRuleGroups.PLATFORM, rules }];
  }

  public alertRules(): AlertRule[] {
    return [];
  }

  public dashboardRows(): DashboardRow[] {
    return [{
      dashboard: MonitoringDashboard.PLATFORM,
      title: 'MLflow',
      panels: [
        dashboardPanel('Requests per second', 'reqps', [
          [inPickedClusters(RECORDED.requests), `${JOB_LEGEND} all`],
          [inPickedClusters(RECORDED.errors), `${JOB_LEGEND} 5xx`],
        ]),
        dashboardPanel('Latency p95', 's', [[inPickedClusters(RECORDED.latencyQuantile, 'quantile="0.95"'), JOB_LEGEND]]),
      ],
    }];
  }
}

/** The one contribution of every `MlflowTracking` (`mlflow.monitoring`). */
export const MLFLOW_MONITORING: IMonitoringContribution = new MlflowMonitoring();
