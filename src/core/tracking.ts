import { TrustBundle } from './trust-bundle';

/** An MLflow tracking server that workloads log to, e.g. an `MlflowTracking` or one run elsewhere. */
export interface IMlflowTracking {
  /** What clients set as `MLFLOW_TRACKING_URI`: the server's URL with its static prefix, e.g. `http://mlflow.mlops.svc:5000/mlflow`. */
  readonly trackingUri: string;

  /**
   * The CA bundle that verifies an `https` tracking server signed by a private CA; clients mount it
   * (`TrustBundle.mountInto`, `podFields`), and MLflow's client reads it through `REQUESTS_CA_BUNDLE`.
   *
   * @default - none: plain HTTP, or a certificate the system CAs verify
   */
  readonly trustBundle?: TrustBundle;
}
