import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  DagSource, FederationProxy, ModelFormat, ModelSource, MultiClusterPlatform, PlatformTls, ServiceEndpoint, ServingClusterOptions,
} from '../../src';
import { container, objectNamed, objectsOfKind, podSpec, validManifests } from '../util';

const dags = DagSource.fromGit({ repository: 'https://github.com/example/dags.git', subPath: 'dags' });
const MODELS_SECRET = { kind: 'Secret', name: 'primary-models-credentials', namespace: 'mlops' };
const BUNDLE = 'primary-platform-tls-ca-bundle';

function serving(clusterName: string, options: Partial<ServingClusterOptions> = {}): ServingClusterOptions {
  return { clusterName, prometheusEndpoint: ServiceEndpoint.fromHost(`prometheus.${clusterName}.example.com`, 443, 'https'), egressCidr: '192.0.2.0/24', ...options };
}

/** A primary with TLS on, its MinIO shared over https, and the serving cluster `eu`. */
function tlsPlatform() {
  const platform = new MultiClusterPlatform({ outdir: '/nonexistent' });
  const primary = platform.addPrimary({
    clusterName: 'primary',
    sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000, 'https'),
    egressCidr: '203.0.113.0/24',
  });
  const core = primary.addPlatform({ dags, tls: true });
  const eu = platform.addServingCluster(serving('eu'));
  return { platform, primary, core, eu };
}

