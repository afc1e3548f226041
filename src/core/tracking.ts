/** An MLflow tracking server that workloads log to, e.g. an `MlflowTracking` or one run elsewhere. */
export interface IMlflowTracking {
  /** What clients set as `MLFLOW_TRACKING_URI`: the server's URL with its static prefix, e.g. `http://mlflow.mlops.svc:5000/mlflow`. */
  readonly trackingUri: string;
}
