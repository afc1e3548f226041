import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CertificateIssuer, restrictedContainerSecurity, restrictedPodSecurity, ServerTls, ServiceEndpoint, TrustBundle } from '../../src';
import { addServerCertificate } from '../../src/core/server-certificate';
import { container, envOf, objectsOfKind, podSpec, synthValid, testChart } from '../util';

const RUN_AS = { user: 1000, group: 1000 };
const BUNDLE = TrustBundle.fromConfigMap('platform-ca-bundle', { trustStore: { key: 'truststore.p12', password: 'changeit' } });
const SERVER_TLS = new ServerTls({ issuer: CertificateIssuer.clusterIssuer('platform-ca'), trustBundle: BUNDLE });

function app(chart: any, id = 'App'): kplus.Deployment {
  return new kplus.Deployment(chart, id, {
    replicas: 1,
    securityContext: restrictedPodSecurity(RUN_AS),
    containers: [{
      name: 'app',
      image: 'example.com/app:1.0',
      portNumber: 8080,
      securityContext: restrictedContainerSecurity(RUN_AS),
      resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(32) } },
    }],
  });
}

const BUNDLE_EXTERNAL = [{ kind: 'ConfigMap', name: 'platform-ca-bundle', keys: ['ca.crt', 'truststore.p12'] }];

describe('TrustBundle.mountInto', () => {
  test('mounts the bundle read-only and points OpenSSL, requests, boto3 and libpq at it', () => {
    // GIVEN
    const chart = testChart('mlops');
    const deployment = app(chart);
    // WHEN
    BUNDLE.mountInto(deployment, deployment.containers[0]);
    BUNDLE.mountInto(deployment, deployment.containers[0]);
    // THEN
    const [manifest] = objectsOfKind(synthValid(chart, BUNDLE_EXTERNAL), 'Deployment');
    expect(podSpec(manifest).volumes).toEqual([{
      name: 'ca-bundle',
      configMap: { name: 'platform-ca-bundle', items: [{ key: 'ca.crt', path: 'ca.crt' }, { key: 'truststore.p12', path: 'truststore.p12' }] },
    }]);
    const app_ = container(manifest, 'app');
    expect(app_.volumeMounts).toEqual([{ name: 'ca-bundle', mountPath: '/etc/mlops/ca', readOnly: true }]);
    expect(envOf(app_)).toEqual({
      SSL_CERT_FILE: { value: '/etc/mlops/ca/ca.crt' },
      REQUESTS_CA_BUNDLE: { value: '/etc/mlops/ca/ca.crt' },
      AWS_CA_BUNDLE: { value: '/etc/mlops/ca/ca.crt' },
      PGSSLROOTCERT: { value: '/etc/mlops/ca/ca.crt' },
    });
    expect(BUNDLE.trustStorePath).toBe('/etc/mlops/ca/truststore.p12');
  });

  test('shares one volume between two containers of a pod', () => {
    // GIVEN
    const chart = testChart('mlops');
    const deployment = app(chart);
    const sidecar = deployment.addContainer({
      name: 'sidecar',
      image: 'example.com/sidecar:1.0',
      securityContext: restrictedContainerSecurity(RUN_AS),
      resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(32) } },
    });
    // WHEN
    BUNDLE.mountInto(deployment, deployment.containers[0]);
    BUNDLE.mountInto(deployment, sidecar);
    // THEN
    const [manifest] = objectsOfKind(synthValid(chart, BUNDLE_EXTERNAL), 'Deployment');
    expect(podSpec(manifest).volumes.map((v: any) => v.name)).toEqual(['ca-bundle']);
    expect(envOf(container(manifest, 'sidecar')).SSL_CERT_FILE).toEqual({ value: '/etc/mlops/ca/ca.crt' });
  });

  test('a missing bundle ConfigMap is a finding of the harness', () => {
    const chart = testChart('mlops');
    const deployment = app(chart);
    BUNDLE.mountInto(deployment, deployment.containers[0]);
    expect(() => synthValid(chart)).toThrow('volumes[0].configMap.name: ConfigMap "mlops/platform-ca-bundle" is not in the output');
  });
});

