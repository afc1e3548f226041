import { ApiObject, Chart, Duration, JsonPatch, Lazy, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { MlopsValidationError } from '../core/errors';
import { assertDnsLabel } from '../core/names';
import { aDuration, aNamespace, anObjectName } from '../core/prop-kinds';
import { aBoolean, aListOf, anImplementationOf, anInstanceOf, aString, checkArgument, checkProps } from '../core/props-check';
import { leafCertificateSpec } from '../core/server-certificate';
import { CertificateIssuer, ServerTls } from '../core/tls';
import { TrustBundle } from '../core/trust-bundle';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
  CertificateSpecUsages,
} from '../imports/certmanager-certificate-cert-manager.io';
import { ClusterIssuer } from '../imports/certmanager-clusterissuer-cert-manager.io';
import { Bundle, BundleSpecSources, BundleSpecTargetAdditionalFormatsPkcs12Profile } from '../imports/trustmanager-bundle-trust.cert-manager.io';

const BUNDLE_KEY = 'ca.crt';
const TRUSTSTORE_KEY = 'truststore.p12';
/** The label Kubernetes sets on every Namespace (1.22+), so the Bundle selects namespaces by name without labelling them. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const NAMESPACE = aNamespace("'mlops'");

/** Properties of `PlatformTls`. */
export interface PlatformTlsProps {
  /**
   * An existing issuer that signs the servers' certificates, e.g. your organisation's CA or Vault ClusterIssuer. Give
   * `issuerCaSecret` (or `useDefaultCAs` for a public CA) so that clients trust what it signs.
   *
   * @default - a private CA bootstrapped in the manifests: a self-signed ClusterIssuer, a CA Certificate in
   * `trustNamespace` and a CA ClusterIssuer on its Secret
   */
  readonly issuer?: CertificateIssuer;

  /**
   * The Secret in `trustNamespace` that holds the CA certificate of `issuer`, which the Bundle publishes.
   *
   * @default - none; required with `issuer` unless `useDefaultCAs` is on and a public CA signs
   */
  readonly issuerCaSecret?: string;

  /**
   * An existing CA key pair (a `kubernetes.io/tls` Secret: `tls.crt`, `tls.key`) in `trustNamespace`, e.g. the
   * bootstrapped CA of another cluster's `PlatformTls` copied into this one, so that both clusters trust one CA. A CA
   * ClusterIssuer `<name>-ca` signs with it.
   *
   * @default - none
   */
  readonly caSecret?: string;

  /**
   * The key of `issuerCaSecret` that holds the CA certificate.
   *
   * @default 'ca.crt'
   */
  readonly issuerCaKey?: string;

  /**
   * The namespaces the CA bundle is published into (the ConfigMap `trustBundle.configMapName`): every namespace
   * with a server or client of the platform. More can be added with `addNamespace`.
   *
   * @default - the chart's namespace
   */
  readonly namespaces?: string[];

  /**
   * cert-manager's cluster resource namespace, which is also trust-manager's trust namespace: the bootstrapped CA's
   * Secret lives there, and the Bundle reads its sources only from there.
   *
   * @default 'cert-manager'
   */
  readonly trustNamespace?: string;

  /**
   * Adds the public CAs of trust-manager's default package to the bundle (trust-manager's `defaultPackage.enabled`,
   * on by default), so that the clients the bundle is mounted into (`SSL_CERT_FILE` replaces the system store) still
   * reach public HTTPS endpoints such as PyPI or AWS S3.
   *
   * @default true
   */
  readonly useDefaultCAs?: boolean;

  /**
   * How long the bootstrapped CA is valid. cert-manager renews it when two thirds have passed, keeping its private
   * key, so certificates it signed stay valid.
   *
   * @default Duration.days(3650)
   */
  readonly caDuration?: Duration;

  /**
   * How long each server certificate is valid; cert-manager renews it (with a new key) when two thirds have passed.
   *
   * @default Duration.days(90)
   */
  readonly serverCertificateDuration?: Duration;

