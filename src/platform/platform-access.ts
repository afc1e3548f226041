import * as kplus from 'cdk8s-plus-28';

/** One host for every UI, through an Ingress. */
export interface PlatformIngressOptions {
  /** The host name users open, e.g. `mlops.example.com`: Airflow at `/airflow`, MLflow at `/mlflow`. */
  readonly host: string;

  /**
   * The IngressClass.
   *
   * @default - the cluster's default IngressClass
   */
  readonly ingressClassName?: string;

  /**
   * A TLS Secret (`tls.crt`, `tls.key`) for `host` (and `minioConsoleHost`); the UIs' URLs are then `https://`.
   *
   * @default - plain HTTP
   */
  readonly tlsSecret?: kplus.ISecret;

  /**
   * A host name for the MinIO console (served at its root, e.g. `minio.mlops.example.com`). The console cannot be
   * served under a path of `host`: MinIO needs the proxy to strip the prefix, which a Kubernetes Ingress cannot express.
   * Only used when the platform runs its own MinIO.
   *
   * @default - the console is not exposed (reach it with `kubectl port-forward`)
   */
  readonly minioConsoleHost?: string;
}

/** The fixed NodePorts of `PlatformAccess.nodePorts()`, each from 30000 to 32767. */
export interface PlatformNodePortOptions {
  /** The Airflow UI and API. @default 30007 */
  readonly airflow?: number;
  /** The MLflow UI and API. @default 30008 */
  readonly mlflow?: number;
  /** The MinIO S3 API (only with the platform's own MinIO). @default 30009 */
  readonly minioApi?: number;
  /** The MinIO console (only with the platform's own MinIO). @default 30010 */
  readonly minioConsole?: number;
}

/**
 * How users reach the UIs from outside the cluster.
 *
 * - `PlatformAccess.clusterIp()`: not at all; `kubectl port-forward` to the Services.
 * - `PlatformAccess.ingress({ host })`: one host, a path per app, each app told its base path.
 * - `PlatformAccess.nodePorts()`: fixed ports on every node, for a bare cluster (k3s) without an Ingress controller.
 *
 * With an Ingress or NodePorts, NetworkPolicies let traffic from anywhere reach the exposed ports of the UIs (an
 * Ingress controller's or a node's traffic comes from outside the namespace), and only those ports.
 */
export class PlatformAccess {
  /** ClusterIP Services only. */
  public static clusterIp(): PlatformAccess {
    return new PlatformAccess();
  }

  /** An Ingress on one host: `/airflow`, `/mlflow`, and the MinIO console on `minioConsoleHost` if given. */
  public static ingress(options: PlatformIngressOptions): PlatformAccess {
    return new PlatformAccess(options);
  }

  /** Fixed NodePorts: by default Airflow 30007, MLflow 30008, MinIO API 30009, MinIO console 30010. */
  public static nodePorts(options: PlatformNodePortOptions = {}): PlatformAccess {
    return new PlatformAccess(undefined, {
      airflow: options.airflow ?? 30007,
      mlflow: options.mlflow ?? 30008,
      minioApi: options.minioApi ?? 30009,
      minioConsole: options.minioConsole ?? 30010,
    });
  }

  private constructor(
    /** @internal */
    public readonly _ingress?: PlatformIngressOptions,
    /** @internal */
    public readonly _nodePorts?: PlatformNodePortOptions,
  ) {}
}
