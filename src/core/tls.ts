import { Duration } from 'cdk8s';
import { MlopsValidationError } from './errors';
import { dnsSubdomainProblems } from './names';
import { aDuration } from './prop-kinds';
import { anInstanceOf, aString, checkArgument, checkProps } from './props-check';
import { TrustBundle } from './trust-bundle';

const ISSUER_KINDS = ['Issuer', 'ClusterIssuer'];

/** A cert-manager issuer that signs certificates: an `Issuer` (in the certificate's namespace) or a `ClusterIssuer`. */
export class CertificateIssuer {
  /** A `ClusterIssuer`, which signs certificates in every namespace. */
  public static clusterIssuer(name: string): CertificateIssuer {
    return CertificateIssuer.fromName(name, 'ClusterIssuer');
  }

  /** An `Issuer`, which signs certificates only in its own namespace: the namespace of the certificates' Services. */
  public static issuer(name: string): CertificateIssuer {
    return CertificateIssuer.fromName(name, 'Issuer');
  }

  /** An issuer by name and kind (`Issuer` or `ClusterIssuer`), e.g. from configuration. */
  public static fromName(name: string, kind: string): CertificateIssuer {
    const where = 'CertificateIssuer.fromName';
    checkArgument(where, 'name', name, aString("'platform-ca'"));
    checkArgument(where, 'kind', kind, aString("'ClusterIssuer'"));
    const problems = dnsSubdomainProblems(name);
    if (problems.length > 0) {
      throw new MlopsValidationError(where, `name '${name}' is invalid: ${problems.join('; ')}; give the issuer's metadata.name, e.g. 'platform-ca'`);
    }
    if (!ISSUER_KINDS.includes(kind)) {
      throw new MlopsValidationError(where, `kind '${kind}' is invalid: cert-manager's issuerRef kind must be 'Issuer' or 'ClusterIssuer'; `
        + "give e.g. CertificateIssuer.clusterIssuer('platform-ca')");
    }
    return new CertificateIssuer(name, kind);
  }

  private constructor(
    /** The issuer's `metadata.name`. */
    public readonly name: string,
    /** `Issuer` or `ClusterIssuer`. */
    public readonly kind: string,
  ) {}
}

/** Properties of `ServerTls`. */
export interface ServerTlsProps {
  /** Who signs the servers' certificates. */
  readonly issuer: CertificateIssuer;

  /** The CA bundle clients verify the servers with, present in every namespace a client runs in. */
  readonly trustBundle: TrustBundle;

  /**
   * How long a server certificate is valid (`spec.duration`); cert-manager renews it when two thirds have passed.
   *
   * @default Duration.days(90)
   */
  readonly duration?: Duration;

  /**
   * The cluster's DNS domain, for the `<service>.<namespace>.svc.<domain>` name of each certificate.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/**
 * TLS for the servers a component runs: a cert-manager Certificate per Service signed by `issuer`, and the CA bundle
 * the component's clients verify it with. Components take it as their `tls` prop; `PlatformTls.serverTls` makes one.
 */
export class ServerTls {
  /** Who signs the servers' certificates. */
  public readonly issuer: CertificateIssuer;
  /** The CA bundle clients verify the servers with. */
  public readonly trustBundle: TrustBundle;
  /** How long a server certificate is valid. */
  public readonly duration: Duration;
  /** The cluster's DNS domain. */
  public readonly clusterDomain: string;

  constructor(props: ServerTlsProps) {
    const where = 'ServerTls';
    checkProps(where, props, {
      issuer: anInstanceOf(CertificateIssuer, "CertificateIssuer.clusterIssuer('platform-ca')"),
      trustBundle: anInstanceOf(TrustBundle, "TrustBundle.fromConfigMap('platform-ca-bundle')"),
    }, { duration: aDuration({ example: 'Duration.days(90)', atLeast: Duration.days(1), wholeHours: true }), clusterDomain: aString("'cluster.local'") });
    this.issuer = props.issuer;
    this.trustBundle = props.trustBundle;
    // cert-manager renews at two thirds of it: a certificate shorter than a day would churn every server.
    this.duration = props.duration ?? Duration.days(90);
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    const problems = dnsSubdomainProblems(this.clusterDomain);
    if (problems.length > 0) {
      throw new MlopsValidationError(where, `clusterDomain '${this.clusterDomain}' is invalid: ${problems.join('; ')}; e.g. 'cluster.local'`);
    }
  }
}

/** A `tls` prop of a component. */
export const A_SERVER_TLS = anInstanceOf(ServerTls, 'platformTls.serverTls');