describe('MultiClusterPlatform with TLS', () => {
  test('the primary federates each serving cluster over https, verifying it against the CA and presenting a client certificate', () => {
    // GIVEN
    const { primary, core } = tlsPlatform();
    // WHEN
    const manifests = validManifests(Testing.synth(primary));
    // THEN
    const scrape = objectNamed(manifests, 'ScrapeConfig', 'federate-eu');
    expect(scrape.spec.scheme).toBe('https');
    expect(scrape.spec.staticConfigs[0].targets).toEqual(['prometheus.eu.example.com:443']);
    const clientSecret = scrape.spec.tlsConfig.cert.secret.name;
    expect(scrape.spec.tlsConfig).toEqual({
      ca: { configMap: { name: BUNDLE, key: 'ca.crt' } },
      cert: { secret: { name: clientSecret, key: 'tls.crt' } },
      keySecret: { name: clientSecret, key: 'tls.key' },
    });
    const client = objectsOfKind(manifests, 'Certificate').find((c) => c.spec.secretName === clientSecret);
    expect(client.spec).toMatchObject({
      commonName: 'prometheus-federation',
      usages: ['client auth', 'digital signature'],
      issuerRef: { name: core.tls!.issuer.name, kind: 'ClusterIssuer' },
    });
  });

  test("the shared MinIO's certificate names the address the serving clusters dial", () => {
    // GIVEN
    const { primary, core } = tlsPlatform();
    // WHEN
    const manifests = validManifests(Testing.synth(primary));
    // THEN
    const minioCert = objectsOfKind(manifests, 'Certificate').find((c) => c.spec.secretName === `${core.minio!.service.name}-tls`);
    expect(minioCert.spec.dnsNames).toContain('minio.example.com');
    const shared = objectNamed(manifests, 'Service', 'sharedstorage');
    expect(shared.spec.ports).toEqual([{ name: 'api', port: 9000, targetPort: 9000 }]);
  });

  test('a serving cluster trusts the copied CA and exposes only the authenticating proxy, to the primary\'s egress CIDR', () => {
    // GIVEN
    const { platform, eu } = tlsPlatform();
    // WHEN
    const manifests = validManifests(Testing.synth(platform.chartOf('eu')), [MODELS_SECRET]);
    // THEN
    expect(objectsOfKind(manifests, 'ClusterIssuer').map((i) => [i.metadata.name, i.spec])).toEqual([
      ['primary-platform-tls-ca', { ca: { secretName: 'primary-platform-tls-ca' } }],
    ]);
    expect(objectsOfKind(manifests, 'Certificate').filter((c) => c.spec.isCA)).toEqual([]);
    const external = objectsOfKind(manifests, 'Service').filter((s) => s.spec.type === 'LoadBalancer' || s.spec.type === 'NodePort');
    expect(external.map((s) => s.metadata.name)).toEqual([eu.federationProxy!.service.name]);
    expect(external[0].spec).toMatchObject({ externalTrafficPolicy: 'Local', ports: [{ name: 'https', port: 443, targetPort: 8443 }] });
    const prometheusService = objectsOfKind(manifests, 'Service').find((s) => s.spec.ports?.[0]?.port === 9090 && s.spec.clusterIP !== 'None');
    expect(prometheusService.spec.type).toBe('ClusterIP');
    const fromOutside = objectsOfKind(manifests, 'NetworkPolicy').filter((p) => JSON.stringify(p.spec.ingress ?? []).includes('ipBlock'));
    expect(fromOutside.map((p) => p.spec.ingress)).toEqual([[{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 8443, protocol: 'TCP' }] }]]);
    expect(eu.prometheusEndpoint.url()).toBe('https://prometheus.eu.example.com:443');
  });

  test('the proxy serves TLS, requires a verified client certificate with the federation name, and forwards only /federate', () => {
    // GIVEN
    const { platform, eu } = tlsPlatform();
    // WHEN
    const manifests = validManifests(Testing.synth(platform.chartOf('eu')), [MODELS_SECRET]);
    // THEN
    const deployment = objectNamed(manifests, 'Deployment', 'federationproxy');
    const nginx = container(deployment, 'nginx');
    expect(nginx.image).toBe('docker.io/nginxinc/nginx-unprivileged:1.30.4-alpine-slim');
    expect(nginx.readinessProbe.httpGet).toMatchObject({ path: '/healthz', port: 8443, scheme: 'HTTPS' });
    const config: string = objectsOfKind(manifests, 'ConfigMap').find((c) => c.data?.['nginx.conf']).data['nginx.conf'];
    expect(config).toContain('ssl_verify_client optional;');
    expect(config).toContain('ssl_client_certificate /etc/nginx/tls/ca.crt;');
    expect(config).toContain('"~(^|,)CN=prometheus-federation(,|$)" 1;');
    expect(config).toMatch(/location = \/federate \{[^]*if \(\$ssl_client_verify != SUCCESS\) \{\s*return 401;[^]*return 403;[^]*proxy_pass https:\/\/[a-z0-9-]+\.mlops\.svc:9090\/federate;/);
    expect(config).toMatch(/location \/ \{\s*return 404;/);
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.spec.dnsNames.includes('prometheus.eu.example.com'));
    expect(podSpec(deployment).volumes).toContainEqual({ name: 'certs', secret: { secretName: certificate.spec.secretName, defaultMode: 0o440 } });
    expect(eu.federationProxy).toBeInstanceOf(FederationProxy);
    const prometheusPolicy = objectsOfKind(manifests, 'NetworkPolicy').find((p) => p.metadata.name.includes('allowfrom') && p.metadata.name.includes('federationproxy'));
    expect(prometheusPolicy.spec.ingress[0].ports).toEqual([{ port: 9090, protocol: 'TCP' }]);
  });

  test('a predictor in a serving cluster downloads from the primary MinIO over https with the CA bundle', () => {
    // GIVEN
    const { platform, eu } = tlsPlatform();
    // WHEN
    eu.addPredictor('Iris', { model: ModelSource.fromBucket(eu.modelsBucket, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
    const manifests = validManifests(Testing.synth(platform.chartOf('eu')), [MODELS_SECRET]);
    // THEN
    const secret = objectsOfKind(manifests, 'Secret').find((s) => s.metadata.annotations?.['serving.kserve.io/s3-endpoint']);
    expect(secret.metadata.annotations).toMatchObject({
      'serving.kserve.io/s3-endpoint': 'minio.example.com:9000',
      'serving.kserve.io/s3-usehttps': '1',
      'serving.kserve.io/s3-cabundle-configmap': BUNDLE,
    });
    expect(objectsOfKind(manifests, 'Bundle')[0].spec.target.namespaceSelector.matchExpressions[0].values).toEqual(['mlops']);
  });
});

describe('MultiClusterPlatform TLS bad input', () => {
  test('a plain-http shared storage endpoint is refused with TLS on', () => {
    const platform = new MultiClusterPlatform({ outdir: '/nonexistent' });
    const primary = platform.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000), egressCidr: '203.0.113.0/24' });
    expect(() => primary.addPlatform({ dags, tls: true })).toThrow(
      "PrimaryCluster 'primary': sharedStorageEndpoint 'http://minio.example.com:9000' is invalid with TLS on: MinIO serves https, and the serving clusters "
      + "reach it through the Service as it is; give e.g. ServiceEndpoint.fromHost('minio.example.com', 9000, 'https')");
  });

  test('a plain-http Prometheus endpoint is refused with TLS on', () => {
    const { platform } = tlsPlatform();
    expect(() => platform.addServingCluster(serving('us', { prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.us.example.com', 9090) }))).toThrow(
      "ServingCluster 'us/Serving': prometheusEndpoint 'http://prometheus.us.example.com:9090' is invalid with tls: it crosses clusters over plain HTTP; "
      + "give an https endpoint, e.g. ServiceEndpoint.fromHost('prometheus.us.example.com', 443, 'https')");
  });

  test('TLS without the primary\'s egress CIDR is refused', () => {
    const platform = new MultiClusterPlatform({ outdir: '/nonexistent' });
    expect(() => platform.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000, 'https') }))
      .toThrow("PrimaryCluster 'primary': egressCidr is missing: each serving cluster admits only the primary's egress addresses to its federation "
        + "endpoint (its Prometheus, or the FederationProxy with TLS); give them as an IPv4 CIDR, e.g. '198.51.100.0/24', or '0.0.0.0/0' explicitly "
        + 'to admit any address');
  });
});

