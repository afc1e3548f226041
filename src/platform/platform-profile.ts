/**
 * How much a platform is built for: a laptop or a test cluster (`DEV`), or users who depend on it (`PRODUCTION`).
 */
export class PlatformProfile {
  /**
   * Small resources and one replica of everything; every credential not given is generated inside the cluster.
   */
  public static readonly DEV = new PlatformProfile('dev', false);

  /**
   * Every credential of a piece created in the cluster must come from an existing Secret (`SecretSource.fromSecret`):
   * generated ones are refused. The Airflow api-server and MLflow run 2 replicas, spread over nodes (preferred pod
   * anti-affinity by hostname), each with a PodDisruptionBudget (`minAvailable: 1`).
   */
  public static readonly PRODUCTION = new PlatformProfile('production', true);

  private constructor(
    /** The profile's name, as error messages show it. */
    public readonly name: string,
    /** Whether generated credentials are refused and the stateless servers are replicated. */
    public readonly isProduction: boolean,
  ) {}

  /** Replicas of the servers that can run several: the Airflow api-server and MLflow. */
  public get serverReplicas(): number {
    return this.isProduction ? 2 : 1;
  }
}
