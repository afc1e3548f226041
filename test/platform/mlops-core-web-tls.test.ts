import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { existingSecrets, NAMESPACE, platform } from './mlops-core-fixtures';
import { DagSource, MultiClusterPlatform, PlatformAccess, PlatformProfile, ServiceEndpoint } from '../../src';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart, validManifests } from '../util';

const CA_FILE = '/etc/mlops/ca/ca.crt';
const BUNDLE = 'test-platform-tls-ca-bundle';

/** ingress-nginx speaks https to `service` and verifies it against the CA in its certificate Secret, for its name. */
function httpsBackend(service: string): Record<string, string> {
  return {
    'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
    'nginx.ingress.kubernetes.io/proxy-ssl-secret': `${NAMESPACE}/${service}-tls`,
    'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
    'nginx.ingress.kubernetes.io/proxy-ssl-name': `${service}.${NAMESPACE}.svc`,
    'nginx.ingress.kubernetes.io/proxy-ssl-server-name': 'on',
  };
}

function tlsPlatform(props: Parameters<typeof platform>[0] = {}) {
  const chart = testChart(NAMESPACE);
  const core = platform({ tls: true, ...props }, chart);
  return { chart, core };
}

/** The Ingresses that route `path`. */
function routeTo(manifests: any[], path: string): any[] {
  return objectsOfKind(manifests, 'Ingress').filter((i) => i.spec.rules.some((r: any) => r.http.paths.some((p: any) => p.path === path)));
}

/** The Certificate whose Secret is `<service>-tls`. */
function certificateOf(manifests: any[], service: string): any {
  return objectsOfKind(manifests, 'Certificate').find((c) => c.spec.secretName === `${service}-tls`);
}

