import { Testing } from 'cdk8s';
import { PlatformTls } from '../../src';
import { MinioWithBuckets } from '../../src/storage';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

const CA = { SSL_CERT_FILE: '/etc/mlops/ca/ca.crt', REQUESTS_CA_BUNDLE: '/etc/mlops/ca/ca.crt', AWS_CA_BUNDLE: '/etc/mlops/ca/ca.crt' };

function tlsMinio(tlsHosts?: string[]) {
  const chart = testChart('storage');
  const tls = new PlatformTls(chart, 'Tls', { name: 'platform' });
  const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models'], tls: tls.serverTls, tlsHosts });
  return { chart, tls, minio };
}

describe('MinioWithBuckets with tls', () => {
  test('gets a certificate for every name of its Service and the extra hosts, signed by the platform CA', () => {
    // GIVEN
    const { chart, minio } = tlsMinio(['minio.example.com']);
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const service = minio.service.name;
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.metadata.namespace === 'storage');
    expect(certificate.spec.dnsNames).toEqual([
      service, `${service}.storage`, `${service}.storage.svc`, `${service}.storage.svc.cluster.local`, 'minio.example.com',
    ]);
    expect(certificate.spec.issuerRef).toEqual({ name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(certificate.spec.secretName).toBe(`${service}-tls`);
  });

  test('serves https from its certs dir, with the keys mapped to the file names MinIO reads, and probes over https', () => {
    // GIVEN
    const { chart, minio } = tlsMinio();
    // WHEN
    const statefulSet = objectNamed(synthValid(chart), 'StatefulSet', 'minio');
    // THEN
    const server = container(statefulSet, 'minio');
    expect(server.args.slice(-2)).toEqual(['--certs-dir', '/etc/minio/certs']);
    const certs = podSpec(statefulSet).volumes.find((v: any) => v.name === 'certs');
    expect(certs.secret).toEqual({
      secretName: `${minio.service.name}-tls`,
      defaultMode: 0o440,
      items: [{ key: 'tls.crt', path: 'public.crt' }, { key: 'tls.key', path: 'private.key' }],
    });
    expect(server.volumeMounts).toContainEqual({ name: 'certs', mountPath: '/etc/minio/certs', readOnly: true });
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      expect(server[probe].httpGet.scheme).toBe('HTTPS');
    }
    expect(envOf(server).MINIO_SERVER_URL).toEqual({ value: `https://${minio.service.name}.storage.svc:9000` });
  });

  test('hands out https endpoints with the trust bundle, and its mc Jobs verify the server', () => {
    // GIVEN
    const { chart, minio, tls } = tlsMinio();
    // WHEN
    const job = objectNamed(synthValid(chart), 'Job', 'models');
    // THEN
    expect(minio.endpoint.url()).toBe(`https://${minio.service.name}.storage.svc:9000`);
    expect(minio.endpoint.trustBundle).toBe(tls.trustBundle);
    expect(minio.consoleEndpoint.scheme).toBe('https');
    const mc = container(job, 'mc');
    const env = envOf(mc);
    expect(env.MINIO_URL).toEqual({ value: minio.endpoint.url() });
    for (const [name, value] of Object.entries(CA)) {
      expect(env[name]).toEqual({ value });
    }
    expect(podSpec(job).volumes).toContainEqual({
      name: 'ca-bundle',
      configMap: { name: 'platform-ca-bundle', items: [{ key: 'ca.crt', path: 'ca.crt' }, { key: 'truststore.p12', path: 'truststore.p12' }] },
    });
  });

  test('is scraped over https, verified against the bundle under the Service name', () => {
    // GIVEN
    const { minio } = tlsMinio();
    // THEN
    expect(minio.scrapeTargets[0].endpoints).toEqual([{
      port: 'api',
      path: '/minio/v2/metrics/cluster',
      scheme: 'https',
      trustBundle: minio.endpoint.trustBundle,
      serverName: `${minio.service.name}.storage.svc`,
    }]);
  });

  test('without tls, serves plain http from a writable certs dir as before', () => {
    const chart = testChart('storage');
    const minio = new MinioWithBuckets(chart, 'Minio');
    const statefulSet = objectNamed(Testing.synth(chart), 'StatefulSet', 'minio');
    expect(container(statefulSet, 'minio').args.slice(-2)).toEqual(['--certs-dir', '/tmp/certs']);
    expect(minio.endpoint.scheme).toBe('http');
    expect(minio.scrapeTargets[0].endpoints[0].trustBundle).toBeUndefined();
    expect(objectsOfKind(Testing.synth(chart), 'Certificate')).toEqual([]);
  });

  test('refuses tlsHosts without tls, and a host that is not a DNS name', () => {
    expect(() => new MinioWithBuckets(testChart('storage'), 'Minio', { tlsHosts: ['minio.example.com'] })).toThrow(
      "MinioWithBuckets 'test/Minio': tlsHosts is invalid without tls: they are names of the server certificate, which only tls creates; give tls (e.g. platformTls.serverTls) or remove tlsHosts");
    expect(() => tlsMinio(['minio.example.com/s3'])).toThrow(
      "MinioWithBuckets 'test/Minio': tlsHosts[0] 'minio.example.com/s3' is invalid: must be a DNS name (optionally '*.' and a domain), without a scheme, credentials, port, path or whitespace, e.g. 'minio.example.com'");
  });
});
