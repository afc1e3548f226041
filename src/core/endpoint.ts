import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { MlopsValidationError } from './errors';
import { aHost, aPort } from './prop-kinds';
import { anInstanceOf, aString, checkArgument } from './props-check';
import { TrustBundle } from './trust-bundle';

/** Where a service answers: a host, a port and a scheme, inside or outside the cluster. */
export class ServiceEndpoint {
  /**
   * The endpoint of a Service in this app. The host is `<service>.<namespace>.svc` when the chart has a namespace
   * (reachable from every namespace), else the bare Service name (reachable from its own namespace).
   * `trustBundle` is the CA bundle clients verify a TLS server with (`PlatformTls` signs the in-cluster servers).
   */
  public static fromService(service: kplus.Service, port: number, scheme: string = 'http', trustBundle?: TrustBundle): ServiceEndpoint {
    const where = 'ServiceEndpoint.fromService';
    checkArgument(where, 'service', service, anInstanceOf(kplus.Service, "new kplus.Service(this, 'Api', { ports: [{ port: 8080 }] })"));
    checkPortAndScheme(where, port, scheme, trustBundle);
    const namespace = service.metadata.namespace ?? Chart.of(service).namespace;
    const host = namespace ? `${service.name}.${namespace}.svc` : service.name;
    return new ServiceEndpoint(host, port, scheme, trustBundle);
  }

  /**
   * An endpoint outside this app: an external database, AWS S3, another cluster's MinIO. Give `trustBundle` when a
   * private CA signs its certificate; a public one needs none.
   */
  public static fromHost(host: string, port: number, scheme: string = 'http', trustBundle?: TrustBundle): ServiceEndpoint {
    const where = 'ServiceEndpoint.fromHost';
    checkArgument(where, 'host', host, aHost('s3.eu-west-1.amazonaws.com'));
    checkPortAndScheme(where, port, scheme, trustBundle);
    return new ServiceEndpoint(host, port, scheme, trustBundle);
  }

  private constructor(
    /** The DNS name or IP address. */
    public readonly host: string,
    /** The TCP port. */
    public readonly port: number,
    /** The URL scheme, e.g. `http`, `https`, `postgresql`. */
    public readonly scheme: string,
    /** The CA bundle that verifies the server's certificate, when a private CA signs it. */
    public readonly trustBundle?: TrustBundle,
  ) {}

  /** `host:port`, the form S3 clients and KServe's `s3-endpoint` annotation expect. */
  public get hostPort(): string {
    return `${this.host}:${this.port}`;
  }

  /** `scheme://host:port` followed by `path` (which should start with `/`). */
  public url(path: string = ''): string {
    return `${this.scheme}://${this.hostPort}${path}`;
  }

  /**
   * Whether clients reach it over TLS: the scheme is `https` or ends in `s` (`rediss`), or a trust bundle is given
   * (Postgres negotiates TLS on its plain scheme).
   */
  public get tls(): boolean {
    return this.scheme === 'https' || this.scheme === 'rediss' || this.trustBundle !== undefined;
  }

  /** Lets `container` of `pod` verify the server: mounts the trust bundle, when there is one (see `TrustBundle.mountInto`). */
  public trustIn(pod: kplus.AbstractPod, container: kplus.Container): void {
    this.trustBundle?.mountInto(pod, container);
  }
}

function checkPortAndScheme(where: string, port: number, scheme: string, trustBundle: TrustBundle | undefined): void {
  checkArgument(where, 'port', port, aPort());
  checkArgument(where, 'scheme', scheme, aString("'https'"));
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) {
    throw new MlopsValidationError(where, `scheme '${scheme}' is invalid: must be a URL scheme without '://', e.g. 'https' or 'postgresql'`);
  }
  if (trustBundle !== undefined) {
    checkArgument(where, 'trustBundle', trustBundle, anInstanceOf(TrustBundle, "TrustBundle.fromConfigMap('platform-ca-bundle')"));
  }
}