  /**
   * The password of the PKCS#12 truststore published next to the PEM bundle for Java clients (Spark). It protects
   * only the store's integrity: a truststore holds public certificates.
   *
   * @default 'changeit'
   */
  readonly trustStorePassword?: string;

  /**
   * The name the cluster-scoped objects start with (`<name>-ca` ClusterIssuer, `<name>-ca-bundle` Bundle and
   * ConfigMaps); unique in the cluster.
   *
   * @default - from the construct path, e.g. `mlops-platform-tls`
   */
  readonly name?: string;
}

/**
 * The platform's source of trust: who signs every server certificate, and the CA bundle every client verifies them
 * with, published by trust-manager as a ConfigMap into each platform namespace.
 *
 * ```ts
 * const tls = new PlatformTls(chart, 'Tls', { namespaces: ['mlops'] });
 * new MinioWithBuckets(chart, 'Minio', { tls: tls.serverTls });
 * ```
 *
 * - Without `issuer`, a private CA is bootstrapped in the manifests: a self-signed ClusterIssuer signs a CA
 *   Certificate (ECDSA P-256, `caDuration`) whose Secret lives in `trustNamespace`, and the CA ClusterIssuer
 *   `<name>-ca` signs every server certificate on it. A namespaced Issuer would only sign in its own namespace.
 * - The trust-manager Bundle `<name>-ca-bundle` (cluster-scoped) writes the CA (plus the public CAs with
 *   `useDefaultCAs`) under `ca.crt`, and a PKCS#12 truststore (`Modern2023`) under `truststore.p12`, into the
 *   namespaces named, selected by their `kubernetes.io/metadata.name` label.
 * - Prerequisites: cert-manager (v1.16) and trust-manager (v0.24) installed, trust-manager's trust namespace being
 *   `trustNamespace`.
 */
export class PlatformTls extends Construct {
  /** Who signs the servers' certificates. */
  public readonly issuer: CertificateIssuer;
  /** The CA bundle in every namespace of `namespaces`. */
  public readonly trustBundle: TrustBundle;
  /** What components take as their `tls` prop. */
  public readonly serverTls: ServerTls;
  /** The trust-manager Bundle. */
  public readonly bundle: ApiObject;
  /** The bootstrapped CA's Certificate, unless `issuer` or `caSecret` was given. */
  public readonly caCertificate?: ApiObject;
  /** The namespace the CA's Secret and the Bundle's sources are in. */
  public readonly trustNamespace: string;
  /** The CA key pair's Secret in `trustNamespace` (bootstrapped or `caSecret`); none with `issuer`. */
  public readonly caSecretName?: string;

  private readonly props: PlatformTlsProps;
  private readonly name: string;

  private readonly namespaceNames: string[] = [];

