import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/** Where a service answers: a host, a port and a scheme, inside or outside the cluster. */
export class ServiceEndpoint {
  /**
   * The endpoint of a Service in this app. The host is `<service>.<namespace>.svc` when the chart has a namespace
   * (reachable from every namespace), else the bare Service name (reachable from its own namespace).
   */
  public static fromService(service: kplus.Service, port: number, scheme: string = 'http'): ServiceEndpoint {
    const namespace = service.metadata.namespace ?? Chart.of(service).namespace;
    const host = namespace ? `${service.name}.${namespace}.svc` : service.name;
    return new ServiceEndpoint(host, port, scheme);
  }

  /** An endpoint outside this app: an external database, AWS S3, another cluster's MinIO. */
  public static fromHost(host: string, port: number, scheme: string = 'http'): ServiceEndpoint {
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
