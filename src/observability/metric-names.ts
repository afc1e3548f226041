// The metric names the platform's components expose, in one place: the recording rules, the alerts and the dashboards
// are all built from these. Each group says where the names were checked.

/**
 * KServe's Python model servers (the `kserve-sklearnserver`, `-xgbserver`, `-lgbserver`, `-pmmlserver` runtimes and
 * custom predictors): one histogram per step, labelled `model_name` (kserve/kserve `python/kserve/kserve/metrics.py`;
 * kserve/website `docs/modelserving/observability/prometheus_metrics.md`). No failure counter.
 */
export const KSERVE = {
  predictBucket: 'request_predict_seconds_bucket',
  predictSum: 'request_predict_seconds_sum',
  predictCount: 'request_predict_seconds_count',
} as const;

/** The label KServe's Python model servers name the model with. */
export const KSERVE_MODEL_LABEL = 'model_name';

/**
 * MLServer (the `kserve-mlserver` runtime): counters and a summary labelled `model`, `version`, and the REST server's
 * histogram labelled `method`, `path` (templated, e.g. `/v2/models/{model_name}/infer`), `status_code` (SeldonIO/MLServer
 * `docs/user-guide/metrics.md` and `mlserver/handlers/dataplane.py`). The failure counter only appears after the first
 * failure.
 */
export const MLSERVER = {
  success: 'model_infer_request_success_total',
  failure: 'model_infer_request_failure_total',
  durationSum: 'model_infer_request_duration_sum',
  durationCount: 'model_infer_request_duration_count',
  restDurationBucket: 'rest_server_request_duration_seconds_bucket',
} as const;

/**
 * NVIDIA Triton (the `kserve-tritonserver` runtime): counters without a `_total` suffix, labelled `model`, `version`
 * (and `reason` on failures); the request duration is a cumulative counter in microseconds
 * (triton-inference-server/server `docs/user_guide/metrics.md`, "Inference Request Metrics").
 */
export const TRITON = {
  success: 'nv_inference_request_success',
  failure: 'nv_inference_request_failure',
  durationUs: 'nv_inference_request_duration_us',
} as const;

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

/**
 * MLflow's `--expose-prometheus`: prometheus_flask_exporter with `defaults_prefix="mlflow"` (mlflow/mlflow
 * `mlflow/server/prometheus_exporter.py`), so `mlflow_http_request_total{method,status}` and the histogram
 * `mlflow_http_request_duration_seconds{method,status,...}` (prometheus_flask_exporter `export_defaults`).
 */
export const MLFLOW = {
  requests: 'mlflow_http_request_total',
  durationBucket: 'mlflow_http_request_duration_seconds_bucket',
} as const;

/**
 * The exporters `Postgres`, `Mysql` and `Redis` run with `metrics: true`: postgres_exporter (`pg_up`, and
 * `pg_stat_database_numbackends{datname}` from `collector/pg_stat_database.go`), mysqld_exporter (`mysql_up`, and
 * `SHOW GLOBAL STATUS` as `mysql_global_status_<name>` from `collector/global_status.go`), redis_exporter (`redis_up`,
 * and `INFO` fields as `redis_<field>`, `used_memory` as `redis_memory_used_bytes`, in `exporter/exporter.go`).
 */
export const DATABASES = {
  postgresUp: 'pg_up',
  postgresBackends: 'pg_stat_database_numbackends',
  mysqlUp: 'mysql_up',
  mysqlThreadsConnected: 'mysql_global_status_threads_connected',
  redisUp: 'redis_up',
  redisConnectedClients: 'redis_connected_clients',
  redisMemoryUsedBytes: 'redis_memory_used_bytes',
} as const;

/** The drift monitor of the platform's seed: a counter of drift detections, labelled `model`. */
export const DRIFT = {
  driftedTotal: 'model_drifted_total',
} as const;

/** Every scrape target, from Prometheus itself. */
export const PROMETHEUS = {
  up: 'up',
} as const;

/**
 * The label `FederatedPrometheus`'s monitors copy from KServe's pod label `serving.kserve.io/inferenceservice`, so that
 * predictor pods are recognisable whatever their runtime.
 */
export const INFERENCE_SERVICE_LABEL = 'inferenceservice';

/** Every metric name above, for tests that check that rules and dashboards use only these. */
export const EXPOSED_METRIC_NAMES: readonly string[] = [KSERVE, MLSERVER, TRITON, MINIO, AIRFLOW, MLFLOW, DATABASES, DRIFT, PROMETHEUS]
  .flatMap((group) => Object.values(group));
