import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PlatformIngressOptions, PlatformNodePortOptions } from './platform-access';
import { allowFromAnywhere } from './platform-network';
import { MinioWithBuckets } from '../storage/minio-with-buckets';
import { MlflowTracking } from '../tracking/mlflow-tracking';

const MLFLOW_PORT = 5000;
const MINIO_API_PORT = 9000;
const MINIO_CONSOLE_PORT = 9001;

/** The path MLflow is served under behind the Ingress (`--static-prefix`). */
export const MLFLOW_PATH = '/mlflow';
/** The path Airflow is served under behind the Ingress (`base_url`). */
export const AIRFLOW_PATH = '/airflow';

/** What the Ingress and the NodePort Services lead to (Airflow exposes itself through its own props). */
export interface ExposedApps {
  readonly mlflow: MlflowTracking;
  readonly minio?: MinioWithBuckets;
}

/**
 * The Ingress for MLflow (`/mlflow` on `host`) and the MinIO console (the root of `minioConsoleHost`), which tells
 * the console its public URL (`MINIO_BROWSER_REDIRECT_URL`), and the policies that let the controller in.
 */
export function exposeThroughIngress(scope: Construct, options: PlatformIngressOptions, apps: ExposedApps): kplus.Ingress {
  const scheme = options.tlsSecret ? 'https' : 'http';
  const consoleHost = apps.minio ? options.minioConsoleHost : undefined;
  const ingress = new kplus.Ingress(scope, 'Ingress', {
    className: options.ingressClassName,
    rules: [{
      host: options.host,
      path: MLFLOW_PATH,
      pathType: kplus.HttpIngressPathType.PREFIX,
      backend: kplus.IngressBackend.fromService(apps.mlflow.service, { port: MLFLOW_PORT }),
    }],
    tls: options.tlsSecret ? [{ hosts: [options.host, ...(consoleHost ? [consoleHost] : [])], secret: options.tlsSecret }] : undefined,
  });
  allowFromAnywhere(scope, 'AllowIngressToMlflow', apps.mlflow.deployment, [MLFLOW_PORT]);
  if (apps.minio && consoleHost) {
    ingress.addHostRule(consoleHost, '/', kplus.IngressBackend.fromService(apps.minio.service, { port: MINIO_CONSOLE_PORT }),
      kplus.HttpIngressPathType.PREFIX);
    // The console builds its links and login redirects from its public URL (MinIO docs, "Configure NGINX Proxy").
    apps.minio.statefulSet.containers[0].env.addVariable('MINIO_BROWSER_REDIRECT_URL', kplus.EnvValue.fromValue(`${scheme}://${consoleHost}`));
    allowFromAnywhere(scope, 'AllowIngressToMinioConsole', apps.minio.statefulSet, [MINIO_CONSOLE_PORT]);
  }
  return ingress;
}

/** NodePort Services for MLflow and MinIO (API and console) next to their ClusterIP ones, and the policies. */
export function exposeThroughNodePorts(scope: Construct, ports: PlatformNodePortOptions, apps: ExposedApps): void {
  const mlflow = new kplus.Service(scope, 'MlflowNodePort', {
    type: kplus.ServiceType.NODE_PORT,
    ports: [{ name: 'http', port: MLFLOW_PORT, targetPort: MLFLOW_PORT, nodePort: ports.mlflow }],
  });
  mlflow.select(apps.mlflow.deployment);
  allowFromAnywhere(scope, 'AllowNodePortToMlflow', apps.mlflow.deployment, [MLFLOW_PORT]);
  if (apps.minio) {
    const minio = new kplus.Service(scope, 'MinioNodePort', {
      type: kplus.ServiceType.NODE_PORT,
      ports: [
        { name: 'api', port: MINIO_API_PORT, targetPort: MINIO_API_PORT, nodePort: ports.minioApi },
        { name: 'console', port: MINIO_CONSOLE_PORT, targetPort: MINIO_CONSOLE_PORT, nodePort: ports.minioConsole },
      ],
    });
    minio.select(apps.minio.statefulSet);
    allowFromAnywhere(scope, 'AllowNodePortToMinio', apps.minio.statefulSet, [MINIO_API_PORT, MINIO_CONSOLE_PORT]);
  }
}
