import { AIRFLOW, DATABASES, DRIFT, INFERENCE_SERVICE_LABEL, KSERVE, KSERVE_MODEL_LABEL, MINIO, MLFLOW, MLSERVER, PROMETHEUS, TRITON } from './metric-names';
import { plusMaybeMissing, RuleGroupSpec, RuleSpec, SeriesScope } from './promql';

/**
 * The series the recording rules write. They are what the primary federates (every name has a `:`, which raw metrics
 * never have) and what the dashboards show, so a dashboard works the same on a secondary and on the primary.
 */
export const RECORDED = {
  modelRequests: 'namespace_job_model:inference_requests:rate5m',
  modelErrors: 'namespace_job_model:inference_request_errors:rate5m',
  modelErrorRatio: 'namespace_job_model:inference_request_errors:ratio_rate5m',
  modelLatencyQuantile: 'namespace_job_model:inference_request_duration_seconds:histogram_quantile',
  modelLatencyMean: 'namespace_job_model:inference_request_duration_seconds:mean5m',
  modelDrift: 'namespace_job_model:model_drifted:increase1h',
  predictorReplicasUp: 'namespace_inferenceservice:up:sum',
  predictorReplicas: 'namespace_inferenceservice:up:count',
  targetsUp: 'namespace_job:up:sum',
  targets: 'namespace_job:up:count',
  minioFreeRatio: 'namespace_job:minio_capacity_usable_free:ratio',
  minioFreeBytes: 'namespace_job:minio_cluster_capacity_usable_free_bytes:max',
  minioRequests: 'namespace_job:minio_s3_requests:rate5m',
  minioErrors: 'namespace_job:minio_s3_requests_errors:rate5m',
  airflowDagrunsFailed: 'namespace_job_dag_id:airflow_dagrun_failed:increase1h',
  airflowDagrunsSucceeded: 'namespace_job_dag_id:airflow_dagrun_success:increase1h',
  airflowHeartbeat: 'namespace_job:airflow_scheduler_heartbeat:rate5m',
  airflowRunningTasks: 'namespace_job:airflow_executor_running_tasks:sum',
  airflowQueuedTasks: 'namespace_job:airflow_executor_queued_tasks:sum',
  airflowDagProcessingAge: 'namespace_job:airflow_dag_processing_last_run_seconds_ago:max',
  mlflowRequests: 'namespace_job:mlflow_http_requests:rate5m',
  mlflowErrors: 'namespace_job:mlflow_http_request_errors:rate5m',
  mlflowLatencyQuantile: 'namespace_job:mlflow_http_request_duration_seconds:histogram_quantile',
  postgresUp: 'namespace_job:pg_up:min',
  postgresBackends: 'namespace_job:pg_stat_database_numbackends:sum',
  mysqlUp: 'namespace_job:mysql_up:min',
  mysqlThreadsConnected: 'namespace_job:mysql_global_status_threads_connected:sum',
  redisUp: 'namespace_job:redis_up:min',
  redisConnectedClients: 'namespace_job:redis_connected_clients:sum',
  redisMemoryUsedBytes: 'namespace_job:redis_memory_used_bytes:max',
} as const;

/** The latency quantiles recorded for models and MLflow. */
export const QUANTILES = ['0.5', '0.95', '0.99'];

const BY_MODEL = 'namespace, job, model';

function record(name: string, expr: string, labels: Record<string, string> = {}): RuleSpec {
  return { record: name, expr, labels };
}

/** Requests, errors, error ratio and latency per model, for each runtime; `runtime` tells them apart. */
function modelRules(scope: SeriesScope): RuleSpec[] {
  const sumRate = (series: string, matchers?: string) => `sum by (${BY_MODEL}) (rate(${scope.raw(series, matchers)}[5m]))`;
  // KServe's Python servers name the model `model_name`; the other runtimes, and these rules, `model`.
  const kserveRate = (series: string) => `label_replace(rate(${scope.raw(series)}[5m]), "model", "$1", "${KSERVE_MODEL_LABEL}", "(.+)")`;
  const kserve = { runtime: 'kserve' };
  const mlserver = { runtime: 'mlserver' };
  const triton = { runtime: 'triton' };
  const rules: RuleSpec[] = [
    record(RECORDED.modelRequests, `sum by (${BY_MODEL}) (${kserveRate(KSERVE.predictCount)})`, kserve),
    record(RECORDED.modelRequests, plusMaybeMissing(sumRate(MLSERVER.success), sumRate(MLSERVER.failure)), mlserver),
    record(RECORDED.modelRequests, plusMaybeMissing(sumRate(TRITON.success), sumRate(TRITON.failure)), triton),
    record(RECORDED.modelErrors, sumRate(MLSERVER.failure), mlserver),
    record(RECORDED.modelErrors, sumRate(TRITON.failure), triton),
    record(RECORDED.modelErrorRatio, `${scope.recorded(RECORDED.modelErrors)} / (${scope.recorded(RECORDED.modelRequests)} > 0)`),
  ];
  for (const quantile of QUANTILES) {
    rules.push(record(RECORDED.modelLatencyQuantile,
      `histogram_quantile(${quantile}, sum by (${BY_MODEL}, le) (${kserveRate(KSERVE.predictBucket)}))`, { ...kserve, quantile }));
    // MLServer's latency histogram is per REST route, without the model: in KServe one predictor serves one model,
    // named after the InferenceService, which the monitors copy into `inferenceservice`.
    rules.push(record(RECORDED.modelLatencyQuantile,
      `histogram_quantile(${quantile}, sum by (${BY_MODEL}, le) (label_replace(rate(${scope.raw(MLSERVER.restDurationBucket, 'path=~".*/infer"')}[5m]), `
      + `"model", "$1", "${INFERENCE_SERVICE_LABEL}", "(.+)")))`, { ...mlserver, quantile }));
  }
  rules.push(
    record(RECORDED.modelLatencyMean,
      `sum by (${BY_MODEL}) (${kserveRate(KSERVE.predictSum)}) / (sum by (${BY_MODEL}) (${kserveRate(KSERVE.predictCount)}) > 0)`, kserve),
    record(RECORDED.modelLatencyMean, `${sumRate(MLSERVER.durationSum)} / (${sumRate(MLSERVER.durationCount)} > 0)`, mlserver),
    record(RECORDED.modelLatencyMean,
      `${sumRate(TRITON.durationUs)} / 1e6 / on (${BY_MODEL}) (${scope.recorded(RECORDED.modelRequests, 'runtime="triton"')} > 0)`, triton),
    record(RECORDED.modelDrift, `sum by (${BY_MODEL}) (increase(${scope.raw(DRIFT.driftedTotal)}[1h]))`),
  );
  return rules;
}

