import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { PlatformAccess, PlatformProfile } from '../../src';
import { ExternalObject } from '../../src/testing';
import { container, envOf, objectsOfKind, podSpec, validManifests } from '../util';
import { existingSecrets, NAMESPACE, platform } from './mlops-core-fixtures';

const CA_FILE = '/etc/mlops/ca/ca.crt';
const BUNDLE = 'test-platform-tls-ca-bundle';
const HOST = 'mlops.example.com';
const PROFILE_SECRETS: ExternalObject[] = [
  { kind: 'Secret', name: 'team-a-s3-credentials', namespace: NAMESPACE, keys: ['username', 'password'] },
  { kind: 'Secret', name: 'team-a-s3-credentials', namespace: 'team-a', keys: ['username', 'password'] },
];

/** A dev platform with TLS and the Ingress, a notebook and a Kubeflow profile; the manifests of both charts, validated. */
function tlsPlatform(access = PlatformAccess.ingress({ host: HOST })) {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace: NAMESPACE });
  const core = platform({ tls: true, access }, chart);
  const notebook = core.addNotebook('Alice', { owner: 'alice' });
  const profileChart = new Chart(app, 'team-a', { namespace: 'team-a' });
  core.addKubeflowProfile(profileChart);
  const manifests = Testing.synth(chart);
  const profile = Testing.synth(profileChart);
  validManifests([...manifests, ...profile], PROFILE_SECRETS);
  return { core, notebook, manifests, profile };
}

