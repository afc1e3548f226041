import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { configChecksum } from '../core/config-checksum';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { httpGetProbe } from '../core/probes';
import { aCertificateDnsName, aCidr, aPort } from '../core/prop-kinds';
import { aListOf, anImage, anInstanceOf, aString, checkProps } from '../core/props-check';
import { ImageUser, mountWritablePaths, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { addServerCertificate } from '../core/server-certificate';
import { A_SERVER_TLS, ServerTls } from '../core/tls';
import { A_PLACEMENT, placeWorkloads, WorkloadPlacement } from '../core/workload-placement';

const NGINX_USER: ImageUser = { user: 101, group: 101 };
const PORT = 8443;
const CERT_DIR = '/etc/nginx/tls';
const CONFIG_DIR = '/etc/nginx/federation';
const COMMON_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;
/** nginx re-reads its certificate on reload, not by itself: the proxy reloads hourly, so a renewed one is live within an hour. */
const RELOAD_SECONDS = 3600;

/** Properties of a `FederationProxy`. */
export interface FederationProxyProps {
  /**
   * The Prometheus the proxy forwards `/federate` to, inside the cluster, e.g. `prometheus.endpoint`. An `https` one is
   * verified against its trust bundle (else the CA of the proxy's own certificate) and its host name.
   */
  readonly upstream: ServiceEndpoint;

  /**
   * Signs the proxy's server certificate; its CA (`ca.crt` of the proxy's Secret) is also the only CA client
   * certificates may chain to, so the issuer must be a CA issuer that fills `ca.crt` (the bootstrapped CA, `caSecret`,
   * Vault), not ACME.
   */
  readonly tls: ServerTls;

  /**
   * The addresses that may connect (an IPv4 CIDR): the primary cluster's egress. `0.0.0.0/0` must be given
   * explicitly; the client certificate is still required.
   */
  readonly allowedFrom: string;

  /**
   * The common name the client certificate must carry, as `PlatformTls.addClientCertificate` issues it on the primary.
   *
   * @default 'prometheus-federation'
   */
  readonly clientCommonName?: string;

  /** The DNS names other clusters reach the proxy by (the LoadBalancer's), added to its certificate. */
  readonly hosts: string[];

  /**
   * The Service type: `LOAD_BALANCER` on `port`, or `NODE_PORT` with `port` as the node port.
   *
   * @default kplus.ServiceType.LOAD_BALANCER
   */
  readonly serviceType?: kplus.ServiceType;

  /**
   * The port other clusters connect to.
   *
   * @default 443
   */
  readonly port?: number;

  /**
   * The NGINX image (unprivileged, uid 101, with `/bin/sh`).
   *
   * @default DefaultImages.NGINX_UNPRIVILEGED
   */
  readonly image?: string;

  /**
   * Where the pod runs and what it pulls images with.
   *
   * @default - no constraints
   */
  readonly placement?: WorkloadPlacement;
}

/**
 * An authenticating TLS reverse proxy (NGINX) in front of a Prometheus' `/federate`, for another cluster's
 * Prometheus: TLS with a certificate cert-manager issues, a client certificate required (issued by the same CA,
 * with the common name `clientCommonName`), only `GET /federate` forwarded, only `allowedFrom` let in.
 *
 * Why a client certificate rather than basic auth: cert-manager issues and renews it on both sides from the CA the
 * clusters already share, so no password is generated, hashed into an htpasswd file or copied; Prometheus' own web
 * config cannot enforce basic auth, and requiring client certificates there breaks its probes.
 *
 * NGINX re-reads a renewed certificate on reload, which the container does every hour. It reads the CA bundle of an
 * https upstream on the same reload.
 */
export class FederationProxy extends Construct {
  /** Where other clusters reach the proxy: `https://<hosts[0]>:<port>`. */
  public readonly endpoint: ServiceEndpoint;
  /** The proxy's pods. */
  public readonly deployment: kplus.Deployment;
  /** The LoadBalancer (or NodePort) Service. */
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: FederationProxyProps) {
    super(scope, id);
    checkProps(this, props, {
      upstream: anInstanceOf(ServiceEndpoint, 'prometheus.endpoint'),
      tls: A_SERVER_TLS,
      allowedFrom: aCidr('203.0.113.0/24'),
      hosts: aListOf(aCertificateDnsName('prometheus.serving-eu.example.com')),
    }, {
      clientCommonName: aString("'prometheus-federation'"),
      port: aPort(443),
      image: anImage('DefaultImages.NGINX_UNPRIVILEGED'),
      placement: A_PLACEMENT,
    });
    const commonName = props.clientCommonName ?? 'prometheus-federation';
    if (!COMMON_NAME.test(commonName)) {
      throw new MlopsValidationError(this, `clientCommonName '${commonName}' is invalid: give up to 63 letters, digits, '.' or '-', e.g. 'prometheus-federation'`);
    }
    if (props.hosts.length === 0) {
      throw new MlopsValidationError(this, "hosts is invalid: it is empty, and other clusters verify the proxy by the name they dial; give e.g. ['prometheus.serving-eu.example.com']");
    }
    if (props.hosts[0].startsWith('*.')) {
      throw new MlopsValidationError(this, `hosts[0] '${props.hosts[0]}' is invalid: the first host is the endpoint other clusters dial, and a wildcard `
        + "names no host; put a name they dial first, e.g. ['prometheus.serving-eu.example.com', '*.serving-eu.example.com']");
    }
    const port = props.port ?? 443;
    const type = props.serviceType ?? kplus.ServiceType.LOAD_BALANCER;
    if (type === kplus.ServiceType.NODE_PORT && (port < 30000 || port > 32767)) {
      throw new MlopsValidationError(this, `port '${port}' is invalid: a NodePort must be from 30000 to 32767; give e.g. 30443, or use a LoadBalancer`);
    }
    if (type !== kplus.ServiceType.LOAD_BALANCER && type !== kplus.ServiceType.NODE_PORT) {
      throw new MlopsValidationError(this, `serviceType '${type}' is invalid: other clusters cannot reach a ${type} Service; use kplus.ServiceType.LOAD_BALANCER or kplus.ServiceType.NODE_PORT`);
    }

    const image = props.image ?? defaultImage(this, DefaultImages.NGINX_UNPRIVILEGED);
    const labels = componentLabels(this, { name: 'nginx', component: 'federation-proxy', image });
    const config = new kplus.ConfigMap(this, 'Config', { metadata: { labels } });
    const upstreamCa = props.upstream.trustBundle?.pemPath ?? `${CERT_DIR}/ca.crt`;
    const nginxConf = nginxConfig(props.upstream, commonName, upstreamCa);
    config.addData('nginx.conf', nginxConf);
    this.service = new kplus.Service(this, 'Service', {
      metadata: { labels },
      type,
      ports: [{ name: 'https', port, targetPort: PORT, ...(type === kplus.ServiceType.NODE_PORT ? { nodePort: port } : {}) }],
    });
    // The client's address must reach the pod for `allowedFrom` to match it, not the forwarding node's.
    ApiObject.of(this.service).addJsonPatch(JsonPatch.add('/spec/externalTrafficPolicy', 'Local'));
    const { secret } = addServerCertificate(this, this.service, props.tls, props.hosts);

    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { labels },
      // A changed configuration rolls the pod: the ConfigMap is read once, at start.
      podMetadata: { labels, annotations: configChecksum(nginxConf) },
      replicas: 1,
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(NGINX_USER),
      containers: [{
        name: 'nginx',
        image,
        imagePullPolicy: imagePullPolicy(image),
        command: ['/bin/sh', '-c', runScript()],
        ports: [{ name: 'https', number: PORT }],
        securityContext: restrictedContainerSecurity(NGINX_USER),
        resources: {
          cpu: { request: kplus.Cpu.millis(20) },
          memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
        },
        readiness: httpGetProbe('/healthz', PORT, { failureThreshold: 3 }, true),
        liveness: httpGetProbe('/healthz', PORT, { failureThreshold: 6 }, true),
      }],
    });
    this.service.select(this.deployment);
    const nginx = this.deployment.containers[0];
    nginx.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(this.deployment, 'ConfigVolume', config, { name: 'config' }), { readOnly: true });
    nginx.mount(CERT_DIR, kplus.Volume.fromSecret(this.deployment, 'Certs', secret, { name: 'certs', defaultMode: 0o440 }), { readOnly: true });
    mountWritablePaths(this.deployment, nginx, { tmp: '/tmp' });
    props.upstream.trustIn(this.deployment, nginx);
    const clients = kplus.NetworkPolicyIpBlock.ipv4(this, 'AllowedFrom', props.allowedFrom);
    new kplus.NetworkPolicy(this, 'AllowFromPrimary', {
      selector: this.deployment,
      ingress: { rules: [{ peer: clients, ports: [kplus.NetworkPolicyPort.tcp(PORT)] }] },
    });
    this.endpoint = ServiceEndpoint.fromHost(props.hosts[0], port, 'https', props.tls.trustBundle);
    placeWorkloads(this, props.placement);
  }
}

