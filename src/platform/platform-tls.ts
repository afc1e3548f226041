import { Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PlatformIngressOptions } from './platform-access';
import { PlatformProfile } from './platform-profile';
import { IBucket } from '../core/bucket';
import { MlopsValidationError } from '../core/errors';
import { aBoolean, anImplementationOf, checkProps } from '../core/props-check';
import { addHostCertificate } from '../core/server-certificate';
import { PlatformTls, PlatformTlsProps } from '../security/platform-tls';

/** What decides whether a platform runs TLS. */
export interface PlatformTlsSettings {
  readonly tls?: boolean;
  readonly tlsOptions?: PlatformTlsProps;
}

/**
 * The platform's `PlatformTls` (`Tls`), when TLS is on: by default with the production profile, off with dev.
 * `tlsOptions` without TLS is refused, as it would be silently ignored.
 */
export function createPlatformTls(scope: Construct, profile: PlatformProfile, settings: PlatformTlsSettings): PlatformTls | undefined {
  checkProps(scope, settings, {}, {
    tls: aBoolean(),
    tlsOptions: anImplementationOf('PlatformTlsProps', [], "{ issuer: CertificateIssuer.clusterIssuer('corporate-ca'), issuerCaSecret: 'corporate-ca' }"),
  });
  const on = settings.tls ?? profile.isProduction;
  if (!on) {
    if (settings.tlsOptions !== undefined) {
      throw new MlopsValidationError(scope, `tlsOptions is invalid with TLS off (tls: ${settings.tls === undefined ? `the ${profile.name} profile's default, false` : 'false'}): `
        + 'nothing would use them; give tls: true, or remove tlsOptions');
    }
    return undefined;
  }
  return new PlatformTls(scope, 'Tls', settings.tlsOptions);
}

/**
 * Refuses a bucket whose store is reached over plain HTTP when TLS is on: its clients would send credentials and data
 * in the clear.
 */
export function assertHttpsBuckets(scope: Construct, buckets: Record<string, IBucket | undefined>): void {
  for (const [prop, bucket] of Object.entries(buckets)) {
    const endpoint = bucket?.objectStore.endpoint;
    if (endpoint && endpoint.scheme !== 'https') {
      throw new MlopsValidationError(scope, `${prop} is invalid with TLS on: its store is reached at '${endpoint.url()}', over plain HTTP, `
        + `so its clients would send credentials in the clear; import it with an https endpoint, e.g. ServiceEndpoint.fromHost('${endpoint.host}', 443, 'https'), `
        + 'or turn TLS off with tls: false');
    }
  }
}

/**
 * The Ingress options with `tlsSecret` made from `certificateIssuer`: a Certificate (`IngressCertificate`) for the
 * platform's host and the MinIO console's own host, in the Secret `<path>-ingress-tls`.
 */
export function ingressWithCertificate(scope: Construct, options: PlatformIngressOptions | undefined): PlatformIngressOptions | undefined {
  const issuer = options?.certificateIssuer;
  if (!options || !issuer) {
    return options;
  }
  if (options.tlsSecret) {
    throw new MlopsValidationError(scope, 'ingress certificateIssuer is invalid with tlsSecret: the issuer would make a second TLS Secret for the same host; '
      + 'give one of them');
  }
  const hosts = [options.host, options.minioConsole?._host].filter((host): host is string => host !== undefined);
  const secretName = `${Names.toDnsLabel(scope, { includeHash: false, maxLen: 40 })}-ingress-tls`;
  addHostCertificate(scope, 'IngressCertificate', hosts, issuer, secretName);
  return { ...options, tlsSecret: kplus.Secret.fromSecretName(scope, 'IngressTlsSecret', secretName) };
}
