import { Duration } from 'cdk8s';
import {
  AlertRule, DashboardRow, IMonitoringContribution, ISeriesScope, MlopsAlerts, MlopsRuleGroups, MonitoringDashboard, RecordingRuleGroup,
  ResolvedAlertThresholds,
} from '../core/monitoring';
import {
  dashboardPanel, inPickedClusters, JOB_LEGEND, MODEL_LEGEND, promDuration, promNumber, recordingRule,
} from '../core/monitoring-promql';

// What every FederatedPrometheus monitors whatever its targets: the health of its scrape targets, and the drift
// detections of the served models.

/** Every scrape target, from Prometheus itself: 1 when its last scrape succeeded. */
export const PROMETHEUS = {
  up: 'up',
} as const;

/**
 * The drift monitor of the platform's seed: a counter of drift detections, labelled `model`. A convention of the
 * platform's drift detector, whichever backend serves the model.
 */
export const DRIFT = {
  driftedTotal: 'model_drifted_total',
} as const;

/** The series the rules below record. */
export const PROMETHEUS_RECORDED = {
  targetsUp: 'namespace_job:up:sum',
  targets: 'namespace_job:up:count',
  modelDrift: 'namespace_job_model:model_drifted:increase1h',
  modelDriftRate: 'namespace_job_model:model_drifted:rate5m',
} as const;

/**
 * How many drift detections a model had within `window`, in every cluster whose aggregates this Prometheus holds (on
 * a primary, those of the serving clusters it federates too), labelled `cluster`, `namespace`, `job` and `model`:
 * the mean of the recorded 5-minute rate over the window, times its length. Rates, unlike the counters' sum, survive
 * a restart of the detector.
 */
export function driftDetections(series: ISeriesScope, window: Duration): string {
  return `sum by (cluster, namespace, job, model) (avg_over_time(${series.everyCluster(PROMETHEUS_RECORDED.modelDriftRate)}[${promDuration(window)}]))`
    + ` * ${window.toSeconds()}`;
}

/** The raw metrics the rules below read. */
export const PROMETHEUS_METRIC_NAMES: readonly string[] = [...Object.values(PROMETHEUS), ...Object.values(DRIFT)];

/** The health of every scrape target: rendered first on every Prometheus. */
class PrometheusMonitoring implements IMonitoringContribution {
  public readonly key = 'prometheus';

  public recordingRules(series: ISeriesScope): RecordingRuleGroup[] {
    const byJob = 'namespace, job';
    return [{
      name: MlopsRuleGroups.PLATFORM,
      rules: [
        recordingRule(PROMETHEUS_RECORDED.targetsUp, `sum by (${byJob}) (${series.raw(PROMETHEUS.up)})`),
        recordingRule(PROMETHEUS_RECORDED.targets, `count by (${byJob}) (${series.raw(PROMETHEUS.up)})`),
      ],
    }];
  }

  public alertRules(series: ISeriesScope): AlertRule[] {
    return [{
      alert: MlopsAlerts.SCRAPE_TARGET_DOWN,
      expr: `${series.raw(PROMETHEUS.up)} == 0`,
      forDuration: Duration.minutes(10),
      severity: 'warning',
      summary: 'Scrape target {{ $labels.job }} is down',
      description: '{{ $labels.instance }} of {{ $labels.job }} in {{ $labels.namespace }} has not answered scrapes for 10 minutes.',
    }];
  }

  public dashboardRows(): DashboardRow[] {
    return [{
      dashboard: MonitoringDashboard.PLATFORM,
      title: 'Scrape targets',
      panels: [
        dashboardPanel('Targets up', 'percentunit', [
          [`${inPickedClusters(PROMETHEUS_RECORDED.targetsUp)} / ${inPickedClusters(PROMETHEUS_RECORDED.targets)}`, JOB_LEGEND],
        ]),
      ],
    }];
  }
}

/** Drift detections per model, whichever backend serves it: the trigger for retraining. */
class ModelDriftMonitoring implements IMonitoringContribution {
  public readonly key = 'model-drift';

  public recordingRules(series: ISeriesScope): RecordingRuleGroup[] {
    return [{
      name: MlopsRuleGroups.MODELS,
      rules: [
        recordingRule(PROMETHEUS_RECORDED.modelDrift, `sum by (namespace, job, model) (increase(${series.raw(DRIFT.driftedTotal)}[1h]))`),
        recordingRule(PROMETHEUS_RECORDED.modelDriftRate, `sum by (namespace, job, model) (rate(${series.raw(DRIFT.driftedTotal)}[5m]))`),
      ],
    }];
  }

  public alertRules(series: ISeriesScope, thresholds: ResolvedAlertThresholds): AlertRule[] {
    const window = promDuration(thresholds.modelDriftWindow);
    return [{
      alert: MlopsAlerts.MODEL_DRIFTED,
      expr: `${driftDetections(series, thresholds.modelDriftWindow)} > ${promNumber(thresholds.modelDriftCount)}`,
      severity: 'warning',
      summary: 'Model {{ $labels.model }} drifted',
      description: `The drift monitor flagged model {{ $labels.model }} in {{ $labels.namespace }} of cluster {{ $labels.cluster }} about {{ $value }} times in the last ${window}.`,
    }];
  }

  public dashboardRows(): DashboardRow[] {
    return [{
      dashboard: MonitoringDashboard.MODEL_SERVING,
      title: 'Predictors',
      panels: [dashboardPanel('Drift detections in the last hour', 'short', [[inPickedClusters(PROMETHEUS_RECORDED.modelDrift), MODEL_LEGEND]])],
    }];
  }
}

/** Rendered first on every Prometheus, before the registered contributions. */
export const PROMETHEUS_MONITORING: IMonitoringContribution = new PrometheusMonitoring();

/** Registered on every Prometheus: its row joins the model-serving dashboard's `Predictors` row. */
export const MODEL_DRIFT_MONITORING: IMonitoringContribution = new ModelDriftMonitoring();
