import { Duration } from 'cdk8s';
import {
  AlertRule, DashboardPanelType, DashboardRow, IMonitoringContribution, ISeriesScope, MlopsAlerts, MlopsRuleGroups, MonitoringDashboard,
  RecordingRuleGroup, ResolvedAlertThresholds,
} from '../core/monitoring';
import { dashboardPanel, inPickedClusters, JOB_LEGEND, promNumber, recordingRule } from '../core/monitoring-promql';

/**
 * MinIO at `/minio/v2/metrics/cluster` (minio/minio `docs/metrics/prometheus/list.md`: "Cluster Capacity Metrics",
 * "S3 API Request Metrics"); every server reports the cluster values, labelled `server`.
 */
export const MINIO = {
  usableFreeBytes: 'minio_cluster_capacity_usable_free_bytes',
  usableTotalBytes: 'minio_cluster_capacity_usable_total_bytes',
  s3Requests: 'minio_s3_requests_total',
  s3Errors: 'minio_s3_requests_errors_total',
} as const;

/** Every raw metric the rules below read. */
export const MINIO_METRIC_NAMES: readonly string[] = Object.values(MINIO);

/** The series the rules below record. */
const RECORDED = {
  freeRatio: 'namespace_job:minio_capacity_usable_free:ratio',
  freeBytes: 'namespace_job:minio_cluster_capacity_usable_free_bytes:max',
  requests: 'namespace_job:minio_s3_requests:rate5m',
  errors: 'namespace_job:minio_s3_requests_errors:rate5m',
} as const;

/** MinIO's free capacity and S3 traffic, the `MinioCapacityLow` alert, and its row on the platform dashboard. */
class MinioMonitoring implements IMonitoringContribution {
  public readonly key = 'minio';

  public recordingRules(series: ISeriesScope): RecordingRuleGroup[] {
    const byJob = 'namespace, job';
    const max = (metric: string) => `max by (${byJob}) (${series.raw(metric)})`;
    const sumRate = (metric: string) => `sum by (${byJob}) (rate(${series.raw(metric)}[5m]))`;
    return [{
      name: MlopsRuleGroups.PLATFORM,
      rules: [
        recordingRule(RECORDED.freeBytes, max(MINIO.usableFreeBytes)),
        recordingRule(RECORDED.freeRatio, `${max(MINIO.usableFreeBytes)} / (${max(MINIO.usableTotalBytes)} > 0)`),
        recordingRule(RECORDED.requests, sumRate(MINIO.s3Requests)),
        recordingRule(RECORDED.errors, sumRate(MINIO.s3Errors)),
      ],
    }];
  }

  public alertRules(series: ISeriesScope, thresholds: ResolvedAlertThresholds): AlertRule[] {
    return [{
      alert: MlopsAlerts.MINIO_CAPACITY_LOW,
      expr: `${series.recorded(RECORDED.freeRatio)} < ${promNumber(thresholds.minioFreeCapacityRatio)}`,
      forDuration: Duration.minutes(15),
      severity: 'warning',
      summary: 'MinIO {{ $labels.job }} is running out of space',
      description: 'MinIO {{ $labels.job }} in {{ $labels.namespace }} has {{ $value | humanizePercentage }} of its usable capacity free.',
    }];
  }

  public dashboardRows(): DashboardRow[] {
    return [{
      dashboard: MonitoringDashboard.PLATFORM,
      title: 'MinIO',
      panels: [
        dashboardPanel('Free usable capacity', 'percentunit', [[inPickedClusters(RECORDED.freeRatio), JOB_LEGEND]], DashboardPanelType.STAT),
        dashboardPanel('Free usable bytes', 'bytes', [[inPickedClusters(RECORDED.freeBytes), JOB_LEGEND]]),
        dashboardPanel('S3 requests per second', 'reqps', [
          [inPickedClusters(RECORDED.requests), `${JOB_LEGEND} all`],
          [inPickedClusters(RECORDED.errors), `${JOB_LEGEND} errors`],
        ]),
      ],
    }];
  }
}

/** The one contribution of every `MinioWithBuckets` (`minio.monitoring`). */
export const MINIO_MONITORING: IMonitoringContribution = new MinioMonitoring();