function platformRules(scope: SeriesScope): RuleSpec[] {
  const byJob = 'namespace, job';
  const byDag = 'namespace, job, dag_id';
  const sumRate = (series: string, matchers?: string) => `sum by (${byJob}) (rate(${scope.raw(series, matchers)}[5m]))`;
  const over = (aggregation: string, by: string, series: string) => `${aggregation} by (${by}) (${scope.raw(series)})`;
  const increase1h = (series: string) => `sum by (${byDag}) (increase(${scope.raw(series)}[1h]))`;
  const predictorUp = scope.raw(PROMETHEUS.up, `${INFERENCE_SERVICE_LABEL}!=""`);
  const rules: RuleSpec[] = [
    record(RECORDED.targetsUp, over('sum', byJob, PROMETHEUS.up)),
    record(RECORDED.targets, over('count', byJob, PROMETHEUS.up)),
    record(RECORDED.predictorReplicasUp, `sum by (namespace, ${INFERENCE_SERVICE_LABEL}) (${predictorUp})`),
    record(RECORDED.predictorReplicas, `count by (namespace, ${INFERENCE_SERVICE_LABEL}) (${predictorUp})`),
    record(RECORDED.minioFreeBytes, over('max', byJob, MINIO.usableFreeBytes)),
    record(RECORDED.minioFreeRatio, `${over('max', byJob, MINIO.usableFreeBytes)} / (${over('max', byJob, MINIO.usableTotalBytes)} > 0)`),
    record(RECORDED.minioRequests, sumRate(MINIO.s3Requests)),
    record(RECORDED.minioErrors, sumRate(MINIO.s3Errors)),
    record(RECORDED.airflowDagrunsFailed, increase1h(AIRFLOW.dagrunFailedCount)),
    record(RECORDED.airflowDagrunsSucceeded, increase1h(AIRFLOW.dagrunSuccessCount)),
    record(RECORDED.airflowHeartbeat, sumRate(AIRFLOW.schedulerHeartbeat)),
    record(RECORDED.airflowRunningTasks, over('sum', byJob, AIRFLOW.executorRunningTasks)),
    record(RECORDED.airflowQueuedTasks, over('sum', byJob, AIRFLOW.executorQueuedTasks)),
    record(RECORDED.airflowDagProcessingAge, over('max', byJob, AIRFLOW.dagProcessingSecondsAgo)),
    record(RECORDED.mlflowRequests, sumRate(MLFLOW.requests)),
    record(RECORDED.mlflowErrors, sumRate(MLFLOW.requests, 'status=~"5.."')),
    record(RECORDED.postgresUp, over('min', byJob, DATABASES.postgresUp)),
    record(RECORDED.postgresBackends, over('sum', byJob, DATABASES.postgresBackends)),
    record(RECORDED.mysqlUp, over('min', byJob, DATABASES.mysqlUp)),
    record(RECORDED.mysqlThreadsConnected, over('sum', byJob, DATABASES.mysqlThreadsConnected)),
    record(RECORDED.redisUp, over('min', byJob, DATABASES.redisUp)),
    record(RECORDED.redisConnectedClients, over('sum', byJob, DATABASES.redisConnectedClients)),
    record(RECORDED.redisMemoryUsedBytes, over('max', byJob, DATABASES.redisMemoryUsedBytes)),
  ];
  for (const quantile of QUANTILES) {
    rules.push(record(RECORDED.mlflowLatencyQuantile,
      `histogram_quantile(${quantile}, sum by (${byJob}, le) (rate(${scope.raw(MLFLOW.durationBucket)}[5m])))`, { quantile }));
  }
  return rules;
}

/**
 * The recording rules, each labelled with the cluster, so that the primary's own aggregates and those it federates
 * look alike.
 */
export function recordingRuleGroups(cluster: string, scope: SeriesScope): RuleGroupSpec[] {
  const withCluster = (rule: RuleSpec): RuleSpec => ({ ...rule, labels: { ...rule.labels, cluster } });
  return [
    { name: 'mlops.models.rules', rules: modelRules(scope).map(withCluster) },
    { name: 'mlops.platform.rules', rules: platformRules(scope).map(withCluster) },
  ];
}
