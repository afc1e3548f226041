import { DashboardSpec, PanelSpec } from './grafana-dashboard';
import { RECORDED } from './recording-rules';

// The dashboards query the recorded aggregates only: they are what a primary federates, so the same dashboard works
// on a secondary, on the primary, and across clusters with the cluster picker.

const IN_CLUSTER = '{cluster=~"$cluster"}';

function series(name: string, extra: string = ''): string {
  return extra ? `${name}{cluster=~"$cluster", ${extra}}` : `${name}${IN_CLUSTER}`;
}

function panel(title: string, unit: string, queries: Array<[string, string]>, type: PanelSpec['type'] = 'timeseries'): PanelSpec {
  return { title, type, unit, queries: queries.map(([expr, legend]) => ({ expr, legend })) };
}

const MODEL = '{{cluster}}/{{namespace}} {{model}}';

/** Request rate, latency p50/p95/p99, errors and replicas per model and predictor. */
export const MODEL_SERVING_DASHBOARD: DashboardSpec = {
  uid: 'mlops-model-serving',
  title: 'MLOps / Model serving',
  description: 'KServe predictors (KServe Python servers, MLServer, Triton): traffic, latency, errors, replicas and drift per model.',
  tags: ['mlops', 'kserve'],
  clusterSeries: RECORDED.modelRequests,
  rows: [
    {
      title: 'Traffic',
      panels: [
        panel('Requests per second', 'reqps', [[`sum by (cluster, namespace, model) (${series(RECORDED.modelRequests)})`, MODEL]]),
        panel('Failed requests per second', 'reqps', [[`sum by (cluster, namespace, model) (${series(RECORDED.modelErrors)})`, MODEL]]),
        panel('Error ratio', 'percentunit', [[series(RECORDED.modelErrorRatio), MODEL]]),
      ],
    },
    {
      title: 'Latency',
      panels: [
        panel('Latency p50 / p95 / p99', 's', [
          [series(RECORDED.modelLatencyQuantile, 'quantile="0.5"'), `${MODEL} p50`],
          [series(RECORDED.modelLatencyQuantile, 'quantile="0.95"'), `${MODEL} p95`],
          [series(RECORDED.modelLatencyQuantile, 'quantile="0.99"'), `${MODEL} p99`],
        ]),
        panel('Mean latency', 's', [[series(RECORDED.modelLatencyMean), `${MODEL} ({{runtime}})`]]),
      ],
    },
    {
      title: 'Predictors',
      panels: [
        panel('Replicas per predictor', 'short', [
          [series(RECORDED.predictorReplicasUp), '{{cluster}}/{{namespace}} {{inferenceservice}} up'],
          [series(RECORDED.predictorReplicas), '{{cluster}}/{{namespace}} {{inferenceservice}} scraped'],
        ]),
        panel('Drift detections in the last hour', 'short', [[series(RECORDED.modelDrift), MODEL]]),
      ],
    },
  ],
};

const JOB = '{{cluster}}/{{namespace}} {{job}}';

/** The health of every scrape target, Airflow, MLflow, MinIO and the databases (through their exporters). */
export const PLATFORM_DASHBOARD: DashboardSpec = {
  uid: 'mlops-platform',
  title: 'MLOps / Platform overview',
  description: 'Scrape targets, Airflow, MLflow, MinIO and the databases.',
  tags: ['mlops'],
  clusterSeries: RECORDED.targets,
  rows: [
    {
      title: 'Scrape targets',
      panels: [
        panel('Targets up', 'percentunit', [[`${series(RECORDED.targetsUp)} / ${series(RECORDED.targets)}`, JOB]]),
      ],
    },
    {
      title: 'Airflow',
      panels: [
        panel('DAG runs in the last hour', 'short', [
          [`sum by (cluster, namespace, dag_id) (${series(RECORDED.airflowDagrunsFailed)})`, '{{dag_id}} failed'],
          [`sum by (cluster, namespace, dag_id) (${series(RECORDED.airflowDagrunsSucceeded)})`, '{{dag_id}} succeeded'],
        ]),
        panel('Scheduler heartbeats per second', 'short', [[series(RECORDED.airflowHeartbeat), JOB]]),
        panel('Executor tasks', 'short', [
          [series(RECORDED.airflowRunningTasks), `${JOB} running`],
          [series(RECORDED.airflowQueuedTasks), `${JOB} queued`],
        ]),
        panel('Seconds since the DAG files were last parsed', 's', [[series(RECORDED.airflowDagProcessingAge), JOB]]),
      ],
    },
    {
      title: 'MLflow',
      panels: [
        panel('Requests per second', 'reqps', [
          [series(RECORDED.mlflowRequests), `${JOB} all`],
          [series(RECORDED.mlflowErrors), `${JOB} 5xx`],
        ]),
        panel('Latency p95', 's', [[series(RECORDED.mlflowLatencyQuantile, 'quantile="0.95"'), JOB]]),
      ],
    },
    {
      title: 'MinIO',
      panels: [
        panel('Free usable capacity', 'percentunit', [[series(RECORDED.minioFreeRatio), JOB]], 'stat'),
        panel('Free usable bytes', 'bytes', [[series(RECORDED.minioFreeBytes), JOB]]),
        panel('S3 requests per second', 'reqps', [
          [series(RECORDED.minioRequests), `${JOB} all`],
          [series(RECORDED.minioErrors), `${JOB} errors`],
        ]),
      ],
    },
    {
      title: 'Databases',
      panels: [
        panel('Server up (exporter view)', 'short', [
          [series(RECORDED.postgresUp), `${JOB} postgres`],
          [series(RECORDED.mysqlUp), `${JOB} mysql`],
          [series(RECORDED.redisUp), `${JOB} redis`],
        ]),
        panel('Connections', 'short', [
          [series(RECORDED.postgresBackends), `${JOB} postgres`],
          [series(RECORDED.mysqlThreadsConnected), `${JOB} mysql`],
          [series(RECORDED.redisConnectedClients), `${JOB} redis`],
        ]),
        panel('Redis memory', 'bytes', [[series(RECORDED.redisMemoryUsedBytes), JOB]]),
      ],
    },
  ],
};
