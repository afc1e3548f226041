import { Chart, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkHost } from './address';
import { CertificateIssuer, ServerTls } from './tls';
import {
  Certificate,
  CertificateSpec,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
  CertificateSpecUsages,
} from '../imports/certmanager-certificate-cert-manager.io';

/** The keys cert-manager writes into a Certificate's Secret. */
export const TLS_CERT_KEY = 'tls.crt';
export const TLS_KEY_KEY = 'tls.key';

/** A Service's certificate: the Certificate and the Secret cert-manager keeps it in. */
export interface ServerCertificate {
  readonly certificate: Certificate;
  /** The Secret cert-manager writes (`tls.crt`, `tls.key`, `ca.crt`), for volumes. */
  readonly secret: kplus.ISecret;
  /** Adds DNS names the certificate is valid for (checked like `extraHosts`). */
  readonly addHosts: (hosts: string[]) => void;
}

/**
 * What every leaf certificate the library asks for shares: signed by `issuer`, for `usage` (server or client auth) and
 * digital signature (an ECDSA key signs the handshake; it never enciphers, so no 'key encipherment'), with an ECDSA
 * P-256 key rotated at each renewal.
 */
export function leafCertificateSpec(
  issuer: CertificateIssuer, usage: CertificateSpecUsages,
): Pick<CertificateSpec, 'issuerRef' | 'usages' | 'privateKey'> {
  return {
    issuerRef: { name: issuer.name, kind: issuer.kind, group: 'cert-manager.io' },
    usages: [usage, CertificateSpecUsages.DIGITAL_SIGNATURE],
    privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
  };
}

/**
 * A cert-manager Certificate `id` of `scope` for `hosts` (public names: an Ingress' hosts), signed by `issuer`, kept
 * in the Secret `secretName` in `scope`'s namespace; the private key is rotated with each renewal.
 */
export function addHostCertificate(scope: Construct, id: string, hosts: string[], issuer: CertificateIssuer, secretName: string): Certificate {
  return new Certificate(scope, id, {
    spec: {
      secretName,
      dnsNames: hosts,
      ...leafCertificateSpec(issuer, CertificateSpecUsages.SERVER_AUTH),
    },
  });
}

/**
 * A cert-manager Certificate for `service`, valid for every name clients use for it (`<svc>`, `<svc>.<ns>`,
 * `<svc>.<ns>.svc`, `<svc>.<ns>.svc.<domain>`) and `extraHosts` (an Ingress host, a LoadBalancer's DNS name), kept in
 * the Secret `<svc>-tls`. The private key is rotated with each renewal.
 */
export function addServerCertificate(scope: Construct, service: kplus.Service, tls: ServerTls, extraHosts: string[] = []): ServerCertificate {
  const hosts: string[] = [];
  const addHosts = (more: string[]) => {
    for (const host of more) {
      hosts.push(checkHost(scope, 'certificate DNS name', host, { example: 'minio.example.com', ipAddress: false, wildcard: true }));
    }
  };
  addHosts(extraHosts);
  const namespace = service.metadata.namespace ?? Chart.of(service).namespace;
  const name = service.name;
  const serviceNames = namespace
    ? [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.${tls.clusterDomain}`]
    : [name];

  const secretName = `${name}-tls`;
  const certificate = new Certificate(scope, 'Certificate', {
    metadata: { namespace },
    spec: {
      secretName,
      dnsNames: Lazy.any({ produce: () => [...new Set([...serviceNames, ...hosts])] }) as unknown as string[],
      duration: `${tls.duration.toHours()}h`,
      ...leafCertificateSpec(tls.issuer, CertificateSpecUsages.SERVER_AUTH),
    },
  });
  return { certificate, secret: kplus.Secret.fromSecretName(scope, 'CertificateSecret', secretName), addHosts };
}