/** Runs nginx and reloads it every hour, so that a renewed certificate is served; exits when nginx does. */
function runScript(): string {
  const nginx = `nginx -e stderr -c ${CONFIG_DIR}/nginx.conf`;
  return [
    `${nginx} -g 'daemon off;' &`,
    'pid=$!',
    // As pid 1 the shell would ignore SIGTERM: pass it on as nginx's graceful stop.
    'trap \'kill -QUIT "$pid"; wait "$pid"; exit 0\' TERM INT',
    `while kill -0 "$pid" 2>/dev/null; do sleep ${RELOAD_SECONDS} & wait $!; ${nginx} -s reload; done`,
    'wait "$pid"',
  ].join('\n');
}

/**
 * TLS 1.2+, client certificate verified against the CA of the proxy's own certificate, `optional` so that kubelet's
 * probes reach `/healthz`; `/federate` answers only a verified client with the expected common name.
 */
function nginxConfig(upstream: ServiceEndpoint, commonName: string, upstreamCa: string): string {
  const cn = commonName.replace(/\./g, '\\.');
  // An https upstream is verified like any client would: the CA, and the Service's name in its certificate.
  const verifyUpstream = upstream.scheme === 'https' ? `
      proxy_ssl_verify on;
      proxy_ssl_trusted_certificate ${upstreamCa};
      proxy_ssl_name ${upstream.host};
      proxy_ssl_server_name on;
      proxy_ssl_protocols TLSv1.2 TLSv1.3;` : '';
  return `pid /tmp/nginx.pid;
error_log /dev/stderr warn;
events {
  worker_connections 256;
}
http {
  client_body_temp_path /tmp/client_temp;
  proxy_temp_path /tmp/proxy_temp;
  fastcgi_temp_path /tmp/fastcgi_temp;
  uwsgi_temp_path /tmp/uwsgi_temp;
  scgi_temp_path /tmp/scgi_temp;
  access_log /dev/stdout;
  server_tokens off;
  map $ssl_client_s_dn $federation_client {
    default 0;
    "~(^|,)CN=${cn}(,|$)" 1;
  }
  server {
    listen ${PORT} ssl;
    ssl_certificate ${CERT_DIR}/tls.crt;
    ssl_certificate_key ${CERT_DIR}/tls.key;
    ssl_client_certificate ${CERT_DIR}/ca.crt;
    ssl_verify_client optional;
    ssl_protocols TLSv1.2 TLSv1.3;
    location = /healthz {
      access_log off;
      return 200 'ok';
    }
    location = /federate {
      limit_except GET {
        deny all;
      }
      if ($ssl_client_verify != SUCCESS) {
        return 401;
      }
      if ($federation_client = 0) {
        return 403;
      }
      proxy_pass ${upstream.url('/federate')};${verifyUpstream}
      proxy_read_timeout 60s;
    }
    location / {
      return 404;
    }
  }
}
`;
}