describe('MlopsCore with TLS: the web endpoints of Prometheus, Alertmanager and Grafana', () => {
  test('each serves https with a Certificate for its Service from the platform CA', () => {
    // GIVEN
    const { chart, core } = tlsPlatform();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    for (const service of [core.prometheus!.service.name, core.alertmanager!.service.name, core.grafana!.service.name]) {
      const certificate = certificateOf(manifests, service);
      expect(certificate.metadata.namespace).toBe(NAMESPACE);
      expect(certificate.spec.dnsNames).toContain(`${service}.${NAMESPACE}.svc`);
      expect(certificate.spec.issuerRef).toEqual({ name: core.tls!.issuer.name, kind: 'ClusterIssuer', group: 'cert-manager.io' });
    }
    const prometheusSecret = `${core.prometheus!.service.name}-tls`;
    expect(objectNamed(manifests, 'Prometheus', 'prometheus').spec.web.tlsConfig).toEqual({
      cert: { secret: { name: prometheusSecret, key: 'tls.crt' } }, keySecret: { name: prometheusSecret, key: 'tls.key' },
    });
    const alertmanagerSecret = `${core.alertmanager!.service.name}-tls`;
    expect(objectNamed(manifests, 'Alertmanager', 'alertmanager').spec.web.tlsConfig).toEqual({
      cert: { secret: { name: alertmanagerSecret, key: 'tls.crt' } }, keySecret: { name: alertmanagerSecret, key: 'tls.key' },
    });
    const grafana = envOf(container(objectNamed(manifests, 'Deployment', 'grafana'), 'grafana'));
    expect(grafana.GF_SERVER_PROTOCOL).toEqual({ value: 'https' });
    expect([core.prometheus!.endpoint.scheme, core.alertmanager!.endpoint.scheme, core.grafana!.endpoint.scheme]).toEqual(['https', 'https', 'https']);
  });

  test('Prometheus sends alerts over https and scrapes Alertmanager and Grafana over https, all against the bundle', () => {
    // GIVEN
    const { chart, core } = tlsPlatform();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const alertmanagerHost = `${core.alertmanager!.service.name}.${NAMESPACE}.svc`;
    expect(objectNamed(manifests, 'Prometheus', 'prometheus').spec.alerting.alertmanagers[0]).toMatchObject({
      scheme: 'https',
      tlsConfig: { ca: { configMap: { name: BUNDLE, key: 'ca.crt' } }, serverName: alertmanagerHost },
    });
    for (const [monitor, host] of [['alertmanager', alertmanagerHost], ['grafana', `${core.grafana!.service.name}.${NAMESPACE}.svc`]]) {
      expect(objectNamed(manifests, 'ServiceMonitor', `monitor-${NAMESPACE}-${monitor}`).spec.endpoints[0]).toMatchObject({
        scheme: 'https', tlsConfig: { ca: { configMap: { name: BUNDLE, key: 'ca.crt' } }, serverName: host },
      });
    }
  });

  test("Grafana's Prometheus data source is https, trusted through the mounted bundle", () => {
    // GIVEN
    const { chart, core } = tlsPlatform();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const datasources = parse(objectNamed(manifests, 'ConfigMap', 'grafana-provisioning').data['datasources.yaml']);
    expect(datasources.datasources[0].url).toBe(`https://${core.prometheus!.service.name}.${NAMESPACE}.svc:9090`);
    const deployment = objectNamed(manifests, 'Deployment', 'grafana');
    expect(envOf(container(deployment, 'grafana')).SSL_CERT_FILE).toEqual({ value: CA_FILE });
    expect(podSpec(deployment).volumes).toContainEqual(expect.objectContaining({ name: 'ca-bundle', configMap: expect.objectContaining({ name: BUNDLE }) }));
  });

  test('behind an Ingress, each https UI has an Ingress of its own that verifies it; plain Jaeger stays on the shared one', () => {
    // GIVEN
    const { chart, core } = tlsPlatform({ access: PlatformAccess.ingress({ host: 'mlops.example.com' }), tracing: true });
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    for (const [path, port, service] of [
      ['/prometheus', 9090, core.prometheus!.service.name], ['/alertmanager', 9093, core.alertmanager!.service.name], ['/grafana', 3000, core.grafana!.service.name],
    ] as const) {
      const [ingress, ...others] = routeTo(manifests, path);
      expect({ path, others: others.length }).toEqual({ path, others: 0 });
      expect(ingress.metadata.annotations).toEqual(httpsBackend(service));
      expect(ingress.spec.rules).toEqual([{
        host: 'mlops.example.com',
        http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: expect.any(String), port: { number: port } } } }] },
      }]);
    }
    const [jaeger] = routeTo(manifests, '/jaeger');
    expect(jaeger.metadata.annotations?.['nginx.ingress.kubernetes.io/backend-protocol']).toBeUndefined();
    expect(jaeger.metadata.name).toBe(core.ingress!.name);
  });

  test('without TLS every route stays on the platform\'s one Ingress, without the annotation', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    platform({ access: PlatformAccess.ingress({ host: 'mlops.example.com' }) }, chart);
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const main = objectsOfKind(manifests, 'Ingress').find((i) => i.spec.rules.some((r: any) => r.http.paths.some((p: any) => p.path === '/mlflow')));
    const paths = main.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.path));
    expect(paths).toEqual(expect.arrayContaining(['/mlflow', '/grafana', '/prometheus', '/alertmanager']));
    expect(main.metadata.annotations?.['nginx.ingress.kubernetes.io/backend-protocol']).toBeUndefined();
    expect(objectsOfKind(manifests, 'Certificate')).toEqual([]);
  });

  test('production turns it on by default and passes the harness', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    const { secrets, externals } = existingSecrets(chart);
    // WHEN
    const core = platform({ profile: PlatformProfile.PRODUCTION, secrets, access: PlatformAccess.ingress({ host: 'mlops.example.com' }) }, chart);
    const manifests = synthValid(chart, externals);
    // THEN
    expect(core.prometheus!.apiUrl).toBe(`https://${core.prometheus!.service.name}.${NAMESPACE}.svc:9090/prometheus`);
    expect(objectNamed(manifests, 'Alertmanager', 'alertmanager').spec.replicas).toBe(2);
    expect(objectNamed(manifests, 'Alertmanager', 'alertmanager').spec.web.tlsConfig.keySecret.key).toBe('tls.key');
    for (const [path, service] of [['/prometheus', core.prometheus!.service.name], ['/alertmanager', core.alertmanager!.service.name], ['/grafana', core.grafana!.service.name]]) {
      expect({ path, annotations: routeTo(manifests, path)[0].metadata.annotations }).toEqual({ path, annotations: httpsBackend(service) });
    }
  });

  test('a serving cluster with TLS runs its Prometheus over https, and the federation proxy verifies it', () => {
    // GIVEN
    const multi = new MultiClusterPlatform({ outdir: '/nonexistent' });
    const primary = multi.addPrimary({
      clusterName: 'primary', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000, 'https'), egressCidr: '203.0.113.0/24',
    });
    const core = primary.addPlatform({ dags: DagSource.fromGit({ repository: 'https://github.com/example/dags.git' }), tls: true });
    const eu = multi.addServingCluster({
      clusterName: 'eu', prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 443, 'https'), egressCidr: '192.0.2.0/24',
    });
    // WHEN
    const served = validManifests(Testing.synth(multi.chartOf('eu')), [{ kind: 'Secret', name: 'primary-models-credentials', namespace: 'mlops' }]);
    const primaryManifests = validManifests(Testing.synth(primary));
    // THEN
    expect(core.prometheus!.endpoint.scheme).toBe('https');
    expect(eu.prometheus.endpoint.scheme).toBe('https');
    expect(objectNamed(served, 'Prometheus', 'prometheus').spec.web.tlsConfig.cert.secret.name).toBe(`${eu.prometheus.service.name}-tls`);
    const conf: string = objectsOfKind(served, 'ConfigMap').find((c) => c.data?.['nginx.conf']).data['nginx.conf'];
    const host = `${eu.prometheus.service.name}.mlops.svc`;
    expect(conf).toContain(`proxy_pass https://${host}:9090/federate;`);
    expect(conf).toContain('proxy_ssl_verify on;');
    expect(conf).toContain(`proxy_ssl_trusted_certificate ${CA_FILE};`);
    expect(conf).toContain(`proxy_ssl_name ${host};`);
    expect(container(objectNamed(served, 'Deployment', 'federationproxy'), 'nginx').volumeMounts)
      .toContainEqual({ name: 'ca-bundle', mountPath: '/etc/mlops/ca', readOnly: true });
    // The primary still federates the serving cluster through its proxy.
    expect(objectNamed(primaryManifests, 'ScrapeConfig', 'federate-eu').spec.staticConfigs[0].targets).toEqual(['prometheus.eu.example.com:443']);
  });
});
