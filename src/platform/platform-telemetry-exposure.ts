import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PlatformIngressOptions, PlatformNodePortOptions } from './platform-access';
import { allowFromAnywhere } from './platform-network';
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

/** The monitoring and tracing UIs the platform exposes next to Airflow, MLflow and Grafana. */
export interface TelemetryApps {
  readonly prometheus?: FederatedPrometheus;
  readonly alertmanager?: Alertmanager;
  readonly traceStore?: JaegerTraceStore;
}

/**
 * Adds `/prometheus`, `/alertmanager` and `/jaeger` on the platform's host to `ingress` (each app serves under its
 * path itself, so nothing is rewritten), and the policies that let the controller in.
 */
export function exposeTelemetryThroughIngress(scope: Construct, ingress: kplus.Ingress, options: PlatformIngressOptions, apps: TelemetryApps): void {
  const route = (path: string, service: kplus.Service, port: number) =>
    ingress.addHostRule(options.host, path, kplus.IngressBackend.fromService(service, { port }), kplus.HttpIngressPathType.PREFIX);
  if (apps.prometheus) {
    route(PROMETHEUS_PATH, apps.prometheus.service, PROMETHEUS_PORT);
    allowFromAnywhere(scope, 'AllowIngressToPrometheus', apps.prometheus.pods, [PROMETHEUS_PORT]);
  }
  if (apps.alertmanager) {
    route(ALERTMANAGER_PATH, apps.alertmanager.service, ALERTMANAGER_PORT);
    allowFromAnywhere(scope, 'AllowIngressToAlertmanager', apps.alertmanager.pods, [ALERTMANAGER_PORT]);
  }
  if (apps.traceStore) {
    route(JAEGER_PATH, apps.traceStore.service, JAEGER_PORT);
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
