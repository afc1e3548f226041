import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AlertThresholds, MlopsAlerts } from './alert-thresholds';
import { AIRFLOW, DRIFT, PROMETHEUS } from './metric-names';
import { promDuration, promNumber, RuleGroupSpec, RuleSpec, SeriesScope } from './promql';
import { RECORDED } from './recording-rules';
import { MlopsValidationError } from '../core/errors';

/** The thresholds with their defaults, checked. */
export function resolveThresholds(scope: IConstruct, thresholds: AlertThresholds = {}): Required<AlertThresholds> {
  const resolved: Required<AlertThresholds> = {
    modelErrorRatio: thresholds.modelErrorRatio ?? 0.05,
    modelLatencyP95: thresholds.modelLatencyP95 ?? Duration.seconds(1),
    modelDriftCount: thresholds.modelDriftCount ?? 0,
    modelDriftWindow: thresholds.modelDriftWindow ?? Duration.hours(1),
    airflowDagRunFailures: thresholds.airflowDagRunFailures ?? 0,
    airflowSchedulerHeartbeatMissingFor: thresholds.airflowSchedulerHeartbeatMissingFor ?? Duration.minutes(5),
    minioFreeCapacityRatio: thresholds.minioFreeCapacityRatio ?? 0.1,
  };
  for (const name of ['modelErrorRatio', 'minioFreeCapacityRatio'] as const) {
    const value = resolved[name];
    if (!(value > 0 && value < 1)) {
      throw new MlopsValidationError(scope, `alertThresholds.${name} ${value} is invalid: it is a share of requests or capacity; `
        + 'give a number between 0 and 1, e.g. 0.05');
    }
  }
  for (const name of ['modelDriftCount', 'airflowDagRunFailures'] as const) {
    const value = resolved[name];
    if (!(Number.isInteger(value) && value >= 0)) {
      throw new MlopsValidationError(scope, `alertThresholds.${name} ${value} is invalid: it counts events; give a whole number, 0 or more`);
    }
  }
  for (const name of ['modelLatencyP95', 'modelDriftWindow', 'airflowSchedulerHeartbeatMissingFor'] as const) {
    if (resolved[name].toMilliseconds() <= 0) {
      throw new MlopsValidationError(scope, `alertThresholds.${name} is invalid: it must be longer than 0`);
    }
  }
  return resolved;
}

function alert(name: string, expr: string, severity: string, summary: string, description: string, forDuration?: string): RuleSpec {
  return { alert: name, expr, for: forDuration, labels: { severity }, annotations: { summary, description } };
}

/**
 * The alerts. When the rules live in a namespace, each alert's `namespace` label is set to it and the namespace the
 * alert came from is kept in `target_namespace`: the operator adds a `namespace=<its namespace>` matcher to the route
 * of every AlertmanagerConfig, so an alert from another namespace would never reach the routes this construct adds.
 */
