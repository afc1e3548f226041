import { DashboardSpec } from './grafana-dashboard';
import { PROMETHEUS_RECORDED } from './prometheus-monitoring';
import { ModelSeries, MonitoringDashboard } from '../core/monitoring';

// The dashboards query the recorded aggregates only: they are what a primary federates, so the same dashboard works
// on a secondary, on the primary, and across clusters with the cluster picker. Their rows come from the monitoring
// contributions of what the Prometheus monitors or federates.

/** Request rate, latency p50/p95/p99, errors and replicas per model and predictor. */
export const MODEL_SERVING_DASHBOARD: DashboardSpec = {
  uid: MonitoringDashboard.MODEL_SERVING,
  title: 'MLOps / Model serving',
  description: 'KServe predictors (KServe Python servers, MLServer, Triton): traffic, latency, errors, replicas and drift per model.',
  tags: ['mlops', 'kserve'],
  clusterSeries: ModelSeries.REQUESTS,
};

/** The health of every scrape target, Airflow, MLflow, MinIO and the databases (through their exporters). */
export const PLATFORM_DASHBOARD: DashboardSpec = {
  uid: MonitoringDashboard.PLATFORM,
  title: 'MLOps / Platform overview',
  description: 'Scrape targets, Airflow, MLflow, MinIO and the databases.',
  tags: ['mlops'],
  clusterSeries: PROMETHEUS_RECORDED.targets,
};
