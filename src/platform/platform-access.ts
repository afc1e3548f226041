import * as kplus from 'cdk8s-plus-28';
import { aNumber, checkProps } from '../core/props-check';
import { CertificateIssuer } from '../core/tls';

/**
 * Where the Ingress serves the MinIO console. The console only works at the root of what it is served from, with
 * `MINIO_BROWSER_REDIRECT_URL` set to its public URL (minio/object-browser#1909, #2174; minio/minio#15550), so it needs
 * either a host of its own or a controller that strips a path prefix, which a portable Ingress cannot express.
 */
export class MinioConsoleRoute {
  /** The console at the root of a host of its own, e.g. `minio.mlops.example.com`: works with every Ingress controller. */
  public static ownHost(host: string): MinioConsoleRoute {
    return new MinioConsoleRoute(host, undefined);
  }

  /**
   * The console under `path` of the platform's host, e.g. `https://mlops.example.com/minio/`, for ingress-nginx (and
   * controllers that implement its annotations): a separate Ingress whose regex path `<path>(/|$)(.*)` (pathType
   * `ImplementationSpecific`) is rewritten to `/$2` (`nginx.ingress.kubernetes.io/rewrite-target`, `use-regex`).
   * ingress-nginx then matches every path of the host as a case-insensitive regular expression, and its upstream
   * project has been retired since March 2026; prefer `ownHost` unless you run it already.
   */
  public static ingressNginxPath(path: string = '/minio'): MinioConsoleRoute {
    return new MinioConsoleRoute(undefined, path);
  }

  private constructor(
    /** @internal */
    public readonly _host: string | undefined,
    /** @internal */
    public readonly _path: string | undefined,
  ) {}
}

/** One host for every UI, through an Ingress. */
export interface PlatformIngressOptions {
  /** The host name users open, e.g. `mlops.example.com`: Airflow at `/airflow`, MLflow at `/mlflow`, Grafana at `/grafana`. */
  readonly host: string;

  /**
   * The IngressClass.
   *
   * @default - the cluster's default IngressClass
   */
  readonly ingressClassName?: string;

  /**
   * A TLS Secret (`tls.crt`, `tls.key`) for `host` (and the MinIO console's own host); the UIs' URLs are then `https://`.
   *
   * @default - plain HTTP, unless `certificateIssuer` is given
   */
  readonly tlsSecret?: kplus.ISecret;

  /**
   * The cert-manager issuer of the Ingress' TLS Secret, e.g. your ACME ClusterIssuer: a Certificate for `host` (and
   * the MinIO console's own host) is created, cert-manager keeps it renewed, and every Ingress of the platform uses
   * it; the UIs' URLs are then `https://`. Not with `tlsSecret`.
   *
   * @default - `tlsSecret`, or plain HTTP
   */
  readonly certificateIssuer?: CertificateIssuer;

  /**
   * Where the MinIO console is served, when the platform runs its own MinIO: `MinioConsoleRoute.ownHost(host)` for
   * any Ingress controller, `MinioConsoleRoute.ingressNginxPath()` for `/minio` on `host` with ingress-nginx.
   *
   * @default - the console is not exposed (reach it with `kubectl port-forward`): the portable route needs a host name
   * only you can choose, and the path route works only with ingress-nginx
   */
  readonly minioConsole?: MinioConsoleRoute;
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
  /** Grafana (only when the platform runs its own Grafana). @default 30011 */
  readonly grafana?: number;
  /** The Prometheus UI and API (only with monitoring). @default 30012 */
  readonly prometheus?: number;
  /** The Alertmanager UI and API (only with monitoring). @default 30013 */
  readonly alertmanager?: number;
  /** The Jaeger UI (only with tracing). @default 30014 */
  readonly jaeger?: number;
}

/**
 * How users reach the UIs from outside the cluster.
 *
 * - `PlatformAccess.clusterIp()`: not at all; `kubectl port-forward` to the Services.
 * - `PlatformAccess.ingress({ host })`: one host, a path per app (`/airflow`, `/mlflow`, `/grafana`, and with
 *   monitoring and tracing `/prometheus`, `/alertmanager`, `/jaeger`), each app told
 *   its base path; the MinIO console as `minioConsole` says.
 * - `PlatformAccess.nodePorts()`: fixed ports on every node, for a bare cluster (k3s) without an Ingress controller.
 *
 * With an Ingress or NodePorts, NetworkPolicies let traffic from anywhere reach the exposed ports of the UIs (an
 * Ingress controller's or a node's traffic comes from outside the namespace), and only those ports.
 *
 * Gateway API (`HTTPRoute`) is not offered: its CRDs are not among the vendored CRDs the library's types are
 * generated from.
 */
export class PlatformAccess {
  /** ClusterIP Services only. */
  public static clusterIp(): PlatformAccess {
    return new PlatformAccess();
  }

  /** An Ingress on one host: `/airflow`, `/mlflow`, `/grafana`, and the MinIO console as `minioConsole` says. */
  public static ingress(options: PlatformIngressOptions): PlatformAccess {
    return new PlatformAccess(options);
  }

  /**
   * Fixed NodePorts: by default Airflow 30007, MLflow 30008, MinIO API 30009, MinIO console 30010, Grafana 30011,
   * Prometheus 30012, Alertmanager 30013, Jaeger 30014.
   */
  public static nodePorts(options: PlatformNodePortOptions = {}): PlatformAccess {
    const port = aNumber('30007');
    checkProps('PlatformAccess.nodePorts', options, {}, {
      airflow: port, mlflow: port, minioApi: port, minioConsole: port, grafana: port, prometheus: port, alertmanager: port, jaeger: port,
    }, 'options');
    const given = options ?? {};
    return new PlatformAccess(undefined, {
      airflow: given.airflow ?? 30007,
      mlflow: given.mlflow ?? 30008,
      minioApi: given.minioApi ?? 30009,
      minioConsole: given.minioConsole ?? 30010,
      grafana: given.grafana ?? 30011,
      prometheus: given.prometheus ?? 30012,
      alertmanager: given.alertmanager ?? 30013,
      jaeger: given.jaeger ?? 30014,
    });
  }

  private constructor(
    /** @internal */
    public readonly _ingress?: PlatformIngressOptions,
    /** @internal */
    public readonly _nodePorts?: PlatformNodePortOptions,
  ) {}
}
