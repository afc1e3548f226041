import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AirflowIngressOptions } from './git-sync-airflow-props';
import { checkHost } from '../core/address';
import { MlopsValidationError } from '../core/errors';
import { allowIngress } from '../core/network';

const API_PORT = 8080;

/** How the api-server is reached from outside the namespace. */
export interface ApiServerAccessProps {
  readonly nodePort?: number;
  readonly ingress?: AirflowIngressOptions;
}

/**
 * Who reaches the api-server: always the task pods (the Execution API); with a NodePort or an Ingress, anyone (the
 * node's or the Ingress controller's traffic comes from outside the namespace). The checks run first, so that bad
 * input fails before anything is built.
 */
export class ApiServerAccess extends Construct {
  /** The path prefix every route is served under: '' or e.g. '/airflow'. */
  public readonly basePath: string;
  /** `AIRFLOW__API__BASE_URL` when there is an Ingress. */
  public readonly env: Record<string, kplus.EnvValue> = {};

  constructor(scope: Construct, id: string, private readonly props: ApiServerAccessProps) {
    super(scope, id);
    const { nodePort, ingress } = props;
    if (nodePort !== undefined && (!Number.isInteger(nodePort) || nodePort < 30000 || nodePort > 32767)) {
      throw new MlopsValidationError(scope, `nodePort '${nodePort}' is invalid: must be a whole number from 30000 to 32767 (the default NodePort range); e.g. 30007`);
    }
    const path = ingress?.path ?? '/';
    if (ingress) {
      checkHost(scope, 'ingress host', ingress.host, { example: 'airflow.example.com', ipAddress: false });
    }
    if (!/^\/([A-Za-z0-9._~-]+\/)*[A-Za-z0-9._~-]*$/.test(path) || (path.length > 1 && path.endsWith('/'))) {
      throw new MlopsValidationError(scope, `ingress path '${path}' is invalid: must start with '/' and not end with one, with letters, digits, '.', '_', '~' or '-' between; e.g. '/airflow'`);
    }
    this.basePath = path === '/' ? '' : path;
    if (ingress) {
      const scheme = ingress.tlsSecret ? 'https' : 'http';
      this.env.AIRFLOW__API__BASE_URL = kplus.EnvValue.fromValue(`${scheme}://${ingress.host}${this.basePath}`);
    }
  }

  /** Creates the NetworkPolicies and the Ingress for `apiServer` behind `service`. */
  public expose(apiServer: kplus.Deployment, service: kplus.Service, taskPods: kplus.INetworkPolicyPeer): void {
    allowIngress(this, apiServer, taskPods, [API_PORT]);
    const { nodePort, ingress } = this.props;
    if (nodePort === undefined && ingress === undefined) {
      return;
    }
    // Cilium matches ipBlock only outside the cluster, so an in-cluster Ingress controller needs its own peer.
    allowIngress(this, apiServer, kplus.NetworkPolicyIpBlock.anyIpv4(this, 'Anywhere'), [API_PORT]);
    allowIngress(this, apiServer, kplus.Namespaces.all(this, 'AllNamespaces'), [API_PORT]);
    if (ingress) {
      new kplus.Ingress(this, 'Ingress', {
        className: ingress.ingressClassName,
        rules: [{
          host: ingress.host,
          path: ingress.path ?? '/',
          pathType: kplus.HttpIngressPathType.PREFIX,
          backend: kplus.IngressBackend.fromService(service, { port: API_PORT }),
        }],
        tls: ingress.tlsSecret ? [{ hosts: [ingress.host], secret: ingress.tlsSecret }] : undefined,
      });
    }
  }
}
