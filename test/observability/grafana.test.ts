import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parse } from 'yaml';
import { Credentials } from '../../src/core/credentials';
import { ServiceEndpoint } from '../../src/core/endpoint';
import { DefaultImages } from '../../src/core/images';
import { SecretSource } from '../../src/core/secret-source';
import { Postgres } from '../../src/data';
import { FederatedPrometheus, Grafana } from '../../src/observability';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

const NAMESPACE = 'monitoring';

function grafanaWithPrometheus(chart: Chart = testChart(NAMESPACE), props: Partial<ConstructorParameters<typeof Grafana>[2]> = {}) {
  const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'central' });
  const grafana = new Grafana(chart, 'Grafana', { prometheus, ...props });
  return { chart, prometheus, grafana };
}

function grafanaContainer(manifests: any[]): any {
  return container(objectNamed(manifests, 'Deployment', 'grafana'), 'grafana');
}

/** The file a container sees at `path`: the ConfigMap key behind the volume mounted at the file's directory. */
function fileAt(manifests: any[], workload: any, path: string): string {
  const directory = path.slice(0, path.lastIndexOf('/'));
  const file = path.slice(path.lastIndexOf('/') + 1);
  const mount = grafanaContainerOf(workload).volumeMounts.find((m: any) => m.mountPath === directory);
  expect(mount).toBeDefined();
  const volume = podSpec(workload).volumes.find((v: any) => v.name === mount.name);
  const key = volume.configMap.items?.find((item: any) => item.path === file)?.key ?? file;
  return objectsOfKind(manifests, 'ConfigMap').find((c) => c.metadata.name === volume.configMap.name).data[key];
}

function grafanaContainerOf(workload: any): any {
  return podSpec(workload).containers.find((c: any) => c.name === 'grafana');
}

