import {
  AlertRule, DashboardRow, IMonitoringContribution, ISeriesScope, MlopsAlerts, MlopsRuleGroups, MonitoringDashboard,
  RecordingRuleGroup, ResolvedAlertThresholds,
} from '../core/monitoring';
import { dashboardPanel, inPickedClusters, JOB_LEGEND, promDuration, promNumber, recordingRule } from '../core/monitoring-promql';

/**
 * Airflow through the statsd exporter with the mappings of the official Airflow chart (apache/airflow
 * `chart/files/statsd-mappings.yml`): `airflow.dagrun.duration.failed.<dag_id>` → `airflow_dagrun_failed{dag_id}`
 * (a timer, so `_count` counts failed runs), `airflow.scheduler_heartbeat` → `airflow_scheduler_heartbeat` (a counter).
 */
export const AIRFLOW = {
  dagrunFailedCount: 'airflow_dagrun_failed_count',
  dagrunSuccessCount: 'airflow_dagrun_duration_count',
  schedulerHeartbeat: 'airflow_scheduler_heartbeat',
  dagProcessingSecondsAgo: 'airflow_dag_processing_last_run_seconds_ago',
  executorRunningTasks: 'airflow_executor_running_tasks',
  executorQueuedTasks: 'airflow_executor_queued_tasks',
} as const;

/** Every raw metric the rules below read. */
export const AIRFLOW_METRIC_NAMES: readonly string[] = Object.values(AIRFLOW);

/** The series the rules below record. */
const RECORDED = {
  dagrunsFailed: 'namespace_job_dag_id:airflow_dagrun_failed:increase1h',
  dagrunsSucceeded: 'namespace_job_dag_id:airflow_dagrun_success:increase1h',
  heartbeat: 'namespace_job:airflow_scheduler_heartbeat:rate5m',
  runningTasks: 'namespace_job:airflow_executor_running_tasks:sum',
  queuedTasks: 'namespace_job:airflow_executor_queued_tasks:sum',
  dagProcessingAge: 'namespace_job:airflow_dag_processing_last_run_seconds_ago:max',
} as const;

/** DAG runs, the scheduler's heartbeat and the executor's tasks, Airflow's alerts, and its row on the platform dashboard. */
class AirflowMonitoring implements IMonitoringContribution {
  public readonly key = 'airflow';

  public recordingRules(series: ISeriesScope): RecordingRuleGroup[] {
    const byJob = 'namespace, job';
    const over = (aggregation: string, metric: string) => `${aggregation} by (${byJob}) (${series.raw(metric)})`;
    const increase1h = (metric: string) => `sum by (namespace, job, dag_id) (increase(${series.raw(metric)}[1h]))`;
    return [{
      name: MlopsRuleGroups.PLATFORM,
      rules: [
        recordingRule(RECORDED.dagrunsFailed, increase1h(AIRFLOW.dagrunFailedCount)),
        recordingRule(RECORDED.dagrunsSucceeded, increase1h(AIRFLOW.dagrunSuccessCount)),
        recordingRule(RECORDED.heartbeat, `sum by (${byJob}) (rate(${series.raw(AIRFLOW.schedulerHeartbeat)}[5m]))`),
        recordingRule(RECORDED.runningTasks, over('sum', AIRFLOW.executorRunningTasks)),
        recordingRule(RECORDED.queuedTasks, over('sum', AIRFLOW.executorQueuedTasks)),
        recordingRule(RECORDED.dagProcessingAge, over('max', AIRFLOW.dagProcessingSecondsAgo)),
      ],
    }];
  }

  public alertRules(series: ISeriesScope, thresholds: ResolvedAlertThresholds): AlertRule[] {
    const heartbeatFor = promDuration(thresholds.airflowSchedulerHeartbeatMissingFor);
    return [
      {
        alert: MlopsAlerts.AIRFLOW_DAG_RUN_FAILED,
        expr: `sum by (namespace, job, dag_id) (increase(${series.raw(AIRFLOW.dagrunFailedCount)}[1h])) > ${promNumber(thresholds.airflowDagRunFailures)}`,
        severity: 'warning',
        summary: 'DAG {{ $labels.dag_id }} failed',
        description: 'DAG {{ $labels.dag_id }} ({{ $labels.job }} in {{ $labels.namespace }}) had {{ $value }} failed runs in the last hour.',
      },
      {
        alert: MlopsAlerts.AIRFLOW_SCHEDULER_HEARTBEAT_MISSING,
        expr: `sum by (namespace, job) (rate(${series.raw(AIRFLOW.schedulerHeartbeat)}[5m])) == 0`,
        forDuration: thresholds.airflowSchedulerHeartbeatMissingFor,
        severity: 'critical',
        summary: 'The Airflow scheduler sends no heartbeat',
        description: `The Airflow scheduler behind {{ $labels.job }} in {{ $labels.namespace }} has sent no heartbeat for ${heartbeatFor}.`,
      },
    ];
  }

  public dashboardRows(): DashboardRow[] {
    return [{
      dashboard: MonitoringDashboard.PLATFORM,
      title: 'Airflow',
      panels: [
        dashboardPanel('DAG runs in the last hour', 'short', [
          [`sum by (cluster, namespace, dag_id) (${inPickedClusters(RECORDED.dagrunsFailed)})`, '{{dag_id}} failed'],
          [`sum by (cluster, namespace, dag_id) (${inPickedClusters(RECORDED.dagrunsSucceeded)})`, '{{dag_id}} succeeded'],
        ]),
        dashboardPanel('Scheduler heartbeats per second', 'short', [[inPickedClusters(RECORDED.heartbeat), JOB_LEGEND]]),
        dashboardPanel('Executor tasks', 'short', [
          [inPickedClusters(RECORDED.runningTasks), `${JOB_LEGEND} running`],
          [inPickedClusters(RECORDED.queuedTasks), `${JOB_LEGEND} queued`],
        ]),
        dashboardPanel('Seconds since the DAG files were last parsed', 's', [[inPickedClusters(RECORDED.dagProcessingAge), JOB_LEGEND]]),
      ],
    }];
  }
}

/** The one contribution of every `GitSyncAirflow` (`airflow.monitoring`), through its statsd exporter. */
export const AIRFLOW_MONITORING: IMonitoringContribution = new AirflowMonitoring();
