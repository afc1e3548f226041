import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { MlopsValidationError } from './errors';
import { isHostOrIp, isPort } from './names';
import { aNumber, anInstanceOf, aString, checkArgument } from './props-check';

/** Where a service answers: a host, a port and a scheme, inside or outside the cluster. */
export class ServiceEndpoint {
  /**
   * The endpoint of a Service in this app. The host is `<service>.<namespace>.svc` when the chart has a namespace
   * (reachable from every namespace), else the bare Service name (reachable from its own namespace).
   */
  public static fromService(service: kplus.Service, port: number, scheme: string = 'http'): ServiceEndpoint {
    const where = 'ServiceEndpoint.fromService';
    checkArgument(where, 'service', service, anInstanceOf(kplus.Service, "new kplus.Service(this, 'Api', { ports: [{ port: 8080 }] })"));
    checkPortAndScheme(where, port, scheme);
    const namespace = service.metadata.namespace ?? Chart.of(service).namespace;
    const host = namespace ? `${service.name}.${namespace}.svc` : service.name;
    return new ServiceEndpoint(host, port, scheme);
  }

  /** An endpoint outside this app: an external database, AWS S3, another cluster's MinIO. */
  public static fromHost(host: string, port: number, scheme: string = 'http'): ServiceEndpoint {
    const where = 'ServiceEndpoint.fromHost';
    checkArgument(where, 'host', host, aString("'s3.eu-west-1.amazonaws.com'"));
    if (!isHostOrIp(host)) {
      throw new MlopsValidationError(where, `host '${host}' is invalid: must be a DNS name or an IP address, without a scheme, `
        + "credentials, port, path or whitespace; give the port and scheme as their own arguments, e.g. fromHost('minio.example.com', 443, 'https')");
    }
    checkPortAndScheme(where, port, scheme);
    return new ServiceEndpoint(host, port, scheme);
  }

  private constructor(
    /** The DNS name or IP address. */
    public readonly host: string,
    /** The TCP port. */
    public readonly port: number,
    /** The URL scheme, e.g. `http`, `https`, `postgresql`. */
    public readonly scheme: string,
  ) {}

  /** `host:port`, the form S3 clients and KServe's `s3-endpoint` annotation expect. */
  public get hostPort(): string {
    return `${this.host}:${this.port}`;
  }

  /** `scheme://host:port` followed by `path` (which should start with `/`). */
  public url(path: string = ''): string {
    return `${this.scheme}://${this.hostPort}${path}`;
  }
}

function checkPortAndScheme(where: string, port: number, scheme: string): void {
  checkArgument(where, 'port', port, aNumber('443'));
  if (!isPort(port)) {
    throw new MlopsValidationError(where, `port '${port}' is invalid: must be a whole number from 1 to 65535`);
  }
  checkArgument(where, 'scheme', scheme, aString("'https'"));
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) {
    throw new MlopsValidationError(where, `scheme '${scheme}' is invalid: must be a URL scheme without '://', e.g. 'https' or 'postgresql'`);
  }
}