describe('ServiceEndpoint with a trust bundle', () => {
  test('is TLS, and trustIn mounts the bundle; without one it changes nothing', () => {
    // GIVEN
    const chart = testChart('mlops');
    const deployment = app(chart);
    const service = new kplus.Service(chart, 'Api', { ports: [{ port: 8443 }] });
    // WHEN
    const secured = ServiceEndpoint.fromService(service, 8443, 'https', BUNDLE);
    const plain = ServiceEndpoint.fromHost('s3.example.com', 443, 'https');
    plain.trustIn(deployment, deployment.containers[0]);
    // THEN
    expect(secured.tls).toBe(true);
    expect(plain.tls).toBe(true);
    expect(ServiceEndpoint.fromHost('minio.local', 9000).tls).toBe(false);
    expect(podSpec(objectsOfKind(Testing.synth(chart), 'Deployment')[0]).volumes).toBeUndefined();
    secured.trustIn(deployment, deployment.containers[0]);
    expect(podSpec(objectsOfKind(Testing.synth(chart), 'Deployment')[0]).volumes).toHaveLength(1);
  });

  test('refuses a trust bundle that is not one', () => {
    expect(() => ServiceEndpoint.fromHost('s3.example.com', 443, 'https', 'ca.crt' as any)).toThrow(
      "ServiceEndpoint.fromHost: trustBundle is invalid: expected a TrustBundle, got a string (\"ca.crt\"); give e.g. TrustBundle.fromConfigMap('platform-ca-bundle')");
  });
});

describe('addServerCertificate', () => {
  test('names the Service in every form plus the extra hosts, with the issuer, a rotated ECDSA key and the Secret <svc>-tls', () => {
    // GIVEN
    const chart = testChart('mlops');
    const service = new kplus.Service(chart, 'Api', { metadata: { name: 'api' }, ports: [{ port: 8443 }] });
    // WHEN
    const { secret } = addServerCertificate(chart, service, SERVER_TLS, ['api.example.com', '*.apps.example.com']);
    // THEN
    const [certificate] = objectsOfKind(Testing.synth(chart), 'Certificate');
    expect(certificate.metadata.namespace).toBe('mlops');
    expect(certificate.spec).toEqual({
      secretName: 'api-tls',
      dnsNames: ['api', 'api.mlops', 'api.mlops.svc', 'api.mlops.svc.cluster.local', 'api.example.com', '*.apps.example.com'],
      duration: '2160h',
      issuerRef: { name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      usages: ['server auth', 'digital signature'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    });
    expect(secret.name).toBe('api-tls');
  });

  test.each(['https://api.example.com', 'api.example.com:443', 'api_example.com', '10.0.0.1'])('refuses the DNS name %s', (host) => {
    const chart = testChart('mlops');
    const service = new kplus.Service(chart, 'Api', { ports: [{ port: 8443 }] });
    expect(() => addServerCertificate(chart, service, SERVER_TLS, [host])).toThrow(
      `certificate DNS name '${host}' is invalid: must be a DNS name (optionally '*.' and a domain), without a scheme, credentials, port, path or whitespace, e.g. 'minio.example.com'`);
  });
});

describe('CertificateIssuer, TrustBundle and ServerTls bad input', () => {
  test.each([
    ['an issuer kind that is not Issuer or ClusterIssuer', () => CertificateIssuer.fromName('platform-ca', 'Vault'),
      "CertificateIssuer.fromName: kind 'Vault' is invalid: cert-manager's issuerRef kind must be 'Issuer' or 'ClusterIssuer'; give e.g. CertificateIssuer.clusterIssuer('platform-ca')"],
    ['an issuer name that is no object name', () => CertificateIssuer.clusterIssuer('Platform CA'),
      "CertificateIssuer.fromName: name 'Platform CA' is invalid: must be lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit; give the issuer's metadata.name, e.g. 'platform-ca'"],
    ['a bundle key that is no ConfigMap key', () => TrustBundle.fromConfigMap('ca', { key: 'ca/crt' }),
      "TrustBundle.fromConfigMap: options.key 'ca/crt' is invalid: a ConfigMap key holds only letters, digits, '-', '_' and '.'; e.g. 'ca.crt'"],
    ['a truststore key equal to the PEM key', () => TrustBundle.fromConfigMap('ca', { trustStore: { key: 'ca.crt', password: 'x' } }),
      "TrustBundle.fromConfigMap: options.trustStore.key 'ca.crt' is invalid: it is the PEM bundle's key too; give another, e.g. 'truststore.p12'"],
    ['a certificate duration under a day', () => new ServerTls({ issuer: CertificateIssuer.clusterIssuer('ca'), trustBundle: BUNDLE, duration: Duration.hours(1) }),
      "ServerTls: duration '60 minutes' is invalid: must be whole hours, at least 1 day; e.g. Duration.days(90)"],
    ['an issuer given as a string', () => new ServerTls({ issuer: 'platform-ca' as any, trustBundle: BUNDLE }),
      "ServerTls: props.issuer is invalid: expected a CertificateIssuer, got a string (\"platform-ca\"); give e.g. CertificateIssuer.clusterIssuer('platform-ca')"],
  ])('%s is refused', (_what, make, message) => {
    expect(make).toThrow(message as string);
  });
});
