import { Duration, Testing } from 'cdk8s';
import { CertificateIssuer, PlatformTls } from '../../src';
import { objectsOfKind, synthValid, testChart } from '../util';

function byKind(manifests: any[], kind: string): any[] {
  return objectsOfKind(manifests, kind);
}

describe('PlatformTls with a bootstrapped CA', () => {
  test('chains a self-signed ClusterIssuer, a CA Certificate in cert-manager and a CA ClusterIssuer', () => {
    // GIVEN
    const chart = testChart('mlops');
    // WHEN
    const tls = new PlatformTls(chart, 'Tls', { name: 'platform' });
    // THEN
    const manifests = synthValid(chart);
    const issuers = byKind(manifests, 'ClusterIssuer');
    expect(issuers.map((i) => [i.metadata.name, i.metadata.namespace, i.spec])).toEqual([
      ['platform-selfsigned', undefined, { selfSigned: {} }],
      ['platform-ca', undefined, { ca: { secretName: 'platform-ca' } }],
    ]);
    const [ca] = byKind(manifests, 'Certificate');
    expect([ca.metadata.name, ca.metadata.namespace]).toEqual(['platform-ca', 'cert-manager']);
    expect(ca.spec).toEqual({
      isCA: true,
      commonName: 'platform CA',
      secretName: 'platform-ca',
      duration: '87600h',
      issuerRef: { name: 'platform-selfsigned', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      usages: ['cert sign', 'crl sign', 'digital signature'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Never' },
    });
    expect(tls.issuer.name).toBe('platform-ca');
    expect(tls.issuer.kind).toBe('ClusterIssuer');
    expect(tls.serverTls.issuer).toBe(tls.issuer);
    expect(tls.serverTls.trustBundle.configMapName).toBe('platform-ca-bundle');
  });

  test('publishes the CA and the public CAs through a cluster-scoped Bundle into the named namespaces', () => {
    // GIVEN
    const chart = testChart('mlops');
    // WHEN
    const tls = new PlatformTls(chart, 'Tls', { name: 'platform', namespaces: ['mlops', 'serving'] });
    tls.addNamespace('models');
    tls.addNamespace('mlops');
    // THEN
    const [bundle] = byKind(synthValid(chart), 'Bundle');
    expect(bundle.apiVersion).toBe('trust.cert-manager.io/v1alpha1');
    expect([bundle.metadata.name, bundle.metadata.namespace]).toEqual(['platform-ca-bundle', undefined]);
    expect(bundle.spec).toEqual({
      sources: [{ secret: { name: 'platform-ca', key: 'tls.crt' } }, { useDefaultCAs: true }],
      target: {
        configMap: { key: 'ca.crt' },
        additionalFormats: { pkcs12: { key: 'truststore.p12', password: 'changeit', profile: 'Modern2023' } },
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['mlops', 'models', 'serving'] }] },
      },
    });
    expect(tls.namespaces).toEqual(['mlops', 'models', 'serving']);
    expect(tls.trustBundle.trustStore).toEqual({ key: 'truststore.p12', password: 'changeit' });
  });

  test('defaults the namespaces to the chart\'s, and names from the construct path', () => {
    // GIVEN
    const chart = testChart('mlops');
    // WHEN
    new PlatformTls(chart, 'Tls', { useDefaultCAs: false, trustNamespace: 'trust', caDuration: Duration.days(365) });
    // THEN
    const manifests = Testing.synth(chart);
    const [bundle] = byKind(manifests, 'Bundle');
    expect(bundle.spec.sources).toEqual([{ secret: { name: 'test-tls-ca', key: 'tls.crt' } }]);
    expect(bundle.spec.target.namespaceSelector.matchExpressions[0].values).toEqual(['mlops']);
    const [ca] = byKind(manifests, 'Certificate');
    expect(ca.metadata.namespace).toBe('trust');
    expect(ca.spec.duration).toBe('8760h');
  });
});

describe('PlatformTls with an existing issuer', () => {
  test('creates no CA and publishes the issuer\'s CA Secret', () => {
    // GIVEN
    const chart = testChart('mlops');
    // WHEN
    const tls = new PlatformTls(chart, 'Tls', {
      name: 'corp',
      issuer: CertificateIssuer.clusterIssuer('corporate-ca'),
      issuerCaSecret: 'corporate-ca',
      issuerCaKey: 'ca.pem',
    });
    // THEN
    const manifests = synthValid(chart);
    expect(byKind(manifests, 'ClusterIssuer')).toEqual([]);
    expect(byKind(manifests, 'Certificate')).toEqual([]);
    expect(byKind(manifests, 'Bundle')[0].spec.sources).toEqual([{ secret: { name: 'corporate-ca', key: 'ca.pem' } }, { useDefaultCAs: true }]);
    expect(tls.serverTls.issuer.name).toBe('corporate-ca');
    expect(tls.caCertificate).toBeUndefined();
  });

  test('a public issuer with the default CAs needs no CA Secret', () => {
    // GIVEN
    const chart = testChart('mlops');
    // WHEN
    new PlatformTls(chart, 'Tls', { name: 'public', issuer: CertificateIssuer.clusterIssuer('letsencrypt') });
    // THEN
    expect(byKind(synthValid(chart), 'Bundle')[0].spec.sources).toEqual([{ useDefaultCAs: true }]);
  });
});

