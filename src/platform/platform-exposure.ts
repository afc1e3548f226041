import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PlatformIngressOptions, PlatformNodePortOptions } from './platform-access';
import { allowFromAnywhere } from './platform-network';
import { httpsBackendAnnotations, routeThroughIngress } from './platform-telemetry-exposure';
import { Grafana } from '../observability/grafana';
import { MinioWithBuckets } from '../storage/minio-with-buckets';
import { MlflowTracking } from '../tracking/mlflow-tracking';

const MLFLOW_PORT = 5000;
const MINIO_API_PORT = 9000;
const MINIO_CONSOLE_PORT = 9001;
const GRAFANA_PORT = 3000;

/** The path MLflow is served under behind the Ingress (`--static-prefix`). */
export const MLFLOW_PATH = '/mlflow';
/** The path Airflow is served under behind the Ingress (`base_url`). */
export const AIRFLOW_PATH = '/airflow';
/** The path Grafana is served under behind the Ingress (`GF_SERVER_ROOT_URL`, `GF_SERVER_SERVE_FROM_SUB_PATH`). */
export const GRAFANA_PATH = '/grafana';

/** What the Ingress and the NodePort Services lead to (Airflow exposes itself through its own props). */
export interface ExposedApps {
  readonly mlflow: MlflowTracking;
  readonly minio?: MinioWithBuckets;
  readonly grafana?: Grafana;
}

/** `http://host` or `https://host`, as users open it. */
export function publicUrl(options: PlatformIngressOptions, path: string = ''): string {
  return `${options.tlsSecret ? 'https' : 'http'}://${options.host}${path}`;
}

/**
 * The Ingress for MLflow (`/mlflow` on `host`), Grafana (`/grafana`) and the MinIO console (as `minioConsole` says),
 * which tells the console its public URL (`MINIO_BROWSER_REDIRECT_URL`), and the policies that let the controller in.
 * An MLflow serving https gets an Ingress of its own (`MlflowIngress`), as ingress-nginx's backend annotations hold for
 * every path of an Ingress; it is the one returned when nothing else is routed (no Grafana and not `moreRoutes`).
 */