describe('MlopsCore runs MLflow over TLS', () => {
  test('MLflow serves https with a certificate of the platform CA; trackingUri is https', () => {
    const { core, manifests } = tlsPlatform();
    expect(core.mlflow.trackingUri).toBe(`https://${core.mlflow.service.name}.mlops.svc:5000/mlflow`);
    const server = container(objectsOfKind(manifests, 'Deployment').find((d) => d.metadata.name.includes('mlflow')), 'mlflow');
    expect(server.args.slice(-2)).toEqual(['--uvicorn-opts', '--ssl-certfile /etc/mlflow/tls/tls.crt --ssl-keyfile /etc/mlflow/tls/tls.key']);
    expect(server.readinessProbe.httpGet.scheme).toBe('HTTPS');
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.spec.secretName === `${core.mlflow.service.name}-tls`);
    expect(certificate.spec.issuerRef).toEqual({ name: 'test-platform-tls-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(certificate.spec.dnsNames).toContain(`${core.mlflow.service.name}.mlops.svc`);
  });

  test('Airflow and the MLflow scrape follow: https URI with the bundle, ServiceMonitor over https', () => {
    const { core, manifests } = tlsPlatform();
    const scheduler = objectsOfKind(manifests, 'Deployment').find((d) => d.metadata.name.includes('scheduler'));
    const env = envOf(container(scheduler, 'scheduler'));
    expect(env.MLFLOW_TRACKING_URI).toEqual({ value: core.mlflow.trackingUri });
    expect(env.REQUESTS_CA_BUNDLE).toEqual({ value: CA_FILE });
    const monitor = objectsOfKind(manifests, 'ServiceMonitor').find((m) => m.metadata.name.includes('mlflow'));
    expect(monitor.spec.endpoints[0]).toMatchObject({
      scheme: 'https',
      tlsConfig: { ca: { configMap: { name: BUNDLE, key: 'ca.crt' } }, serverName: core.mlflow.endpoint.host },
    });
  });

  test('the Ingress route to MLflow is an Ingress of its own that speaks https to it and verifies it', () => {
    const { core, manifests } = tlsPlatform();
    const ingresses = objectsOfKind(manifests, 'Ingress');
    const routesTo = (path: string) => ingresses.filter((i) => i.spec.rules.some((r: any) => r.http.paths.some((p: any) => p.path === path)));
    const [mlflow] = routesTo('/mlflow');
    expect(routesTo('/mlflow')).toHaveLength(1);
    expect(mlflow.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.path))).toEqual(['/mlflow']);
    expect(mlflow.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'nginx.ingress.kubernetes.io/proxy-ssl-secret': `mlops/${core.mlflow.service.name}-tls`,
      'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-name': `${core.mlflow.service.name}.mlops.svc`,
      'nginx.ingress.kubernetes.io/proxy-ssl-server-name': 'on',
    });
    // Grafana and the rest stay on the platform's Ingress, without MLflow's backend annotations.
    const [grafana] = routesTo('/grafana');
    expect(grafana).not.toBe(mlflow);
    expect(grafana.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-ssl-name']).not.toBe(mlflow.metadata.annotations['nginx.ingress.kubernetes.io/proxy-ssl-name']);
  });

  test("with nothing else on the host, MLflow's Ingress is the platform's", () => {
    const core = platform({ tls: true, monitoring: false, access: PlatformAccess.ingress({ host: HOST }) });
    const manifests = validManifests(Testing.synth(Chart.of(core)));
    const ingresses = objectsOfKind(manifests, 'Ingress').filter((i) => !i.metadata.name.includes('airflow'));
    expect(ingresses.map((i) => [i.metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol'], i.spec.rules[0].http.paths[0].path]))
      .toEqual([['HTTPS', '/mlflow']]);
    expect(core.ingress).toBeDefined();
  });

  test('a notebook logs to https MLflow with the bundle: MLFLOW_TRACKING_SERVER_CERT_PATH, REQUESTS_CA_BUNDLE, the ConfigMap mounted', () => {
    const { core, manifests } = tlsPlatform();
    const notebook = objectsOfKind(manifests, 'Deployment').find((d) => d.metadata.name.includes('alice'));
    const env = envOf(container(notebook, 'jupyterlab'));
    expect(env.MLFLOW_TRACKING_URI).toEqual({ value: core.mlflow.trackingUri });
    expect(env.MLFLOW_TRACKING_SERVER_CERT_PATH).toEqual({ value: CA_FILE });
    expect(env.REQUESTS_CA_BUNDLE).toEqual({ value: CA_FILE });
    expect(podSpec(notebook).volumes).toContainEqual({ name: 'ca-bundle', configMap: { name: BUNDLE, items: [{ key: 'ca.crt', path: 'ca.crt' }, { key: 'truststore.p12', path: 'truststore.p12' }] } });
  });

  test("a Kubeflow profile's PodDefaults carry the bundle, which trust-manager publishes into the profile namespace", () => {
    const { core, manifests, profile } = tlsPlatform();
    const podDefaults = Object.fromEntries(objectsOfKind(profile, 'PodDefault').map((p) => [p.metadata.name, p.spec]));
    const mlflow = podDefaults['access-mlflow'];
    expect(mlflow.env).toEqual([
      { name: 'MLFLOW_TRACKING_URI', value: core.mlflow.trackingUri },
      { name: 'MLFLOW_TRACKING_SERVER_CERT_PATH', value: CA_FILE },
      ...['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'AWS_CA_BUNDLE', 'PGSSLROOTCERT'].map((name) => ({ name, value: CA_FILE })),
    ]);
    expect(mlflow.volumeMounts).toEqual([{ name: 'ca-bundle', mountPath: '/etc/mlops/ca', readOnly: true }]);
    expect(mlflow.volumes[0].configMap.name).toBe(BUNDLE);
    // The S3 endpoint is https too: the same bundle.
    expect(podDefaults['access-s3'].env.find((e: any) => e.name === 'AWS_ENDPOINT_URL').value).toMatch(/^https:/);
    expect(podDefaults['access-s3'].volumes).toEqual(mlflow.volumes);
    const [bundle] = objectsOfKind(manifests, 'Bundle');
    expect(bundle.spec.target.namespaceSelector.matchExpressions[0].values).toEqual(['mlops', 'team-a']);
  });

  test("a team's namespace gets the bundle too", () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test', { namespace: NAMESPACE });
    const core = platform({ tls: true }, chart);
    core.addTeam(new Chart(app, 'vision', { namespace: 'vision' }), { members: ['alice'], quota: { cpu: kplus.Cpu.units(8), memory: Size.gibibytes(32) } });
    expect(objectsOfKind(Testing.synth(chart), 'Bundle')[0].spec.target.namespaceSelector.matchExpressions[0].values).toEqual(['mlops', 'vision']);
  });

  test('production runs MLflow over TLS by default and validates', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: NAMESPACE });
    const { secrets, externals } = existingSecrets(chart);
    const core = platform({ profile: PlatformProfile.PRODUCTION, secrets, access: PlatformAccess.ingress({ host: HOST }) }, chart);
    validManifests(Testing.synth(chart), externals);
    expect(core.mlflow.trackingUri).toMatch(/^https:/);
  });

  test('without TLS, MLflow stays on the platform\'s Ingress over plain HTTP', () => {
    const core = platform({ access: PlatformAccess.ingress({ host: HOST }) });
    const ingresses = objectsOfKind(validManifests(Testing.synth(Chart.of(core))), 'Ingress').filter((i) => !i.metadata.name.includes('airflow'));
    expect(ingresses).toHaveLength(1);
    expect(ingresses[0].spec.rules[0].http.paths.map((p: any) => p.path)).toContain('/mlflow');
    expect(ingresses[0].metadata.annotations).toBeUndefined();
    expect(core.mlflow.trackingUri).toMatch(/^http:/);
  });

  test("through Kubeflow's gateway: a DestinationRule originates TLS, verified with the CA a Certificate puts into the gateway's namespace", () => {
    const core = platform({ tls: true, kubeflowGateway: { host: 'kubeflow.example.com' } });
    const manifests = validManifests(Testing.synth(Chart.of(core)));
    const service = core.mlflow.service.name;
    const [rule] = objectsOfKind(manifests, 'DestinationRule');
    expect(rule.apiVersion).toBe('networking.istio.io/v1');
    expect(rule.metadata.namespace).toBe(NAMESPACE);
    expect(rule.spec).toEqual({
      host: `${service}.${NAMESPACE}.svc.cluster.local`,
      trafficPolicy: {
        tls: { mode: 'SIMPLE', credentialName: `${service}-gateway-ca`, sni: `${service}.${NAMESPACE}.svc`, subjectAltNames: [`${service}.${NAMESPACE}.svc`] },
      },
    });
    const served = objectsOfKind(manifests, 'Certificate').find((c) => c.spec.secretName === `${service}-tls`);
    expect(served.spec.dnsNames).toEqual(expect.arrayContaining([rule.spec.host, `${service}.${NAMESPACE}.svc`]));
    const [virtualService] = objectsOfKind(manifests, 'VirtualService');
    expect(virtualService.spec.http[0].route[0].destination.host).toBe(rule.spec.host);
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.spec.secretName === `${service}-gateway-ca`);
    expect(certificate.metadata.namespace).toBe('istio-system');
    expect(certificate.spec.issuerRef).toEqual({ name: core.tls!.serverTls.issuer.name, kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(core.mlflow.trackingUri).toMatch(/^https:/);
  });

  test("without TLS, Kubeflow's gateway reaches MLflow over plain HTTP: no DestinationRule", () => {
    const core = platform({ kubeflowGateway: { host: 'kubeflow.example.com' } });
    expect(objectsOfKind(validManifests(Testing.synth(Chart.of(core))), 'DestinationRule')).toEqual([]);
  });
});