describe('PlatformTls across clusters', () => {
  test('caSecret signs with a copied CA key pair: a CA ClusterIssuer on it, no bootstrap', () => {
    // GIVEN
    const chart = testChart('mlops');
    // WHEN
    const tls = new PlatformTls(chart, 'Tls', { name: 'platform', caSecret: 'primary-platform-tls-ca' });
    // THEN
    const manifests = synthValid(chart);
    expect(byKind(manifests, 'ClusterIssuer').map((i) => [i.metadata.name, i.spec])).toEqual([
      ['platform-ca', { ca: { secretName: 'primary-platform-tls-ca' } }],
    ]);
    expect(byKind(manifests, 'Certificate')).toEqual([]);
    expect(byKind(manifests, 'Bundle')[0].spec.sources[0]).toEqual({ secret: { name: 'primary-platform-tls-ca', key: 'tls.crt' } });
    expect(tls.caSecretName).toBe('primary-platform-tls-ca');
  });

  test('replicate gives another cluster the same issuer name and bundle, on the copied CA', () => {
    // GIVEN
    const primary = testChart('mlops');
    const serving = testChart('serving');
    const tls = new PlatformTls(primary, 'Tls', { name: 'platform', trustStorePassword: 'changed' });
    // WHEN
    const copy = tls.replicate(serving, 'Tls');
    // THEN
    expect(copy.issuer.name).toBe(tls.issuer.name);
    expect(copy.trustBundle).toEqual(tls.trustBundle);
    expect(copy.caSecretName).toBe('platform-ca');
    expect(copy.namespaces).toEqual(['serving']);
    expect(byKind(synthValid(serving), 'Certificate')).toEqual([]);
  });

  test('addClientCertificate issues a client certificate in the scope\'s namespace', () => {
    // GIVEN
    const chart = testChart('mlops');
    const tls = new PlatformTls(chart, 'Tls', { name: 'platform' });
    // WHEN
    const secretName = tls.addClientCertificate(chart, 'Federation', 'prometheus-federation');
    // THEN
    const client = byKind(synthValid(chart), 'Certificate').find((c) => c.spec.secretName === secretName);
    expect(client.metadata.namespace).toBe('mlops');
    expect(client.spec).toEqual({
      secretName: 'test-federation-client',
      commonName: 'prometheus-federation',
      duration: '2160h',
      issuerRef: { name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      usages: ['client auth', 'digital signature'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    });
    expect(() => tls.addClientCertificate(chart, 'Bad', 'prometheus federation')).toThrow(
      "PlatformTls 'test/Tls': client commonName 'prometheus federation' is invalid: give up to 63 letters, digits, '.' or '-', e.g. 'prometheus-federation'");
  });
});

describe('PlatformTls bad input', () => {
  test.each([
    ['an Issuer (namespaced)', { issuer: CertificateIssuer.issuer('local-ca'), issuerCaSecret: 'ca' },
      "PlatformTls 'test/Tls': issuer 'local-ca' is invalid: an Issuer signs only in its own namespace and the platform spans several; give a ClusterIssuer, e.g. CertificateIssuer.clusterIssuer('local-ca')"],
    ['an issuer without a CA Secret and without the default CAs', { issuer: CertificateIssuer.clusterIssuer('corporate-ca'), useDefaultCAs: false },
      "PlatformTls 'test/Tls': issuerCaSecret is missing: clients must trust the CA of ClusterIssuer 'corporate-ca', and the bundle would be empty; give the Secret in 'cert-manager' that holds it, e.g. issuerCaSecret: 'corporate-ca'"],
    ['a CA Secret without an issuer', { issuerCaSecret: 'corporate-ca' },
      "PlatformTls 'test/Tls': issuerCaSecret is invalid without issuer: the bootstrapped CA publishes its own certificate; remove it, or give the issuer it belongs to, e.g. issuer: CertificateIssuer.clusterIssuer('corporate-ca')"],
    ['a namespace that is no DNS label', { namespaces: ['Mlops'] },
      "PlatformTls 'test/Tls': namespaces[0] 'Mlops' is invalid: must contain only lowercase letters, digits and '-'"],
    ['a CA valid for a week', { caDuration: Duration.days(7) },
      "PlatformTls 'test/Tls': caDuration '7 days' is invalid: must be whole hours, at least 30 days (a CA that expires within a month churns every certificate it signed); e.g. Duration.days(3650)"],
    ['a trust namespace that is no DNS label', { trustNamespace: 'cert_manager' },
      "PlatformTls 'test/Tls': trustNamespace 'cert_manager' is invalid: must contain only lowercase letters, digits and '-'"],
    ['a CA key pair with an issuer', { issuer: CertificateIssuer.clusterIssuer('corporate-ca'), caSecret: 'platform-ca' },
      "PlatformTls 'test/Tls': caSecret is invalid with issuer: ClusterIssuer 'corporate-ca' signs the certificates, and caSecret would make a second CA; give one of them"],
    ['a CA Secret name that is no object name', { caSecret: 'Platform CA' },
      "PlatformTls 'test/Tls': caSecret 'Platform CA' is invalid: must be lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit"],
    ['an issuer given as a string', { issuer: 'corporate-ca' },
      "PlatformTls 'test/Tls': props.issuer is invalid: expected a CertificateIssuer, got a string (\"corporate-ca\"); give e.g. CertificateIssuer.clusterIssuer('corporate-ca')"],
  ])('%s is refused', (_what, props, message) => {
    expect(() => new PlatformTls(testChart('mlops'), 'Tls', props as any)).toThrow(message);
  });

  test('a chart without a namespace and no namespaces fails validation with the fix', () => {
    const chart = testChart();
    new PlatformTls(chart, 'Tls');
    expect(() => Testing.synth(chart)).toThrow("test/Tls: no namespace to publish the CA bundle into; give namespaces or call addNamespace('mlops')");
  });
});
