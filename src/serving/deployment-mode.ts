/**
 * How KServe runs a predictor or an inference graph (the `serving.kserve.io/deploymentMode` annotation).
 */
export class KserveDeploymentMode {
  /** A Deployment, a Service and a HorizontalPodAutoscaler; no Knative needed. */
  public static readonly RAW_DEPLOYMENT = new KserveDeploymentMode('RawDeployment');
  /** A Knative Service: scale to zero, request-based autoscaling, revisions and canary rollouts. */
  public static readonly SERVERLESS = new KserveDeploymentMode('Serverless');

  /** A mode of another KServe release, e.g. `Standard` or `Knative` (KServe 0.15+). */
  public static of(value: string): KserveDeploymentMode {
    return new KserveDeploymentMode(value);
  }

  private constructor(
    /** The annotation's value. */
    public readonly value: string,
  ) {}

  /** Whether pods are Knative revisions (`Serverless`, or its newer name `Knative`). */
  public get isServerless(): boolean {
    return this.value === 'Serverless' || this.value === 'Knative';
  }
}

/** What the autoscaler watches (`predictor.scaleMetric`). */
export enum ScaleMetric {
  /** cpu utilization in percent (RawDeployment: HorizontalPodAutoscaler). */
  CPU = 'cpu',
  /** memory utilization in percent (RawDeployment: HorizontalPodAutoscaler). */
  MEMORY = 'memory',
  /** requests in flight per pod (Serverless: Knative autoscaler). */
  CONCURRENCY = 'concurrency',
  /** requests per second per pod (Serverless: Knative autoscaler). */
  RPS = 'rps',
}
