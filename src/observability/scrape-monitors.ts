import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MlopsValidationError } from '../core/errors';
import { ModelSeries } from '../core/monitoring';
import { dnsLabelProblems } from '../core/names';
import { IScrapeTarget, ScrapeDiscovery, ScrapeEndpoint, ScrapeTargetSpec } from '../core/scrape-target';
import {
  PodMonitor, PodMonitorSpecPodMetricsEndpointsRelabelingsAction, PodMonitorSpecPodMetricsEndpointsScheme,
} from '../imports/monitoring-podmonitor-monitoring.coreos.com';
import {
  ServiceMonitor, ServiceMonitorSpecEndpointsRelabelingsAction, ServiceMonitorSpecEndpointsScheme, ServiceMonitorSpecEndpointsTargetPort,
} from '../imports/monitoring-servicemonitor-monitoring.coreos.com';

/** The namespace a target's Services or pods are in, if known. */
export function targetNamespace(target: IScrapeTarget, spec: ScrapeTargetSpec): string | undefined {
  return spec.namespace ?? Chart.of(target).namespace;
}

/** Every problem with a spec, so that one message names them all. */
function specProblems(spec: ScrapeTargetSpec): string[] {
  const problems = dnsLabelProblems(spec.name).map((problem) => `its name ${problem}`);
  if (Object.keys(spec.selector).length === 0) {
    problems.push('its selector is empty and would select every Service or pod of the namespace');
  }
  if (spec.endpoints.length === 0) {
    problems.push('it has no endpoints');
  }
  spec.endpoints.forEach((endpoint, index) => {
    if (endpoint.port === undefined && endpoint.portNumber === undefined) {
      problems.push(`endpoint ${index} has neither port nor portNumber`);
    }
    if (endpoint.port !== undefined && endpoint.portNumber !== undefined) {
      problems.push(`endpoint ${index} has both port and portNumber`);
    }
    if (!endpoint.path.startsWith('/')) {
      problems.push(`endpoint ${index} path '${endpoint.path}' does not start with '/'`);
    }
    if (endpoint.scheme !== undefined && endpoint.scheme !== 'http' && endpoint.scheme !== 'https') {
      problems.push(`endpoint ${index} scheme '${endpoint.scheme}' is neither 'http' nor 'https'`);
    }
  });
  return problems;
}

/** Throws when `spec` cannot become a monitor. */
export function assertValidSpec(scope: Construct, target: IScrapeTarget, spec: ScrapeTargetSpec): void {
  const problems = specProblems(spec);
  if (problems.length > 0) {
    throw new MlopsValidationError(scope, `scrape target '${spec.name}' of '${target.node.path}' is invalid: ${problems.join('; ')}; `
      + 'fix the scrapeTargets of that construct');
  }
}

/**
 * The relabelings every endpoint gets: `job` is the target's name (the contract of `ScrapeTargetSpec.name`), and
 * KServe's pod label `serving.kserve.io/inferenceservice` becomes the label `inferenceservice`, which tells predictor
 * pods apart whatever their runtime.
 */
function relabelings<A>(replace: A, job: string) {
  return [
    { action: replace, targetLabel: 'job', replacement: job },
    { action: replace, sourceLabels: ['__meta_kubernetes_pod_label_serving_kserve_io_inferenceservice'], targetLabel: ModelSeries.PREDICTOR_LABEL },
  ];
}

/** The CA bundle and server name an https endpoint is verified with. */
function tlsConfig(endpoint: ScrapeEndpoint) {
  if (!endpoint.trustBundle && !endpoint.serverName) return undefined;
  const bundle = endpoint.trustBundle;
  return {
    ca: bundle ? { configMap: { name: bundle.configMapName, key: bundle.key } } : undefined,
    serverName: endpoint.serverName,
  };
}

function serviceEndpoint(spec: ScrapeTargetSpec, endpoint: ScrapeEndpoint, interval: string) {
  return {
    port: endpoint.port,
    targetPort: endpoint.portNumber !== undefined ? ServiceMonitorSpecEndpointsTargetPort.fromNumber(endpoint.portNumber) : undefined,
    path: endpoint.path,
    scheme: endpoint.scheme === 'https' ? ServiceMonitorSpecEndpointsScheme.HTTPS : ServiceMonitorSpecEndpointsScheme.HTTP,
    interval,
    tlsConfig: tlsConfig(endpoint),
    relabelings: relabelings(ServiceMonitorSpecEndpointsRelabelingsAction.REPLACE, spec.name),
  };
}

function podEndpoint(spec: ScrapeTargetSpec, endpoint: ScrapeEndpoint, interval: string) {
  return {
    port: endpoint.port,
    portNumber: endpoint.portNumber,
    path: endpoint.path,
    scheme: endpoint.scheme === 'https' ? PodMonitorSpecPodMetricsEndpointsScheme.HTTPS : PodMonitorSpecPodMetricsEndpointsScheme.HTTP,
    interval,
    tlsConfig: tlsConfig(endpoint),
    relabelings: relabelings(PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE, spec.name),
  };
}

/**
 * A ServiceMonitor (`SERVICE` discovery) or PodMonitor (`POD`) for one spec, in `scope`'s namespace, selecting the
 * target's namespace, carrying `labels` so that the Prometheus selects it.
 */
export function createMonitor(
  scope: Construct, id: string, namespace: string | undefined, spec: ScrapeTargetSpec, labels: Record<string, string>, interval: string,
): ApiObject {
  const namespaceSelector = namespace ? { matchNames: [namespace] } : undefined;
  if (spec.discovery === ScrapeDiscovery.SERVICE) {
    return new ServiceMonitor(scope, id, {
      metadata: { labels },
      spec: {
        namespaceSelector,
        selector: { matchLabels: { ...spec.selector } },
        endpoints: spec.endpoints.map((endpoint) => serviceEndpoint(spec, endpoint, interval)),
      },
    });
  }
  return new PodMonitor(scope, id, {
    metadata: { labels },
    spec: {
      namespaceSelector,
      selector: { matchLabels: { ...spec.selector } },
      podMetricsEndpoints: spec.endpoints.map((endpoint) => podEndpoint(spec, endpoint, interval)),
    },
  });
}
