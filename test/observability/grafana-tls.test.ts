import { PlatformTls, ServiceEndpoint } from '../../src';
import { FederatedPrometheus, Grafana } from '../../src/observability';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

function tlsGrafana() {
  const chart = testChart('monitoring');
  const tls = new PlatformTls(chart, 'Tls', { name: 'platform' });
  const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central' });
  const grafana = new Grafana(chart, 'Grafana', { prometheus, rootUrl: 'https://mlops.example.com/grafana', tls: tls.serverTls });
  prometheus.addTargets(grafana);
  return { chart, grafana, prometheus };
}

describe('Grafana with tls', () => {
  test('serves https with the certificate of its Service, checked for renewal every 10 minutes', () => {
    // GIVEN
    const { chart, grafana } = tlsGrafana();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const service = grafana.service.name;
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.spec.secretName === `${service}-tls`);
    expect(certificate.spec.dnsNames).toEqual([service, `${service}.monitoring`, `${service}.monitoring.svc`, `${service}.monitoring.svc.cluster.local`]);
    expect(certificate.spec.issuerRef).toEqual({ name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    const deployment = objectNamed(manifests, 'Deployment', 'grafana');
    const server = container(deployment, 'grafana');
    expect(envOf(server)).toMatchObject({
      GF_SERVER_PROTOCOL: { value: 'https' },
      GF_SERVER_CERT_FILE: { value: '/etc/grafana/tls/tls.crt' },
      GF_SERVER_CERT_KEY: { value: '/etc/grafana/tls/tls.key' },
      GF_SERVER_CERTS_WATCH_INTERVAL: { value: '10m' },
    });
    expect(server.volumeMounts).toContainEqual({ name: 'certs', mountPath: '/etc/grafana/tls', readOnly: true });
    expect(podSpec(deployment).volumes).toContainEqual({ name: 'certs', secret: { secretName: `${service}-tls`, defaultMode: 0o440 } });
    expect(podSpec(deployment).securityContext.fsGroup).toBe(472);
    expect(grafana.endpoint.url()).toBe(`https://${service}.monitoring.svc:3000`);
    expect(grafana.endpoint.trustBundle?.configMapName).toBe('platform-ca-bundle');
  });

  test('its probes and ports speak https', () => {
    // GIVEN
    const { chart, grafana } = tlsGrafana();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const server = container(objectNamed(manifests, 'Deployment', 'grafana'), 'grafana');
    for (const probe of [server.readinessProbe, server.livenessProbe, server.startupProbe]) {
      expect(probe.httpGet).toEqual({ path: '/grafana/api/health', port: 3000, scheme: 'HTTPS' });
    }
    expect(server.ports).toEqual([{ name: 'https', containerPort: 3000 }]);
    expect(objectNamed(manifests, 'Service', 'grafana').spec.ports).toEqual([{ name: 'https', port: 3000, targetPort: 3000 }]);
    expect(grafana.scrapeTargets[0].endpoints).toEqual([{
      port: 'https', path: '/grafana/metrics', scheme: 'https', trustBundle: grafana.endpoint.trustBundle, serverName: grafana.endpoint.host,
    }]);
  });

  test('Prometheus scrapes it over https against the bundle, checking the Service\'s name', () => {
    // GIVEN
    const { chart, grafana } = tlsGrafana();
    // WHEN
    const monitor = objectNamed(synthValid(chart), 'ServiceMonitor', 'grafana');
    // THEN
    expect(monitor.spec.endpoints[0]).toMatchObject({
      port: 'https',
      scheme: 'https',
      tlsConfig: { ca: { configMap: { name: 'platform-ca-bundle', key: 'ca.crt' } }, serverName: `${grafana.service.name}.monitoring.svc` },
    });
  });

  test('a plain Prometheus endpoint mounts no bundle', () => {
    // GIVEN
    const chart = testChart('monitoring');
    // WHEN
    new Grafana(chart, 'Grafana', { prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.monitoring.svc', 9090) });
    // THEN
    const server = container(objectNamed(synthValid(chart), 'Deployment', 'grafana'), 'grafana');
    expect(envOf(server).SSL_CERT_FILE).toBeUndefined();
    expect(envOf(server).GF_SERVER_PROTOCOL).toBeUndefined();
    expect(server.readinessProbe.httpGet.scheme).toBe('HTTP');
  });

  test('tls of a wrong kind is refused with the props-check message', () => {
    // GIVEN
    const chart = testChart('monitoring');
    // THEN
    expect(() => new Grafana(chart, 'Grafana', { prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.monitoring.svc', 9090), tls: {} as any }))
      .toThrow("Grafana 'test/Grafana': props.tls is invalid: expected a ServerTls, got a plain object; give e.g. platformTls.serverTls");
  });
});
