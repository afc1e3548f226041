import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PlatformIngressOptions, PlatformNodePortOptions } from './platform-access';
import { allowFromAnywhere } from './platform-network';
import { ServiceEndpoint } from '../core/endpoint';
import { Alertmanager } from '../observability/alertmanager';
import { FederatedPrometheus } from '../observability/federated-prometheus';
import { JaegerTraceStore } from '../telemetry/jaeger-trace-store';

const PROMETHEUS_PORT = 9090;
const ALERTMANAGER_PORT = 9093;
const JAEGER_PORT = 16686;

/** The path Prometheus is served under behind the Ingress (`routePrefix`, `externalUrl`). */
export const PROMETHEUS_PATH = '/prometheus';
/** The path Alertmanager is served under behind the Ingress (`routePrefix`, `externalUrl`). */
export const ALERTMANAGER_PATH = '/alertmanager';
/** The path the Jaeger UI is served under behind the Ingress (`jaeger_query.base_path`). */
export const JAEGER_PATH = '/jaeger';

/** What a path on the platform's host leads to. */
export interface IngressRoute {
  /** The app's name, for the id of an Ingress of its own: `<app>Ingress`. */
  readonly app: string;
  readonly path: string;
  readonly service: kplus.Service;
  readonly port: number;
  /** The app's endpoint: an https one is verified against the CA of its certificate, for its host name. */
  readonly endpoint: ServiceEndpoint;
}

/**
 * Routes `route.path` on the platform's host to its Service: a path of `ingress` for a plain-HTTP app; for an https
 * one an Ingress of its own (`<app>Ingress`), as ingress-nginx's backend annotations apply to every path of an
 * Ingress (`httpsBackendAnnotations`).
 */
export function routeThroughIngress(scope: Construct, ingress: kplus.Ingress, options: PlatformIngressOptions, route: IngressRoute): void {
  const backend = kplus.IngressBackend.fromService(route.service, { port: route.port });
  if (!route.endpoint.tls) {
    ingress.addHostRule(options.host, route.path, backend, kplus.HttpIngressPathType.PREFIX);
    return;
  }
  new kplus.Ingress(scope, `${route.app}Ingress`, {
    metadata: { annotations: httpsBackendAnnotations(route.service, route.endpoint) },
    className: options.ingressClassName,
    rules: [{ host: options.host, path: route.path, pathType: kplus.HttpIngressPathType.PREFIX, backend }],
    tls: options.tlsSecret ? [{ hosts: [options.host], secret: options.tlsSecret }] : undefined,
  });
}

/**
 * ingress-nginx's annotations for a backend that serves https with a certificate of the platform's CA: it speaks TLS
 * to it and verifies it against the `ca.crt` cert-manager writes into the backend's own certificate Secret
 * (`<service>-tls`), for the Service's name, sent as SNI.
 */
export function httpsBackendAnnotations(service: kplus.Service, endpoint: ServiceEndpoint): Record<string, string> {
  const namespace = service.metadata.namespace ?? Chart.of(service).namespace;
  return {
    'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
    'nginx.ingress.kubernetes.io/proxy-ssl-secret': `${namespace}/${service.name}-tls`,
    'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
    'nginx.ingress.kubernetes.io/proxy-ssl-name': endpoint.host,
    'nginx.ingress.kubernetes.io/proxy-ssl-server-name': 'on',
  };
}

/** The monitoring and tracing UIs the platform exposes next to Airflow, MLflow and Grafana. */
export interface TelemetryApps {
  readonly prometheus?: FederatedPrometheus;
  readonly alertmanager?: Alertmanager;
  readonly traceStore?: JaegerTraceStore;
}

/**
 * Routes `/prometheus`, `/alertmanager` and `/jaeger` on the platform's host (each app serves under its path itself, so
 * nothing is rewritten; an https app on an Ingress of its own, see `routeThroughIngress`), and the policies that let
 * the controller in.
 */
export function exposeTelemetryThroughIngress(scope: Construct, ingress: kplus.Ingress, options: PlatformIngressOptions, apps: TelemetryApps): void {
  const route = (app: string, path: string, service: kplus.Service, port: number, endpoint: ServiceEndpoint) =>
    routeThroughIngress(scope, ingress, options, { app, path, service, port, endpoint });
  if (apps.prometheus) {
    route('Prometheus', PROMETHEUS_PATH, apps.prometheus.service, PROMETHEUS_PORT, apps.prometheus.endpoint);
    allowFromAnywhere(scope, 'AllowIngressToPrometheus', apps.prometheus.pods, [PROMETHEUS_PORT]);
  }
  if (apps.alertmanager) {
    route('Alertmanager', ALERTMANAGER_PATH, apps.alertmanager.service, ALERTMANAGER_PORT, apps.alertmanager.endpoint);
    allowFromAnywhere(scope, 'AllowIngressToAlertmanager', apps.alertmanager.pods, [ALERTMANAGER_PORT]);
  }
  if (apps.traceStore) {
    ingress.addHostRule(options.host, JAEGER_PATH, kplus.IngressBackend.fromService(apps.traceStore.service, { port: JAEGER_PORT }),
      kplus.HttpIngressPathType.PREFIX);
    allowFromAnywhere(scope, 'AllowIngressToJaeger', apps.traceStore.deployment, [JAEGER_PORT]);
  }
}

/** NodePort Services for Prometheus, Alertmanager and the Jaeger UI, selecting what their ClusterIP ones select. */
export function exposeTelemetryOnNodePorts(scope: Construct, ports: PlatformNodePortOptions, apps: TelemetryApps): void {
  const expose = (app: string, pods: kplus.IPodSelector, port: number, nodePort: number | undefined, select: (service: kplus.Service) => void) => {
    select(new kplus.Service(scope, `${app}NodePort`, {
      type: kplus.ServiceType.NODE_PORT,
      ports: [{ name: 'web', port, targetPort: port, nodePort }],
    }));
    allowFromAnywhere(scope, `AllowNodePortTo${app}`, pods, [port]);
  };
  // The labels prometheus-operator puts on the pods it runs.
  const selectLabels = (labels: Record<string, string>) => (service: kplus.Service) => {
    for (const [key, value] of Object.entries(labels)) {
      service.selectLabel(key, value);
    }
  };
  const { prometheus, alertmanager, traceStore } = apps;
  if (prometheus) {
    expose('Prometheus', prometheus.pods, PROMETHEUS_PORT, ports.prometheus,
      selectLabels({ 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': prometheus.prometheusName }));
  }
  if (alertmanager) {
    expose('Alertmanager', alertmanager.pods, ALERTMANAGER_PORT, ports.alertmanager,
      selectLabels({ 'app.kubernetes.io/name': 'alertmanager', 'alertmanager': alertmanager.alertmanagerName }));
  }
  if (traceStore) {
    expose('Jaeger', traceStore.deployment, JAEGER_PORT, ports.jaeger, (service) => service.select(traceStore.deployment));
  }
}
