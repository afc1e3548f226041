import { Duration } from 'cdk8s';
import {
  AlertRule, DashboardRow, IMonitoringContribution, ISeriesScope, MlopsAlerts, MlopsRuleGroups, ModelSeries, MonitoringDashboard,
  RecordingRuleGroup, ResolvedAlertThresholds,
} from '../core/monitoring';
import { dashboardPanel, inPickedClusters, MODEL_LEGEND, promNumber, recordingRule } from '../core/monitoring-promql';

/**
 * The runtimes that record a mean latency and no quantiles (Triton under KServe; Seldon's agents, whose latency
 * histogram has no model label): the latency alert reads their mean.
 */
const MEAN_LATENCY_RUNTIMES = ['triton', 'seldon'];

/**
 * What every serving backend shares, over the `ModelSeries` each records with its own rules: the error ratio per
 * model, the model error and latency alerts, and the Traffic and Latency rows of the model-serving dashboard, where
 * models of every backend appear side by side. Each backend lists it among its contributions; a Prometheus renders
 * it once. Its key sorts before the backends' (`kserve`, `seldon`), so its rows head the dashboard.
 */
class ModelServingMonitoring implements IMonitoringContribution {
  public readonly key = 'inference';

  public recordingRules(series: ISeriesScope): RecordingRuleGroup[] {
    return [{
      name: MlopsRuleGroups.MODELS,
      rules: [recordingRule(ModelSeries.ERROR_RATIO, `${series.recorded(ModelSeries.ERRORS)} / (${series.recorded(ModelSeries.REQUESTS)} > 0)`)],
    }];
  }

  public alertRules(series: ISeriesScope, thresholds: ResolvedAlertThresholds): AlertRule[] {
    const latency = promNumber(thresholds.modelLatencyP95.toMilliseconds() / 1000);
    const p95 = series.recorded(ModelSeries.LATENCY_QUANTILE, 'quantile="0.95"');
    const mean = series.recorded(ModelSeries.LATENCY_MEAN, `runtime=~"${MEAN_LATENCY_RUNTIMES.join('|')}"`);
    return [
      {
        alert: MlopsAlerts.MODEL_HIGH_ERROR_RATIO,
        expr: `${series.recorded(ModelSeries.ERROR_RATIO)} > ${promNumber(thresholds.modelErrorRatio)}`,
        forDuration: Duration.minutes(10),
        severity: 'warning',
        summary: 'Model {{ $labels.model }} fails {{ $value | humanizePercentage }} of its requests',
        description: 'Model {{ $labels.model }} ({{ $labels.job }} in {{ $labels.namespace }}, runtime {{ $labels.runtime }}) has failed more than '
          + `${promNumber(thresholds.modelErrorRatio * 100)}% of its requests for 10 minutes.`,
      },
      {
        alert: MlopsAlerts.MODEL_HIGH_LATENCY,
        expr: `${p95} > ${latency} or ${mean} > ${latency}`,
        forDuration: Duration.minutes(10),
        severity: 'warning',
        summary: 'Model {{ $labels.model }} answers slowly',
        description: `Model {{ $labels.model }} ({{ $labels.job }} in {{ $labels.namespace }}) has had a latency above ${latency}s for 10 minutes.`,
      },
    ];
  }

  public dashboardRows(): DashboardRow[] {
    const dashboard = MonitoringDashboard.MODEL_SERVING;
    const quantile = (q: string) => inPickedClusters(ModelSeries.LATENCY_QUANTILE, `quantile="${q}"`);
    return [
      {
        dashboard,
        title: 'Traffic',
        panels: [
          dashboardPanel('Requests per second', 'reqps', [[`sum by (cluster, namespace, model) (${inPickedClusters(ModelSeries.REQUESTS)})`, MODEL_LEGEND]]),
          dashboardPanel('Failed requests per second', 'reqps', [[`sum by (cluster, namespace, model) (${inPickedClusters(ModelSeries.ERRORS)})`, MODEL_LEGEND]]),
          dashboardPanel('Error ratio', 'percentunit', [[inPickedClusters(ModelSeries.ERROR_RATIO), MODEL_LEGEND]]),
        ],
      },
      {
        dashboard,
        title: 'Latency',
        panels: [
          dashboardPanel('Latency p50 / p95 / p99', 's', [
            [quantile('0.5'), `${MODEL_LEGEND} p50`],
            [quantile('0.95'), `${MODEL_LEGEND} p95`],
            [quantile('0.99'), `${MODEL_LEGEND} p99`],
          ]),
          dashboardPanel('Mean latency', 's', [[inPickedClusters(ModelSeries.LATENCY_MEAN), `${MODEL_LEGEND} ({{runtime}})`]]),
        ],
      },
    ];
  }
}

/** The contribution every serving backend lists first (`KservePredictor.monitoring`, `SeldonRuntime.monitoring`). */
export const MODEL_SERVING_MONITORING: IMonitoringContribution = new ModelServingMonitoring();
