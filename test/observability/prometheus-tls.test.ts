import { PlatformTls, ServiceEndpoint } from '../../src';
import { FederatedPrometheus, Grafana, PrometheusRole } from '../../src/observability';
import { FederationProxy } from '../../src/security';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

const CA_FILE = '/etc/mlops/ca/ca.crt';

function tlsPrometheus(props: { routePrefix?: string } = {}) {
  const chart = testChart('monitoring');
  const tls = new PlatformTls(chart, 'Tls', { name: 'platform' });
  const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central', tls: tls.serverTls, ...props });
  return { chart, tls, prometheus };
}

describe('FederatedPrometheus with tls', () => {
  test('a Certificate for its Service from the issuer, served through the operator\'s web.tlsConfig without client certificates', () => {
    // GIVEN
    const { chart, prometheus } = tlsPrometheus();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const service = prometheus.service.name;
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.spec.secretName === `${service}-tls`);
    expect(certificate.metadata.namespace).toBe('monitoring');
    expect(certificate.spec.dnsNames).toEqual([service, `${service}.monitoring`, `${service}.monitoring.svc`, `${service}.monitoring.svc.cluster.local`]);
    expect(certificate.spec.issuerRef).toEqual({ name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(objectNamed(manifests, 'Prometheus', 'prometheus').spec.web).toEqual({
      tlsConfig: {
        cert: { secret: { name: `${service}-tls`, key: 'tls.crt' } },
        keySecret: { name: `${service}-tls`, key: 'tls.key' },
      },
    });
  });

  test('its endpoint and API URL are https with the trust bundle', () => {
    // GIVEN
    const { prometheus } = tlsPrometheus({ routePrefix: '/prometheus' });
    // THEN
    const host = `${prometheus.service.name}.monitoring.svc`;
    expect(prometheus.endpoint.url()).toBe(`https://${host}:9090`);
    expect(prometheus.endpoint.trustBundle?.configMapName).toBe('platform-ca-bundle');
    expect(prometheus.apiUrl).toBe(`https://${host}:9090/prometheus`);
  });

  test('without tls it serves plain HTTP and has no web section', () => {
    // GIVEN
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central' });
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    expect(objectNamed(manifests, 'Prometheus', 'prometheus').spec.web).toBeUndefined();
    expect(objectsOfKind(manifests, 'Certificate')).toEqual([]);
    expect(prometheus.endpoint.url()).toMatch(/^http:\/\//);
  });

  test('Grafana queries it over https and trusts the CA through SSL_CERT_FILE, Go\'s system roots', () => {
    // GIVEN
    const { chart, prometheus } = tlsPrometheus();
    const grafana = new Grafana(chart, 'Grafana', { prometheus });
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    expect(grafana.prometheusUrl).toBe(prometheus.apiUrl);
    const provisioning = objectNamed(manifests, 'ConfigMap', 'grafana-provisioning');
    expect(provisioning.data['datasources.yaml']).toContain(`url: https://${prometheus.service.name}.monitoring.svc:9090`);
    const deployment = objectNamed(manifests, 'Deployment', 'grafana');
    expect(envOf(container(deployment, 'grafana')).SSL_CERT_FILE).toEqual({ value: CA_FILE });
    expect(podSpec(deployment).volumes).toContainEqual({ name: 'ca-bundle', configMap: { name: 'platform-ca-bundle', items: expect.arrayContaining([{ key: 'ca.crt', path: 'ca.crt' }]) } });
  });

  test('a primary federates an in-cluster secondary with tls over https against the bundle', () => {
    // GIVEN
    const { chart, prometheus: secondary } = tlsPrometheus();
    const primary = new FederatedPrometheus(chart, 'Primary', { clusterName: 'primary', role: PrometheusRole.PRIMARY });
    // WHEN
    primary.addFederatedCluster({ clusterName: 'central', endpoint: secondary.endpoint });
    // THEN
    const scrape = objectsOfKind(synthValid(chart), 'ScrapeConfig')[0];
    expect(scrape.spec.scheme).toBe('https');
    expect(scrape.spec.tlsConfig).toEqual({ ca: { configMap: { name: 'platform-ca-bundle', key: 'ca.crt' } } });
    expect(scrape.spec.staticConfigs).toEqual([{ targets: [`${secondary.service.name}.monitoring.svc:9090`] }]);
  });

  test('remote write to a receiver with tls verifies it against the bundle', () => {
    // GIVEN
    const { chart, prometheus: receiver } = tlsPrometheus();
    const sender = new FederatedPrometheus(chart, 'Sender', { clusterName: 'edge' });
    // WHEN
    sender.addRemoteWrite({ url: receiver.endpoint.url('/api/v1/write'), trustBundle: receiver.endpoint.trustBundle });
    // THEN
    const spec = objectNamed(synthValid(chart), 'Prometheus', 'sender').spec;
    expect(spec.remoteWrite[0].url).toBe(`https://${receiver.service.name}.monitoring.svc:9090/api/v1/write`);
    expect(spec.remoteWrite[0].tlsConfig).toEqual({ ca: { configMap: { name: 'platform-ca-bundle', key: 'ca.crt' } } });
  });

  test('the FederationProxy verifies an https Prometheus upstream: its bundle, its Service name', () => {
    // GIVEN
    const { chart, tls, prometheus } = tlsPrometheus();
    // WHEN
    new FederationProxy(chart, 'Proxy', { upstream: prometheus.endpoint, tls: tls.serverTls, allowedFrom: '203.0.113.0/24', hosts: ['prometheus.eu.example.com'] });
    // THEN
    const manifests = synthValid(chart);
    const conf: string = objectNamed(manifests, 'ConfigMap', 'proxy-config').data['nginx.conf'];
    const host = `${prometheus.service.name}.monitoring.svc`;
    expect(conf).toContain([
      `      proxy_pass https://${host}:9090/federate;`,
      '      proxy_ssl_verify on;',
      `      proxy_ssl_trusted_certificate ${CA_FILE};`,
      `      proxy_ssl_name ${host};`,
      '      proxy_ssl_server_name on;',
      '      proxy_ssl_protocols TLSv1.2 TLSv1.3;',
      '      proxy_read_timeout 60s;',
    ].join('\n'));
    const nginx = container(objectNamed(manifests, 'Deployment', 'proxy'), 'nginx');
    expect(nginx.volumeMounts).toContainEqual({ name: 'ca-bundle', mountPath: '/etc/mlops/ca', readOnly: true });
  });

  test('the FederationProxy trusts the CA of its own certificate for an https upstream without a bundle', () => {
    // GIVEN
    const { chart, tls } = tlsPrometheus();
    // WHEN
    new FederationProxy(chart, 'Proxy', {
      upstream: ServiceEndpoint.fromHost('prometheus.monitoring.svc', 9090, 'https'),
      tls: tls.serverTls,
      allowedFrom: '203.0.113.0/24',
      hosts: ['prometheus.eu.example.com'],
    });
    // THEN
    const conf: string = objectNamed(synthValid(chart), 'ConfigMap', 'proxy-config').data['nginx.conf'];
    expect(conf).toContain('      proxy_ssl_trusted_certificate /etc/nginx/tls/ca.crt;');
    expect(conf).toContain('      proxy_ssl_name prometheus.monitoring.svc;');
  });

  test('the FederationProxy forwards to a plain-HTTP upstream without proxy_ssl settings', () => {
    // GIVEN
    const chart = testChart('monitoring');
    const tls = new PlatformTls(chart, 'Tls', { name: 'platform' });
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central' });
    // WHEN
    new FederationProxy(chart, 'Proxy', { upstream: prometheus.endpoint, tls: tls.serverTls, allowedFrom: '203.0.113.0/24', hosts: ['prometheus.eu.example.com'] });
    // THEN
    const conf: string = objectNamed(synthValid(chart), 'ConfigMap', 'proxy-config').data['nginx.conf'];
    expect(conf).toContain(`proxy_pass http://${prometheus.service.name}.monitoring.svc:9090/federate;`);
    expect(conf).not.toContain('proxy_ssl');
  });
});

describe('FederatedPrometheus tls bad input', () => {
  test('tls of a wrong kind is refused with the props-check message', () => {
    // GIVEN
    const chart = testChart('monitoring');
    // THEN
    expect(() => new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central', tls: true as any }))
      .toThrow("FederatedPrometheus 'test/Prometheus': props.tls is invalid: expected a ServerTls, got a boolean (true); give e.g. platformTls.serverTls");
  });

  test('remote write with a trust bundle to a plain-HTTP url is refused', () => {
    // GIVEN
    const { chart, tls } = tlsPrometheus();
    const sender = new FederatedPrometheus(chart, 'Sender', { clusterName: 'edge' });
    // THEN
    expect(() => sender.addRemoteWrite({ url: 'http://receiver.monitoring.svc:9090/api/v1/write', trustBundle: tls.trustBundle }))
      .toThrow("addRemoteWrite: trustBundle is invalid with the plain-HTTP url 'http://receiver.monitoring.svc:9090/api/v1/write': "
        + 'it verifies a TLS server; give an https:// url, or remove trustBundle');
  });
});
