import { Duration } from 'cdk8s';
import { ServiceEndpoint } from '../core/endpoint';
import { TrustBundle } from '../core/trust-bundle';

/** A secondary Prometheus that a primary federates. */
export interface FederatedClusterOptions {
  /**
   * The secondary's cluster name, as in its `clusterName` (its `cluster` external label). The scrape job is named
   * `federate-<clusterName>`.
   */
  readonly clusterName: string;

  /**
   * Where the secondary's Prometheus answers: its `endpoint` when both run in one cluster, else the address that
   * exposes it across clusters, e.g. `ServiceEndpoint.fromHost('prometheus.eu-1.example.com', 443, 'https')`.
   */
  readonly endpoint: ServiceEndpoint;

  /**
   * The Secret (in the Prometheus' namespace; `tls.crt`, `tls.key`) of the client certificate presented to an https
   * `endpoint` that requires one, e.g. a `FederationProxy`: `PlatformTls.addClientCertificate(...)`. The server is
   * verified against `endpoint.trustBundle` (else the system CAs).
   *
   * @default - no client certificate
   */
  readonly clientCertificateSecret?: string;

  /**
   * The `match[]` selectors of `/federate`: which series are pulled.
   *
   * @default ['{__name__=~".+:.+"}'] - every series a recording rule wrote (the aggregates), never the raw series
   */
  readonly match?: string[];

  /**
   * Namespaces whose raw series are pulled as well, e.g. the namespace of the served models for drill-down
   * dashboards; adds `{namespace=~"<namespaces>"}` to `match`. Raw series are many: keep this list short.
   *
   * @default - none
   */
  readonly modelNamespaces?: string[];

  /**
   * How often the secondary is federated.
   *
   * @default Duration.minutes(1)
   */
  readonly scrapeInterval?: Duration;

  /**
   * How long one federation request may take; federation answers are large, so give it most of the interval.
   *
   * @default Duration.seconds(50)
   */
  readonly scrapeTimeout?: Duration;
}

/** Where a Prometheus pushes its series with remote write, the alternative to being federated. */
export interface RemoteWriteOptions {
  /**
   * The receiver's URL: a primary with `enableRemoteWriteReceiver` (`primary.endpoint.url('/api/v1/write')`), or
   * Thanos Receive, Mimir or Cortex (`.../api/v1/push`).
   */
  readonly url: string;

  /**
   * The CA bundle an `https` receiver is verified with (its ConfigMap in the sender's namespace), e.g.
   * `primary.endpoint.trustBundle` for a primary with `tls`.
   *
   * @default - the system CAs of the Prometheus image
   */
  readonly trustBundle?: TrustBundle;

  /**
   * Only series whose name matches this regular expression (RE2, anchored) are sent.
   *
   * @default '.+:.+' - the aggregates written by recording rules
   */
  readonly seriesNameRegex?: string;
}