describe('Grafana', () => {
  test('defaults: a restricted Deployment of the pinned image behind a Service on 3000, probes on /api/health, resources', () => {
    const { chart, grafana } = grafanaWithPrometheus();
    const manifests = synthValid(chart);
    const deployment = objectNamed(manifests, 'Deployment', 'grafana');
    const server = grafanaContainer(manifests);
    expect(server.image).toBe(DefaultImages.GRAFANA);
    expect(DefaultImages.GRAFANA).toMatch(/^docker\.io\/grafana\/grafana:12\.\d+\.\d+$/);
    expect(server.ports).toEqual([{ name: 'http', containerPort: 3000 }]);
    expect(podSpec(deployment).securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 472, runAsGroup: 472, fsGroup: 472 });
    expect(server.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsUser: 472, allowPrivilegeEscalation: false });
    expect(server.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1024Mi' } });
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      expect(server[probe].httpGet).toEqual({ path: '/api/health', port: 3000, scheme: 'HTTP' });
    }
    const service = objectNamed(manifests, 'Service', 'grafana');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 3000 }]);
    expect(Object.entries(service.spec.selector).every(([k, v]) => deployment.spec.template.metadata.labels[k] === v)).toBe(true);
    expect(grafana.endpoint.url()).toBe(`http://${service.metadata.name}.monitoring.svc:3000`);
  });

  test('defaults: env of a read-only Grafana that logs to the console and downloads nothing; writable emptyDirs', () => {
    const { chart } = grafanaWithPrometheus();
    const manifests = synthValid(chart);
    const server = grafanaContainer(manifests);
    const env = envOf(server);
    expect(env.GF_LOG_MODE).toEqual({ value: 'console' });
    expect(env.GF_PLUGINS_PREINSTALL_DISABLED).toEqual({ value: 'true' });
    expect(Object.keys(env).filter((name) => /^GF_(SERVER|DATABASE)_/.test(name))).toEqual([]);
    const volumes = podSpec(objectNamed(manifests, 'Deployment', 'grafana')).volumes;
    const emptyDirs = server.volumeMounts.filter((m: any) => volumes.find((v: any) => v.name === m.name).emptyDir).map((m: any) => m.mountPath);
    expect(emptyDirs.sort()).toEqual(['/tmp', '/var/lib/grafana']);
  });

  test('the admin user and password come from a generated Secret by default', () => {
    const { chart, grafana } = grafanaWithPrometheus();
    const manifests = synthValid(chart);
    const env = envOf(grafanaContainer(manifests));
    const secret = objectNamed(manifests, 'Secret', 'grafana-admincredentials');
    expect(secret.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBe('password,username');
    expect(env.GF_SECURITY_ADMIN_USER).toEqual({ valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'username' } } });
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'password' } } });
    expect(grafana.adminCredentials.secret.name).toBe(secret.metadata.name);
  });

  test('an existing admin Secret: referenced with its keys, nothing generated', () => {
    const chart = testChart(NAMESPACE);
    const existing = kplus.Secret.fromSecretName(chart, 'Admin', 'grafana-admin');
    grafanaWithPrometheus(chart, { adminCredentials: SecretSource.fromSecret(existing, { keys: { username: 'admin-user', password: 'admin-password' } }) });
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'grafana-admin', namespace: NAMESPACE, keys: ['admin-user', 'admin-password'] }]);
    const env = envOf(grafanaContainer(manifests));
    expect(env.GF_SECURITY_ADMIN_USER).toEqual({ valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'admin-user' } } });
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'admin-password' } } });
    expect(objectsOfKind(manifests, 'Secret')).toEqual([]);
    expect(objectsOfKind(manifests, 'Job')).toEqual([]);
  });

  test('provisioning: the Prometheus data source at the Service of the FederatedPrometheus, and the dashboards provider', () => {
    const { chart, prometheus } = grafanaWithPrometheus();
    const manifests = synthValid(chart);
    const deployment = objectNamed(manifests, 'Deployment', 'grafana');
    const datasources = parse(fileAt(manifests, deployment, '/etc/grafana/provisioning/datasources/mlops.yaml'));
    expect(datasources).toEqual({
      apiVersion: 1,
      datasources: [{
        name: 'Prometheus',
        uid: 'prometheus',
        type: 'prometheus',
        access: 'proxy',
        isDefault: true,
        editable: false,
        url: `http://${objectNamed(manifests, 'Service', 'prometheus').metadata.name}.monitoring.svc:9090`,
        jsonData: { httpMethod: 'POST' },
      }],
    });
    expect(prometheus.endpoint.url()).toBe(datasources.datasources[0].url);
    const providers = parse(fileAt(manifests, deployment, '/etc/grafana/provisioning/dashboards/mlops.yaml'));
    expect(providers).toEqual({
      apiVersion: 1,
      providers: [{
        name: 'mlops',
        orgId: 1,
        folder: 'MLOps',
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: '/etc/grafana/dashboards', foldersFromFilesStructure: false },
      }],
    });
  });

  test('the dashboards of the Prometheus are mounted as files under the provider path, read-only', () => {
    const { chart } = grafanaWithPrometheus();
    const manifests = synthValid(chart);
    const deployment = objectNamed(manifests, 'Deployment', 'grafana');
    const dashboardMaps = objectsOfKind(manifests, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');
    expect(dashboardMaps).toHaveLength(2);
    for (const configMap of dashboardMaps) {
      const [file] = Object.keys(configMap.data);
      const seen = fileAt(manifests, deployment, `/etc/grafana/dashboards/${configMap.metadata.name}/${file}`);
      expect(JSON.parse(seen).uid).toBe(file.replace(/\.json$/, ''));
    }
    const dashboardMounts = grafanaContainer(manifests).volumeMounts.filter((m: any) => m.mountPath.startsWith('/etc/grafana/dashboards/'));
    expect(dashboardMounts.map((m: any) => m.readOnly)).toEqual([true, true]);
    expect(JSON.parse(Object.values(dashboardMaps[0].data)[0] as string).uid).toMatch(/^mlops-/);
  });

  test('more dashboards: existing ConfigMaps are mounted next to them; each only once', () => {
    const chart = testChart(NAMESPACE);
    const mine = new kplus.ConfigMap(chart, 'Mine', { data: { 'mine.json': '{"uid":"mine"}' } });
    const { grafana } = grafanaWithPrometheus(chart, { dashboards: [mine] });
    grafana.addDashboards(kplus.ConfigMap.fromConfigMapName(chart, 'Theirs', 'kps-dashboards'));
    const manifests = synthValid(chart, [{ kind: 'ConfigMap', name: 'kps-dashboards', namespace: NAMESPACE }]);
    const paths = grafanaContainer(manifests).volumeMounts.map((m: any) => m.mountPath).filter((p: string) => p.startsWith('/etc/grafana/dashboards/'));
    expect(paths).toHaveLength(4);
    expect(paths).toEqual(expect.arrayContaining([`/etc/grafana/dashboards/${mine.name}`, '/etc/grafana/dashboards/kps-dashboards']));
    expect(() => grafana.addDashboards(mine)).toThrow(
      `Grafana 'test/Grafana': addDashboards: ConfigMap '${mine.name}' is invalid: it is mounted already; add each ConfigMap once`);
  });

  test('a database: GF_DATABASE_TYPE, HOST, NAME from the database, USER and PASSWORD from its Secret, and the flow to Postgres', () => {
    const chart = testChart(NAMESPACE);
    const postgres = new Postgres(chart, 'Postgres');
    const database = postgres.addDatabase('grafana');
    grafanaWithPrometheus(chart, { database });
    const manifests = synthValid(chart);
    const env = envOf(grafanaContainer(manifests));
    expect(env.GF_DATABASE_TYPE).toEqual({ value: 'postgres' });
    expect(env.GF_DATABASE_HOST).toEqual({ value: `${postgres.service.name}.monitoring.svc:5432` });
    expect(env.GF_DATABASE_NAME).toEqual({ value: 'grafana' });
    const credentials = database.credentials;
    expect(env.GF_DATABASE_USER).toEqual(envEntry(credentials, Credentials.USERNAME));
    expect(env.GF_DATABASE_PASSWORD).toEqual(envEntry(credentials, Credentials.PASSWORD));
    expect(env.GF_DATABASE_PASSWORD.valueFrom.secretKeyRef.name).toBe(credentials.secret.name);
    const grafanaPods = objectNamed(manifests, 'Deployment', 'grafana').spec.template.metadata.labels;
    const toPostgres = objectsOfKind(manifests, 'NetworkPolicy').filter((p) => p.spec.ingress?.some((rule: any) =>
      rule.ports.some((port: any) => port.port === 5432) && rule.from.some((peer: any) =>
        Object.entries(peer.podSelector?.matchLabels ?? { none: 'none' }).every(([k, v]) => grafanaPods[k] === v))));
    expect(toPostgres).toHaveLength(1);
  });

  test('under a sub-path: GF_SERVER_ROOT_URL, GF_SERVER_SERVE_FROM_SUB_PATH, and probes and metrics under the path', () => {
    const { chart, grafana } = grafanaWithPrometheus(testChart(NAMESPACE), { rootUrl: 'https://mlops.example.com/grafana' });
    const manifests = synthValid(chart);
    const server = grafanaContainer(manifests);
    const env = envOf(server);
    expect(env.GF_SERVER_ROOT_URL).toEqual({ value: 'https://mlops.example.com/grafana' });
    expect(env.GF_SERVER_SERVE_FROM_SUB_PATH).toEqual({ value: 'true' });
    expect(grafana.subPath).toBe('/grafana');
    expect(server.readinessProbe.httpGet.path).toBe('/grafana/api/health');
    expect(server.livenessProbe.httpGet.path).toBe('/grafana/api/health');
    expect(grafana.scrapeTargets[0].endpoints).toEqual([{ port: 'http', path: '/grafana/metrics' }]);
  });

  test('a root URL without a path sets the URL but serves at /', () => {
    const { chart } = grafanaWithPrometheus(testChart(NAMESPACE), { rootUrl: 'https://grafana.example.com' });
    const env = envOf(grafanaContainer(synthValid(chart)));
    expect(env.GF_SERVER_ROOT_URL).toEqual({ value: 'https://grafana.example.com' });
    expect(env.GF_SERVER_SERVE_FROM_SUB_PATH).toBeUndefined();
  });

  test('NetworkPolicies: Grafana -> Prometheus on 9090; Prometheus scrapes /metrics of Grafana through its Service', () => {
    const { chart, prometheus, grafana } = grafanaWithPrometheus();
    prometheus.addTargets(grafana);
    const manifests = synthValid(chart);
    const grafanaPods = objectNamed(manifests, 'Deployment', 'grafana').spec.template.metadata.labels;
    const prometheusPods = { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': prometheus.prometheusName };
    const allows = (provider: Record<string, string>, consumer: Record<string, string>, port: number) => objectsOfKind(manifests, 'NetworkPolicy')
      .filter((p) => Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) => provider[k] === v)
        && Object.keys(p.spec.podSelector.matchLabels ?? {}).length > 0
        && p.spec.ingress.some((rule: any) => rule.ports.some((x: any) => x.port === port)
          && rule.from.some((peer: any) => Object.entries(peer.podSelector?.matchLabels ?? { none: 'none' }).every(([k, v]) => consumer[k] === v))));
    expect(allows(prometheusPods, grafanaPods, 9090)).toHaveLength(1);
    expect(allows(grafanaPods, prometheusPods, 3000)).toHaveLength(1);
    const monitor = objectsOfKind(manifests, 'ServiceMonitor').find((m) => m.metadata.name.includes('grafana'));
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
    expect(Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => objectNamed(manifests, 'Service', 'grafana').metadata.labels[k] === v)).toBe(true);
  });

  test('an external Prometheus: the data source URL is its endpoint, no dashboards, no policy', () => {
    const chart = testChart(NAMESPACE);
    new Grafana(chart, 'Grafana', { prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.example.internal', 443, 'https') });
    const manifests = synthValid(chart);
    const deployment = objectNamed(manifests, 'Deployment', 'grafana');
    expect(fileAt(manifests, deployment, '/etc/grafana/provisioning/datasources/mlops.yaml')).toContain('url: https://prometheus.example.internal:443');
    expect(grafanaContainer(manifests).volumeMounts.filter((m: any) => m.mountPath.startsWith('/etc/grafana/dashboards/'))).toEqual([]);
    expect(objectsOfKind(manifests, 'NetworkPolicy')).toEqual([]);
  });

  test('a new data source URL rolls the pod (config checksum); the same input gives the same YAML', () => {
    const checksum = (port: number) => {
      const chart = testChart(NAMESPACE);
      new Grafana(chart, 'Grafana', { prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.example.internal', port) });
      return objectNamed(Testing.synth(chart), 'Deployment', 'grafana').spec.template.metadata.annotations['mlops.cdk8s.io/config-checksum'];
    };
    expect(checksum(9090)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(9090)).toBe(checksum(9090));
    expect(checksum(9091)).not.toBe(checksum(9090));
  });
});

describe('Grafana bad input', () => {
  test('no Prometheus, or both', () => {
    const chart = testChart(NAMESPACE);
    const message = "Grafana 'test/Grafana': prometheus and prometheusEndpoint are invalid together: give exactly one of them, "
      + 'the FederatedPrometheus of this app or the endpoint of another Prometheus';
    expect(() => new Grafana(chart, 'Grafana', {})).toThrow(message);
    const other = testChart(NAMESPACE);
    const prometheus = new FederatedPrometheus(other, 'Prometheus', { clusterName: 'central' });
    expect(() => new Grafana(other, 'Grafana', { prometheus, prometheusEndpoint: prometheus.endpoint })).toThrow(message);
  });

  test.each([
    ['mlops.example.com/grafana'],
    ['https://mlops.example.com/grafana/'],
    ['https://mlops.example.com/grafana?x=1'],
  ])('a root URL %s', (rootUrl) => {
    expect(() => grafanaWithPrometheus(testChart(NAMESPACE), { rootUrl })).toThrow(
      `Grafana 'test/Grafana': rootUrl '${rootUrl}' is invalid: give the http:// or https:// URL users open, `
      + "without query and without a trailing '/', e.g. 'https://mlops.example.com/grafana'");
  });

  test('an empty dashboards folder', () => {
    expect(() => grafanaWithPrometheus(testChart(NAMESPACE), { dashboardsFolder: ' ' })).toThrow(
      "Grafana 'test/Grafana': dashboardsFolder ' ' is invalid: give the folder's title, e.g. 'MLOps'");
  });

  test('dashboards in another namespace than Grafana', () => {
    const app = Testing.app();
    const prometheus = new FederatedPrometheus(new Chart(app, 'prom', { namespace: 'prometheus' }), 'Prometheus', { clusterName: 'central' });
    const [first] = prometheus.node.children.filter((c): c is kplus.ConfigMap => c instanceof kplus.ConfigMap);
    expect(() => new Grafana(new Chart(app, 'test', { namespace: 'grafana' }), 'Grafana', { prometheus })).toThrow(
      `Grafana 'test/Grafana': addDashboards: ConfigMap '${first.name}' is invalid: `
      + "it is in namespace 'prometheus' and Grafana in 'grafana', and a pod mounts ConfigMaps of its own namespace only; "
      + "create the dashboards in Grafana's namespace (FederatedPrometheus: dashboards.namespace)");
  });
});

function envEntry(credentials: Credentials, name: string): any {
  const literal = credentials.envValue(name);
  if (literal.value !== undefined) {
    return { value: literal.value };
  }
  return { valueFrom: { secretKeyRef: { name: credentials.secret.name, key: credentials.secretKey(name) } } };
}