export function exposeThroughIngress(
  scope: Construct, options: PlatformIngressOptions, apps: ExposedApps, moreRoutes: boolean = true,
): kplus.Ingress {
  const route = apps.minio ? options.minioConsole : undefined;
  const consoleHost = route?._host;
  const tlsHosts = [options.host, ...(consoleHost ? [consoleHost] : [])];
  const mlflowBackend = kplus.IngressBackend.fromService(apps.mlflow.service, { port: MLFLOW_PORT });
  const mlflowRule = { host: options.host, path: MLFLOW_PATH, pathType: kplus.HttpIngressPathType.PREFIX, backend: mlflowBackend };
  const mlflowHttps = apps.mlflow.endpoint.tls;
  const mlflowIngress = mlflowHttps ? new kplus.Ingress(scope, 'MlflowIngress', {
    metadata: { annotations: httpsBackendAnnotations(apps.mlflow.service, apps.mlflow.endpoint) },
    className: options.ingressClassName,
    rules: [mlflowRule],
    tls: options.tlsSecret ? [{ hosts: [options.host], secret: options.tlsSecret }] : undefined,
  }) : undefined;
  allowFromAnywhere(scope, 'AllowIngressToMlflow', apps.mlflow.deployment, [MLFLOW_PORT]);
  // The shared Ingress holds the plain-HTTP routes; when there is none, MLflow's own Ingress is the platform's.
  const plainRoutes = !mlflowIngress || moreRoutes || (apps.grafana !== undefined && !apps.grafana.endpoint.tls)
    || (consoleHost !== undefined && !apps.minio?.consoleEndpoint.tls);
  const ingress = !plainRoutes ? mlflowIngress : new kplus.Ingress(scope, 'Ingress', {
    className: options.ingressClassName,
    rules: mlflowIngress ? [] : [mlflowRule],
    tls: options.tlsSecret ? [{ hosts: tlsHosts, secret: options.tlsSecret }] : undefined,
  });
  if (apps.grafana) {
    routeThroughIngress(scope, ingress, options,
      { app: 'Grafana', path: GRAFANA_PATH, service: apps.grafana.service, port: GRAFANA_PORT, endpoint: apps.grafana.endpoint });
    allowFromAnywhere(scope, 'AllowIngressToGrafana', apps.grafana.deployment, [GRAFANA_PORT]);
  }
  if (apps.minio && route) {
    const consoleBackend = kplus.IngressBackend.fromService(apps.minio.service, { port: MINIO_CONSOLE_PORT });
    // A MinIO with TLS serves its console over https only; ingress-nginx must speak (and verify) https to it.
    const backendHttps = apps.minio.consoleEndpoint.tls ? httpsBackendAnnotations(apps.minio.service, apps.minio.consoleEndpoint) : {};
    let redirectUrl: string;
    if (consoleHost && apps.minio.consoleEndpoint.tls) {
      new kplus.Ingress(scope, 'MinioConsoleIngress', {
        metadata: { annotations: backendHttps },
        className: options.ingressClassName,
        rules: [{ host: consoleHost, path: '/', pathType: kplus.HttpIngressPathType.PREFIX, backend: consoleBackend }],
        tls: options.tlsSecret ? [{ hosts: [consoleHost], secret: options.tlsSecret }] : undefined,
      });
      redirectUrl = publicUrl({ ...options, host: consoleHost });
    } else if (consoleHost) {
      ingress.addHostRule(consoleHost, '/', consoleBackend, kplus.HttpIngressPathType.PREFIX);
      redirectUrl = publicUrl({ ...options, host: consoleHost });
    } else {
      const path = route._path!;
      new kplus.Ingress(scope, 'MinioConsoleIngress', {
        metadata: {
          annotations: {
            'nginx.ingress.kubernetes.io/rewrite-target': '/$2',
            'nginx.ingress.kubernetes.io/use-regex': 'true',
            ...backendHttps,
          },
        },
        className: options.ingressClassName,
        rules: [{ host: options.host, path: `${path}(/|$)(.*)`, pathType: kplus.HttpIngressPathType.IMPLEMENTATION_SPECIFIC, backend: consoleBackend }],
        tls: options.tlsSecret ? [{ hosts: [options.host], secret: options.tlsSecret }] : undefined,
      });
      // Without the trailing '/', the console loads a blank page (minio/object-browser#3009).
      redirectUrl = publicUrl(options, `${path}/`);
    }
    // The console builds its links and login redirects from its public URL (MinIO docs, "Configure NGINX Proxy").
    apps.minio.statefulSet.containers[0].env.addVariable('MINIO_BROWSER_REDIRECT_URL', kplus.EnvValue.fromValue(redirectUrl));
    allowFromAnywhere(scope, 'AllowIngressToMinioConsole', apps.minio.statefulSet, [MINIO_CONSOLE_PORT]);
  }
  return ingress;
}

/** NodePort Services for MLflow, Grafana and MinIO (API and console) next to their ClusterIP ones, and the policies. */
export function exposeThroughNodePorts(scope: Construct, ports: PlatformNodePortOptions, apps: ExposedApps): void {
  exposeOnNodePorts(scope, 'Mlflow', apps.mlflow.deployment, [{ name: 'http', port: MLFLOW_PORT, nodePort: ports.mlflow }]);
  if (apps.grafana) {
    exposeOnNodePorts(scope, 'Grafana', apps.grafana.deployment, [{ name: 'http', port: GRAFANA_PORT, nodePort: ports.grafana }]);
  }
  if (apps.minio) {
    exposeOnNodePorts(scope, 'Minio', apps.minio.statefulSet, [
      { name: 'api', port: MINIO_API_PORT, nodePort: ports.minioApi },
      { name: 'console', port: MINIO_CONSOLE_PORT, nodePort: ports.minioConsole },
    ]);
  }
}

/** A NodePort Service `<app>NodePort` for `workload`'s `ports`, and the policy that lets anyone reach them. */
function exposeOnNodePorts(scope: Construct, app: string, workload: kplus.Deployment | kplus.StatefulSet,
  ports: Array<{ readonly name: string; readonly port: number; readonly nodePort?: number }>): void {
  const service = new kplus.Service(scope, `${app}NodePort`, {
    type: kplus.ServiceType.NODE_PORT,
    ports: ports.map(({ name, port, nodePort }) => ({ name, port, targetPort: port, nodePort })),
  });
  service.select(workload);
  allowFromAnywhere(scope, `AllowNodePortTo${app}`, workload, ports.map(({ port }) => port));
}
