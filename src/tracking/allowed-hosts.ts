/**
 * What MLflow itself allows when `--allowed-hosts` is not given (mlflow/server/security_utils.py,
 * `get_default_allowed_hosts`): the loopback names and the private address ranges. Setting `--allowed-hosts`
 * replaces these, yet kubelet probes and Prometheus scrapes send the pod IP as `Host`, so they are kept.
 */
const MLFLOW_DEFAULT_HOSTS = [
  'localhost', '127.0.0.1', '[::1]', '0.0.0.0',
  'localhost:*', '127.0.0.1:*', '[[]::1]:*', '0.0.0.0:*',
  '192.168.*', '10.*',
  ...Array.from({ length: 16 }, (_, i) => `172.${16 + i}.*`),
  'fc00:*', 'fd00:*',
];

/** Where the Service answers. */
export interface ServiceNames {
  readonly service: string;
  readonly namespace?: string;
  readonly clusterDomain: string;
  readonly port: number;
}

/**
 * `--allowed-hosts`: MLflow's defaults, every name of the Service with and without the port (MLflow compares the
 * whole `Host` header, port included: mlflow/mlflow#22095), and the extra names users reach the server by.
 */
export function allowedHosts(names: ServiceNames, extra: string[]): string[] {
  const { service, namespace, clusterDomain, port } = names;
  const dnsNames = namespace
    ? [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`]
    : [service];
  const serviceHosts = dnsNames.flatMap((name) => [name, `${name}:${port}`]);
  return unique([...MLFLOW_DEFAULT_HOSTS, ...serviceHosts, ...extra]);
}

/**
 * `--cors-allowed-origins` by default: `http://` and `https://` for each extra host name. Browsers send `Origin` on
 * same-origin POSTs too, and MLflow refuses state-changing requests from an origin it does not know, so the UI
 * behind an Ingress needs its own origin listed.
 */
export function defaultCorsOrigins(extra: string[]): string[] {
  return unique(extra.flatMap((host) => [`http://${host}`, `https://${host}`]));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