  constructor(scope: Construct, id: string, props: PlatformTlsProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      issuer: anInstanceOf(CertificateIssuer, "CertificateIssuer.clusterIssuer('corporate-ca')"),
      issuerCaSecret: anObjectName("'corporate-ca'"),
      issuerCaKey: aString("'ca.crt'"),
      caSecret: anObjectName("'platform-ca'"),
      namespaces: aListOf(NAMESPACE),
      trustNamespace: aNamespace("'cert-manager'"),
      useDefaultCAs: aBoolean(),
      caDuration: aDuration({ example: 'Duration.days(3650)', atLeast: Duration.days(30), wholeHours: true, reason: 'a CA that expires within a month churns every certificate it signed' }),
      serverCertificateDuration: aDuration({ example: 'Duration.days(90)', atLeast: Duration.days(1), wholeHours: true }),
      trustStorePassword: aString("'changeit'"),
      name: aString("'platform'"),
    });
    const name = props.name ?? Names.toDnsLabel(this, { includeHash: false });
    assertDnsLabel(this, 'name', name, 50);
    this.name = name;
    this.trustNamespace = props.trustNamespace ?? 'cert-manager';
    const useDefaultCAs = props.useDefaultCAs ?? true;
    if (props.issuer?.kind === 'Issuer') {
      throw new MlopsValidationError(this, `issuer '${props.issuer.name}' is invalid: an Issuer signs only in its own namespace and the platform `
        + `spans several; give a ClusterIssuer, e.g. CertificateIssuer.clusterIssuer('${props.issuer.name}')`);
    }
    if (props.issuer && props.caSecret !== undefined) {
      throw new MlopsValidationError(this, `caSecret is invalid with issuer: ${props.issuer.kind} '${props.issuer.name}' signs the certificates, `
        + 'and caSecret would make a second CA; give one of them');
    }
    if (!props.issuer && (props.issuerCaSecret !== undefined || props.issuerCaKey !== undefined)) {
      throw new MlopsValidationError(this, 'issuerCaSecret is invalid without issuer: the bootstrapped CA publishes its own certificate; '
        + "remove it, or give the issuer it belongs to, e.g. issuer: CertificateIssuer.clusterIssuer('corporate-ca')");
    }
    if (props.issuer && props.issuerCaSecret === undefined && !useDefaultCAs) {
      throw new MlopsValidationError(this, `issuerCaSecret is missing: clients must trust the CA of ${props.issuer.kind} '${props.issuer.name}', `
        + `and the bundle would be empty; give the Secret in '${this.trustNamespace}' that holds it, e.g. issuerCaSecret: 'corporate-ca'`);
    }
    for (const namespace of props.namespaces ?? [Chart.of(this).namespace].filter((ns): ns is string => ns !== undefined)) {
      this.addNamespace(namespace);
    }

    const caSecretName = `${name}-ca`;
    let caSource: BundleSpecSources;
    if (props.issuer) {
      this.issuer = props.issuer;
      caSource = { secret: { name: props.issuerCaSecret, key: props.issuerCaKey ?? 'ca.crt' } };
    } else {
      const caSecret = props.caSecret ?? caSecretName;
      if (props.caSecret === undefined) {
        this.caCertificate = this.bootstrapCa(name, caSecretName, props.caDuration ?? Duration.days(3650));
      }
      this.issuer = CertificateIssuer.clusterIssuer(this.caIssuer(caSecretName, caSecret));
      caSource = { secret: { name: caSecret, key: 'tls.crt' } };
      this.caSecretName = caSecret;
    }
    this.props = props;

    const password = props.trustStorePassword ?? 'changeit';
    const bundleName = `${name}-ca-bundle`;
    this.bundle = new Bundle(this, 'Bundle', {
      metadata: { name: bundleName },
      spec: {
        sources: [...(props.issuer && props.issuerCaSecret === undefined ? [] : [caSource]), ...(useDefaultCAs ? [{ useDefaultCAs: true }] : [])],
        target: {
          configMap: { key: BUNDLE_KEY },
          additionalFormats: {
            pkcs12: { key: TRUSTSTORE_KEY, password, profile: BundleSpecTargetAdditionalFormatsPkcs12Profile.MODERN2023 },
          },
          namespaceSelector: {
            matchExpressions: [{
              key: NAMESPACE_NAME_LABEL,
              operator: 'In',
              values: Lazy.any({ produce: () => [...this.namespaceNames].sort() }) as unknown as string[],
            }],
          },
        },
      },
    });
    clusterScoped(this.bundle);
    this.node.addValidation({
      validate: () => this.namespaceNames.length > 0 ? [] : [`${this.node.path}: no namespace to publish the CA bundle into; give namespaces or call addNamespace('mlops')`],
    });
    this.trustBundle = TrustBundle.fromConfigMap(bundleName, { key: BUNDLE_KEY, trustStore: { key: TRUSTSTORE_KEY, password } });
    this.serverTls = new ServerTls({ issuer: this.issuer, trustBundle: this.trustBundle, duration: props.serverCertificateDuration });
  }

  /** The namespaces the bundle is published into, sorted. */
  public get namespaces(): string[] {
    return [...this.namespaceNames].sort();
  }

  /**
   * The same trust in another cluster's chart: the same issuer name signs there, and the same bundle is published.
   * A bootstrapped CA is used through `caSecret`: copy its Secret (`caSecretName` in `trustNamespace`) into that
   * cluster first; an `issuer` must exist there too.
   */
  public replicate(scope: Construct, id: string, namespaces?: string[]): PlatformTls {
    checkArgument(this, 'scope', scope, anImplementationOf('construct', ['node'], 'chart'));
    const { caDuration, issuer, issuerCaSecret, issuerCaKey, ...shared } = this.props;
    return new PlatformTls(scope, id, {
      ...shared,
      name: this.name,
      namespaces,
      ...(issuer ? { issuer, issuerCaSecret, issuerCaKey } : { caSecret: this.caSecretName }),
    });
  }

  /**
   * A client certificate for `commonName` in `scope`'s namespace, signed by the platform's issuer, for a client that
   * authenticates with it (the primary Prometheus to a `FederationProxy`); returns its Secret's name
   * (`tls.crt`, `tls.key`, `ca.crt`).
   */
  public addClientCertificate(scope: Construct, id: string, commonName: string): string {
    checkArgument(this, 'commonName', commonName, aString("'prometheus-federation'"));
    if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(commonName)) {
      throw new MlopsValidationError(this, `client commonName '${commonName}' is invalid: give up to 63 letters, digits, '.' or '-', e.g. 'prometheus-federation'`);
    }
    const secretName = `${Names.toDnsLabel(scope, { includeHash: false, maxLen: 50 })}-${id.toLowerCase()}-client`.replace(/[^a-z0-9-]/g, '-');
    new Certificate(scope, `${id}ClientCertificate`, {
      spec: {
        secretName,
        commonName,
        duration: `${this.serverTls.duration.toHours()}h`,
        ...leafCertificateSpec(this.issuer, CertificateSpecUsages.CLIENT_AUTH),
      },
    });
    return secretName;
  }

  /** Publishes the CA bundle into `namespace` too (a serving namespace, a team's namespace). */
  public addNamespace(namespace: string): void {
    checkArgument(this, 'namespace', namespace, NAMESPACE);
    if (!this.namespaceNames.includes(namespace)) {
      this.namespaceNames.push(namespace);
    }
  }

  /** Self-signed ClusterIssuer → CA Certificate in the trust namespace → CA ClusterIssuer on its Secret. */
  private bootstrapCa(name: string, caSecretName: string, duration: Duration): Certificate {
    const selfSigned = new ClusterIssuer(this, 'SelfSignedIssuer', {
      metadata: { name: `${name}-selfsigned` },
      spec: { selfSigned: {} },
    });
    clusterScoped(selfSigned);
    const ca = new Certificate(this, 'CaCertificate', {
      metadata: { name: caSecretName, namespace: this.trustNamespace },
      spec: {
        isCa: true,
        commonName: `${name} CA`,
        secretName: caSecretName,
        duration: `${duration.toHours()}h`,
        issuerRef: { name: selfSigned.name, kind: 'ClusterIssuer', group: 'cert-manager.io' },
        usages: [CertificateSpecUsages.CERT_SIGN, CertificateSpecUsages.CRL_SIGN, CertificateSpecUsages.DIGITAL_SIGNATURE],
        // Renewal keeps the key: certificates signed before a renewal still chain to the published CA.
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.NEVER },
      },
    });
    return ca;
  }

  /** The CA ClusterIssuer `name`, signing with the key pair in `secretName`. */
  private caIssuer(name: string, secretName: string): string {
    const caIssuer = new ClusterIssuer(this, 'CaIssuer', {
      metadata: { name },
      spec: { ca: { secretName } },
    });
    clusterScoped(caIssuer);
    return name;
  }
}

/** A cluster-scoped object must not carry the chart's namespace. */
function clusterScoped(obj: ApiObject): void {
  if (obj.metadata.namespace !== undefined) {
    obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
}