export function alertRuleGroup(thresholds: Required<AlertThresholds>, namespace: string | undefined, scope: SeriesScope): RuleGroupSpec {
  const latency = promNumber(thresholds.modelLatencyP95.toMilliseconds() / 1000);
  const driftWindow = promDuration(thresholds.modelDriftWindow);
  const heartbeatFor = promDuration(thresholds.airflowSchedulerHeartbeatMissingFor);
  const p95 = scope.recorded(RECORDED.modelLatencyQuantile, 'quantile="0.95"');
  const tritonMean = scope.recorded(RECORDED.modelLatencyMean, 'runtime="triton"');
  const rules: RuleSpec[] = [
    alert(MlopsAlerts.MODEL_HIGH_ERROR_RATIO,
      `${scope.recorded(RECORDED.modelErrorRatio)} > ${promNumber(thresholds.modelErrorRatio)}`, 'warning',
      'Model {{ $labels.model }} fails {{ $value | humanizePercentage }} of its requests',
      'Model {{ $labels.model }} ({{ $labels.job }} in {{ $labels.namespace }}, runtime {{ $labels.runtime }}) has failed more than '
      + `${promNumber(thresholds.modelErrorRatio * 100)}% of its requests for 10 minutes.`, '10m'),
    alert(MlopsAlerts.MODEL_HIGH_LATENCY,
      `${p95} > ${latency} or ${tritonMean} > ${latency}`, 'warning',
      'Model {{ $labels.model }} answers slowly',
      `Model {{ $labels.model }} ({{ $labels.job }} in {{ $labels.namespace }}) has had a latency above ${latency}s for 10 minutes.`, '10m'),
    alert(MlopsAlerts.MODEL_PREDICTOR_DOWN, `${scope.recorded(RECORDED.predictorReplicasUp)} == 0`, 'critical',
      'Predictor {{ $labels.inferenceservice }} is down',
      'No replica of InferenceService {{ $labels.inferenceservice }} in {{ $labels.namespace }} answers scrapes.', '5m'),
    alert(MlopsAlerts.MODEL_DRIFTED,
      `sum by (namespace, job, model) (increase(${scope.raw(DRIFT.driftedTotal)}[${driftWindow}])) > ${promNumber(thresholds.modelDriftCount)}`, 'warning',
      'Model {{ $labels.model }} drifted',
      `The drift monitor flagged model {{ $labels.model }} in {{ $labels.namespace }} {{ $value }} times in the last ${driftWindow}.`),
    alert(MlopsAlerts.SCRAPE_TARGET_DOWN, `${scope.raw(PROMETHEUS.up)} == 0`, 'warning',
      'Scrape target {{ $labels.job }} is down',
      '{{ $labels.instance }} of {{ $labels.job }} in {{ $labels.namespace }} has not answered scrapes for 10 minutes.', '10m'),
    alert(MlopsAlerts.AIRFLOW_DAG_RUN_FAILED,
      `sum by (namespace, job, dag_id) (increase(${scope.raw(AIRFLOW.dagrunFailedCount)}[1h])) > ${promNumber(thresholds.airflowDagRunFailures)}`, 'warning',
      'DAG {{ $labels.dag_id }} failed',
      'DAG {{ $labels.dag_id }} ({{ $labels.job }} in {{ $labels.namespace }}) had {{ $value }} failed runs in the last hour.'),
    alert(MlopsAlerts.AIRFLOW_SCHEDULER_HEARTBEAT_MISSING, `sum by (namespace, job) (rate(${scope.raw(AIRFLOW.schedulerHeartbeat)}[5m])) == 0`, 'critical',
      'The Airflow scheduler sends no heartbeat',
      `The Airflow scheduler behind {{ $labels.job }} in {{ $labels.namespace }} has sent no heartbeat for ${heartbeatFor}.`, heartbeatFor),
    alert(MlopsAlerts.MINIO_CAPACITY_LOW, `${scope.recorded(RECORDED.minioFreeRatio)} < ${promNumber(thresholds.minioFreeCapacityRatio)}`, 'warning',
      'MinIO {{ $labels.job }} is running out of space',
      'MinIO {{ $labels.job }} in {{ $labels.namespace }} has {{ $value | humanizePercentage }} of its usable capacity free.', '15m'),
    alert(MlopsAlerts.DATABASE_DOWN,
      [RECORDED.postgresUp, RECORDED.mysqlUp, RECORDED.redisUp].map((up) => `${scope.recorded(up)} == 0`).join(' or '), 'critical',
      'Database {{ $labels.job }} is down',
      'The exporter of {{ $labels.job }} in {{ $labels.namespace }} cannot reach its database server.', '5m'),
  ];
  const routable = (rule: RuleSpec): RuleSpec => namespace === undefined ? rule : {
    ...rule,
    labels: { ...rule.labels, namespace, target_namespace: '{{ $labels.namespace }}' },
  };
  return { name: 'mlops.alerts', rules: rules.map(routable) };
}
