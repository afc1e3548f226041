import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { FederatedClusterOptions, RemoteWriteOptions } from './federation';
import { MlopsValidationError } from '../core/errors';
import { promDuration } from '../core/monitoring-promql';
import { dnsLabelProblems } from '../core/names';
import { anInstanceOf, checkArgument } from '../core/props-check';
import { TrustBundle } from '../core/trust-bundle';
import { PrometheusSpecRemoteWrite, PrometheusSpecRemoteWriteWriteRelabelConfigsAction } from '../imports/monitoring-prometheus-monitoring.coreos.com';
import { ScrapeConfig, ScrapeConfigSpecScheme, ScrapeConfigSpecTlsConfig } from '../imports/monitoring-scrapeconfig-monitoring.coreos.com';

/** Every series written by a recording rule: by convention only they have a `:` in their name. */
export const AGGREGATES_SELECTOR = '{__name__=~".+:.+"}';

/** The ScrapeConfig that pulls `/federate` of one secondary. */
export function createFederationScrapeConfig(
  scope: Construct, options: FederatedClusterOptions, labels: Record<string, string>,
): ScrapeConfig {
  const fail = (message: string) => new MlopsValidationError(scope, `addFederatedCluster('${options.clusterName}'): ${message}`);
  const interval = options.scrapeInterval ?? Duration.minutes(1);
  const timeout = options.scrapeTimeout ?? Duration.seconds(50);
  if (timeout.toMilliseconds() > interval.toMilliseconds() || timeout.toMilliseconds() <= 0) {
    throw fail(`scrapeTimeout ${promDuration(timeout)} is invalid: it must be longer than 0 and at most scrapeInterval `
      + `${promDuration(interval)}, or Prometheus rejects the job; raise scrapeInterval or lower scrapeTimeout`);
  }
  const https = options.endpoint.scheme === 'https';
  if (options.clientCertificateSecret !== undefined && !https) {
    throw fail(`clientCertificateSecret is invalid with the plain-HTTP endpoint '${options.endpoint.url()}': a client certificate is `
      + `presented over TLS only; give an https endpoint, e.g. ServiceEndpoint.fromHost('${options.endpoint.host}', 443, 'https', trustBundle)`);
  }
  const namespaces = options.modelNamespaces ?? [];
  for (const namespace of namespaces) {
    const problems = dnsLabelProblems(namespace);
    if (problems.length > 0) {
      throw fail(`modelNamespaces entry '${namespace}' is invalid: ${problems.join('; ')}`);
    }
  }
  const match = [...(options.match ?? [AGGREGATES_SELECTOR])];
  if (namespaces.length > 0) {
    match.push(`{namespace=~"${namespaces.join('|')}"}`);
  }
  if (match.length === 0) {
    throw fail('match is invalid: it is empty, so /federate would answer nothing; leave it out to pull the aggregates');
  }
  return new ScrapeConfig(scope, `Federate-${options.clusterName}`, {
    metadata: { labels },
    spec: {
      jobName: `federate-${options.clusterName}`,
      metricsPath: '/federate',
      // The secondary's labels, `cluster` first of all, are kept as they are instead of being renamed `exported_*`.
      honorLabels: true,
      params: { 'match[]': match },
      scheme: https ? ScrapeConfigSpecScheme.HTTPS : ScrapeConfigSpecScheme.HTTP,
      tlsConfig: https ? federationTls(options) : undefined,
      scrapeInterval: promDuration(interval),
      scrapeTimeout: promDuration(timeout),
      // No `cluster` target label: the series bring their own, and `up` of this job stays without one, so that the
      // primary's ScrapeTargetDown alert covers an unreachable secondary.
      staticConfigs: [{ targets: [options.endpoint.hostPort] }],
    },
  });
}

/** The CA the secondary is verified with, and the client certificate presented to it. */
function federationTls(options: FederatedClusterOptions): ScrapeConfigSpecTlsConfig | undefined {
  const bundle = options.endpoint.trustBundle;
  const client = options.clientCertificateSecret;
  if (!bundle && !client) return undefined;
  return {
    ca: bundle ? { configMap: { name: bundle.configMapName, key: bundle.key } } : undefined,
    cert: client ? { secret: { name: client, key: 'tls.crt' } } : undefined,
    keySecret: client ? { name: client, key: 'tls.key' } : undefined,
  };
}

/** The `remoteWrite` entry for `options`. */
export function remoteWriteSpec(scope: Construct, options: RemoteWriteOptions): PrometheusSpecRemoteWrite {
  const bundle = options.trustBundle;
  if (bundle !== undefined) {
    checkArgument(scope, 'addRemoteWrite: trustBundle', bundle, anInstanceOf(TrustBundle, 'primary.endpoint.trustBundle'));
    if (!options.url.startsWith('https://')) {
      throw new MlopsValidationError(scope, `addRemoteWrite: trustBundle is invalid with the plain-HTTP url '${options.url}': it verifies a TLS server; `
        + 'give an https:// url, or remove trustBundle');
    }
  }
  return {
    url: options.url,
    tlsConfig: bundle ? { ca: { configMap: { name: bundle.configMapName, key: bundle.key } } } : undefined,
    writeRelabelConfigs: [{
      sourceLabels: ['__name__'],
      regex: options.seriesNameRegex ?? '.+:.+',
      action: PrometheusSpecRemoteWriteWriteRelabelConfigsAction.KEEP,
    }],
  };
}
