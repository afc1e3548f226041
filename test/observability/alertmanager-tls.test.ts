import { PlatformTls } from '../../src';
import { Alertmanager, FederatedPrometheus } from '../../src/observability';
import { objectNamed, objectsOfKind, synthValid, testChart } from '../util';

function wired(replicas = 1) {
  const chart = testChart('monitoring');
  const tls = new PlatformTls(chart, 'Tls', { name: 'platform' });
  const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central' });
  const alertmanager = new Alertmanager(chart, 'Alertmanager', {
    configLabels: prometheus.monitorLabels, routePrefix: '/alertmanager', replicas, tls: tls.serverTls,
  });
  prometheus.addAlertmanager(alertmanager.alertmanagerEndpoint);
  alertmanager.allowFrom(prometheus.pods);
  prometheus.addTargets(alertmanager);
  return { chart, tls, prometheus, alertmanager };
}

describe('Alertmanager with tls', () => {
  test('a Certificate for its Service, served through the operator\'s web.tlsConfig', () => {
    // GIVEN
    const { chart, alertmanager } = wired();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const service = alertmanager.service.name;
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.spec.secretName === `${service}-tls`);
    expect(certificate.spec.dnsNames).toEqual([service, `${service}.monitoring`, `${service}.monitoring.svc`, `${service}.monitoring.svc.cluster.local`]);
    expect(certificate.spec.issuerRef).toEqual({ name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(objectNamed(manifests, 'Alertmanager', 'alertmanager').spec.web).toEqual({
      tlsConfig: {
        cert: { secret: { name: `${service}-tls`, key: 'tls.crt' } },
        keySecret: { name: `${service}-tls`, key: 'tls.key' },
      },
    });
    expect(alertmanager.endpoint.url()).toBe(`https://${service}.monitoring.svc:9093`);
  });

  test('Prometheus sends alerts over https, verifying the bundle and the Service\'s name', () => {
    // GIVEN
    const { chart, alertmanager } = wired();
    // WHEN
    const spec = objectNamed(synthValid(chart), 'Prometheus', 'prometheus').spec;
    // THEN
    expect(spec.alerting.alertmanagers).toEqual([{
      name: alertmanager.service.name,
      namespace: 'monitoring',
      port: 'web',
      pathPrefix: '/alertmanager',
      apiVersion: 'v2',
      scheme: 'https',
      tlsConfig: {
        ca: { configMap: { name: 'platform-ca-bundle', key: 'ca.crt' } },
        serverName: `${alertmanager.service.name}.monitoring.svc`,
      },
    }]);
  });

  test('Prometheus scrapes its metrics over https against the bundle, checking the Service\'s name', () => {
    // GIVEN
    const { chart, alertmanager } = wired();
    // WHEN
    const monitor = objectNamed(synthValid(chart), 'ServiceMonitor', 'alertmanager');
    // THEN
    expect(monitor.spec.endpoints[0]).toMatchObject({
      port: 'web',
      path: '/alertmanager/metrics',
      scheme: 'https',
      tlsConfig: {
        ca: { configMap: { name: 'platform-ca-bundle', key: 'ca.crt' } },
        serverName: `${alertmanager.service.name}.monitoring.svc`,
      },
    });
  });

  test('the replicas\' gossip stays plain, open only between them', () => {
    // GIVEN
    const { chart } = wired(2);
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    expect(objectNamed(manifests, 'Alertmanager', 'alertmanager').spec.clusterTLS).toBeUndefined();
    const gossip = objectNamed(manifests, 'NetworkPolicy', 'allowgossip');
    expect(gossip.spec.ingress[0].ports).toEqual([{ port: 9094, protocol: 'TCP' }, { port: 9094, protocol: 'UDP' }]);
  });
});

describe('Alertmanager tls bad input', () => {
  test('tls of a wrong kind is refused with the props-check message', () => {
    // GIVEN
    const chart = testChart('monitoring');
    // THEN
    expect(() => new Alertmanager(chart, 'Alertmanager', { configLabels: { team: 'mlops' }, tls: 'x' as any }))
      .toThrow("Alertmanager 'test/Alertmanager': props.tls is invalid: expected a ServerTls, got a string (\"x\"); give e.g. platformTls.serverTls");
  });

  test('an endpoint scheme other than http or https is refused', () => {
    // GIVEN
    const prometheus = new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'central' });
    // THEN
    expect(() => prometheus.addAlertmanager({ serviceName: 'alertmanager', scheme: 'ftp' }))
      .toThrow("addAlertmanager: endpoint scheme 'ftp' is invalid: give 'http' or 'https'");
  });

  test('a trust bundle for a plain-HTTP endpoint is refused', () => {
    // GIVEN
    const chart = testChart('monitoring');
    const tls = new PlatformTls(chart, 'Tls', { name: 'platform' });
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central' });
    // THEN
    expect(() => prometheus.addAlertmanager({ serviceName: 'alertmanager', trustBundle: tls.trustBundle }))
      .toThrow("addAlertmanager: endpoint trustBundle and serverName are invalid without scheme 'https': they verify a TLS server; "
        + "give scheme: 'https', or remove them");
  });
});