describe('FederationProxy bad input', () => {
  function proxyProps(overrides: Record<string, unknown> = {}): any {
    const chart = Testing.chart();
    const tls = new PlatformTls(chart, 'Tls', { namespaces: ['mlops'] });
    const upstream = ServiceEndpoint.fromHost('prometheus.mlops.svc', 9090);
    return { chart, props: { upstream, tls: tls.serverTls, allowedFrom: '203.0.113.0/24', hosts: ['prometheus.eu.example.com'], ...overrides } };
  }

  test.each([
    ['a CIDR that is not one', { allowedFrom: '203.0.113.0' },
      "FederationProxy 'test/Proxy': allowedFrom '203.0.113.0' is invalid: give an IPv4 CIDR, e.g. '203.0.113.0/24' (or '0.0.0.0/0' for anywhere)"],
    ['an octet over 255', { allowedFrom: '203.0.313.0/24' },
      "FederationProxy 'test/Proxy': allowedFrom '203.0.313.0/24' is invalid: give an IPv4 CIDR, e.g. '203.0.113.0/24' (or '0.0.0.0/0' for anywhere)"],
    ['no host', { hosts: [] },
      "FederationProxy 'test/Proxy': hosts is invalid: it is empty, and other clusters verify the proxy by the name they dial; give e.g. ['prometheus.serving-eu.example.com']"],
    ['a host that is no DNS name', { hosts: ['https://prometheus.eu.example.com'] },
      "FederationProxy 'test/Proxy': hosts[0] 'https://prometheus.eu.example.com' is invalid: must be a DNS name (optionally '*.' and a domain), without a scheme, credentials, port, path or whitespace, e.g. 'prometheus.serving-eu.example.com'"],
    ['a wildcard first host', { hosts: ['*.eu.example.com'] },
      "FederationProxy 'test/Proxy': hosts[0] '*.eu.example.com' is invalid: the first host is the endpoint other clusters dial, and a wildcard names no host"],
    ['a ClusterIP Service', { serviceType: kplus.ServiceType.CLUSTER_IP },
      "FederationProxy 'test/Proxy': serviceType 'ClusterIP' is invalid: other clusters cannot reach a ClusterIP Service; use kplus.ServiceType.LOAD_BALANCER or kplus.ServiceType.NODE_PORT"],
    ['a common name with spaces', { clientCommonName: 'prometheus federation' },
      "FederationProxy 'test/Proxy': clientCommonName 'prometheus federation' is invalid: give up to 63 letters, digits, '.' or '-', e.g. 'prometheus-federation'"],
  ])('%s is refused', (_what, overrides, message) => {
    const { chart, props } = proxyProps(overrides);
    expect(() => new FederationProxy(chart, 'Proxy', props)).toThrow(message);
  });

  test('the run script reloads nginx hourly and stops it gracefully', () => {
    const { chart, props } = proxyProps();
    new FederationProxy(chart, 'Proxy', props);
    const deployment = objectsOfKind(Testing.synth(chart), 'Deployment')[0];
    const script: string = container(deployment, 'nginx').command[2];
    expect(script.split('\n')).toEqual([
      "nginx -e stderr -c /etc/nginx/federation/nginx.conf -g 'daemon off;' &",
      'pid=$!',
      'trap \'kill -QUIT "$pid"; wait "$pid"; exit 0\' TERM INT',
      'while kill -0 "$pid" 2>/dev/null; do sleep 3600 & wait $!; nginx -e stderr -c /etc/nginx/federation/nginx.conf -s reload; done',
      'wait "$pid"',
    ]);
  });
});
