import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { EXPORTER_PORT, FakeExporter } from './harness';
import { DefaultImages } from '../../src/core/images';
import { MlopsAlerts } from '../../src/core/monitoring';
import { ScrapeDiscovery } from '../../src/core/scrape-target';
import { Mysql, Postgres, Redis } from '../../src/data';
import { FederatedPrometheus, FederatedPrometheusProps, PrometheusRole } from '../../src/observability';
import { MinioWithBuckets } from '../../src/storage/minio-with-buckets';
import { objectNamed, objectsOfKind, podSpec, synthValid, testChart, validManifests } from '../util';

const MONITOR_KINDS = ['ServiceMonitor', 'PodMonitor', 'ScrapeConfig', 'PrometheusRule', 'AlertmanagerConfig'];

function selects(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** Every ServiceMonitor selects exactly one Service of its namespace, and names its ports; every PodMonitor a pod template and its ports. */
function expectMonitorsMatchTheirTargets(manifests: any[]): void {
  for (const monitor of objectsOfKind(manifests, 'ServiceMonitor')) {
    const [namespace] = monitor.spec.namespaceSelector.matchNames;
    const services = objectsOfKind(manifests, 'Service')
      .filter((s) => s.metadata.namespace === namespace && selects(s.metadata.labels, monitor.spec.selector.matchLabels));
    expect(services.map((s) => s.metadata.name)).toHaveLength(1);
    const portNames = services[0].spec.ports.map((p: any) => p.name);
    for (const endpoint of monitor.spec.endpoints) {
      expect(portNames).toContain(endpoint.port);
    }
  }
  for (const monitor of objectsOfKind(manifests, 'PodMonitor')) {
    const [namespace] = monitor.spec.namespaceSelector.matchNames;
    const pods = manifests.filter((m) => m.spec?.template && m.metadata.namespace === namespace
      && selects(m.spec.template.metadata?.labels, monitor.spec.selector.matchLabels));
    expect(pods).toHaveLength(1);
    const portNames = podSpec(pods[0]).containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.name));
    for (const endpoint of monitor.spec.podMetricsEndpoints) {
      expect(portNames).toContain(endpoint.port);
    }
  }
}

describe('FederatedPrometheus', () => {
  test('a secondary: the Prometheus resource with the cluster external label, its ServiceAccount, RBAC and Service', () => {
    // GIVEN
    const chart = testChart('monitoring');
    // WHEN
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'serving-eu-1' });
    // THEN
    const manifests = synthValid(chart);
    const resource = objectNamed(manifests, 'Prometheus', 'prometheus');
    const account = objectNamed(manifests, 'ServiceAccount', 'prometheus');
    expect(prometheus.role).toBe(PrometheusRole.SECONDARY);
    expect(prometheus.prometheusName).toBe(resource.metadata.name);
    expect(resource.spec).toMatchObject({
      image: DefaultImages.PROMETHEUS,
      version: 'v3.13.2',
      replicas: 1,
      serviceAccountName: account.metadata.name,
      automountServiceAccountToken: true,
      externalLabels: { cluster: 'serving-eu-1' },
      replicaExternalLabelName: '',
      scrapeInterval: '30s',
      evaluationInterval: '30s',
      retention: '15d',
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      resources: { requests: { cpu: '200m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      storage: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } } } },
    });
    expect(resource.spec.remoteWrite).toBeUndefined();
    expect(resource.spec.alerting).toBeUndefined();

    const role = objectNamed(manifests, 'ClusterRole', 'prometheus');
    expect(role.metadata.namespace).toBeUndefined();
    expect(role.rules.map((r: any) => [r.apiGroups ?? r.nonResourceURLs, r.resources ?? [], r.verbs])).toEqual([
      [[''], ['services'], ['get', 'list', 'watch']],
      [[''], ['endpoints'], ['get', 'list', 'watch']],
      [[''], ['pods'], ['get', 'list', 'watch']],
      [['discovery.k8s.io'], ['endpointslices'], ['get', 'list', 'watch']],
      [[''], ['configmaps'], ['get']],
      [['/metrics'], [], ['get']],
    ]);
    const binding = objectNamed(manifests, 'ClusterRoleBinding', 'prometheus');
    expect(binding.metadata.namespace).toBeUndefined();
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: account.metadata.name, namespace: 'monitoring' }]);

    // The labels prometheus-operator puts on the pods of a Prometheus resource (see the CRD's podMetadata).
    const service = objectNamed(manifests, 'Service', 'prometheus');
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': resource.metadata.name });
    expect(service.spec.ports).toEqual([{ name: 'web', port: 9090, targetPort: 9090 }]);
    expect(prometheus.endpoint.url('/federate')).toBe(`http://${service.metadata.name}.monitoring.svc:9090/federate`);
  });

  test('the default synthesizes as before', () => {
    const chart = testChart('monitoring');
    new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'serving-eu-1' });
    expect(synthValid(chart)).toMatchSnapshot();
  });

  test('every object carries the monitor labels and the Prometheus resource selects exactly them', () => {
    // GIVEN: kube-prometheus-stack's label, and one object of each kind
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', {
      clusterName: 'central',
      role: PrometheusRole.PRIMARY,
      monitorLabels: { release: 'kps' },
      alertmanager: { serviceName: 'kps-kube-prometheus-stack-alertmanager', port: 'http-web' },
    });
    // WHEN
    prometheus.addTargets(new FakeExporter(chart, 'Statsd', ScrapeDiscovery.SERVICE), new FakeExporter(chart, 'Predictor', ScrapeDiscovery.POD));
    prometheus.addFederatedCluster({ clusterName: 'serving-eu-1', endpoint: prometheus.endpoint });
    prometheus.addAlertRoute('retrain', { alerts: [MlopsAlerts.MODEL_DRIFTED], webhookUrl: 'http://retrain.mlops.svc:8080/drift' });
    // THEN
    const manifests = synthValid(chart);
    const spec = objectNamed(manifests, 'Prometheus', 'prometheus').spec;
    for (const selector of ['serviceMonitorSelector', 'podMonitorSelector', 'scrapeConfigSelector', 'ruleSelector']) {
      expect(spec[selector]).toEqual({ matchLabels: { release: 'kps' } });
    }
    for (const selector of ['serviceMonitorNamespaceSelector', 'podMonitorNamespaceSelector', 'scrapeConfigNamespaceSelector', 'ruleNamespaceSelector']) {
      expect(spec[selector]).toEqual({});
    }
    const monitors = manifests.filter((m) => MONITOR_KINDS.includes(m.kind));
    expect(monitors.map((m) => m.kind).sort()).toEqual(['AlertmanagerConfig', 'PodMonitor', 'PrometheusRule', 'ScrapeConfig', 'ServiceMonitor']);
    for (const monitor of monitors) {
      expect(selects(monitor.metadata.labels, spec.serviceMonitorSelector.matchLabels)).toBe(true);
    }
    expect(spec.alerting).toEqual({
      alertmanagers: [{ apiVersion: 'v2', name: 'kps-kube-prometheus-stack-alertmanager', namespace: 'monitoring', port: 'http-web' }],
    });
  });

  test('the default monitor label is unique to the construct', () => {
    const app = Testing.app();
    const one = new FederatedPrometheus(new Chart(app, 'one', { namespace: 'monitoring' }), 'Prometheus', { clusterName: 'a' });
    const two = new FederatedPrometheus(new Chart(app, 'two', { namespace: 'monitoring' }), 'Prometheus', { clusterName: 'a' });
    expect(Object.keys(one.monitorLabels)).toEqual(['mlops.cdk8s.io/prometheus']);
    expect(one.monitorLabels).not.toEqual(two.monitorLabels);
  });

  test('props: replicas, retention, storage, resources, interval, image and version', () => {
    const chart = testChart('monitoring');
    new FederatedPrometheus(chart, 'Prometheus', {
      clusterName: 'a',
      replicas: 2,
      retention: Duration.hours(36),
      storageSize: Size.gibibytes(100),
      storageClassName: 'fast',
      resources: {
        cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.units(2) },
        memory: { request: Size.gibibytes(4), limit: Size.mebibytes(6000) },
      },
      scrapeInterval: Duration.seconds(15),
      image: 'registry.example.com/prometheus:3.13.2-hardened',
      version: 'v3.13.2',
    });
    const spec = objectNamed(synthValid(chart), 'Prometheus', 'prometheus').spec;
    expect(spec).toMatchObject({
      replicas: 2,
      retention: '36h',
      image: 'registry.example.com/prometheus:3.13.2-hardened',
      version: 'v3.13.2',
      scrapeInterval: '15s',
      evaluationInterval: '15s',
      resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '6000Mi' } },
      storage: { volumeClaimTemplate: { spec: { storageClassName: 'fast', resources: { requests: { storage: '100Gi' } } } } },
    });
  });
});

describe('FederatedPrometheus.addTargets', () => {
  test('a ServiceMonitor per SERVICE target and a PodMonitor per POD target, selecting them, with the job named after the target', () => {
    // GIVEN
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
    const statsd = new FakeExporter(chart, 'Statsd', ScrapeDiscovery.SERVICE);
    const predictor = new FakeExporter(chart, 'Predictor', ScrapeDiscovery.POD);
    const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models'] });
    // WHEN
    prometheus.addTargets(statsd, predictor, minio);
    // THEN
    const manifests = synthValid(chart);
    expectMonitorsMatchTheirTargets(manifests);
    const serviceMonitor = objectNamed(manifests, 'ServiceMonitor', 'statsd');
    expect(serviceMonitor.spec.endpoints).toEqual([{
      port: 'metrics',
      path: '/metrics',
      scheme: 'http',
      interval: '30s',
      relabelings: [
        { action: 'replace', targetLabel: 'job', replacement: 'statsd' },
        { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_label_serving_kserve_io_inferenceservice'], targetLabel: 'inferenceservice' },
      ],
    }]);
    const podMonitor = objectNamed(manifests, 'PodMonitor', 'predictor');
    expect(podMonitor.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'predictor' } });
    expect(podMonitor.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'metrics', path: '/metrics' });
    expect(podMonitor.spec.namespaceSelector).toEqual({ matchNames: ['monitoring'] });

    const minioMonitor = objectNamed(manifests, 'ServiceMonitor', 'test-minio');
    expect(minioMonitor.spec.endpoints[0]).toMatchObject({ port: 'api', path: '/minio/v2/metrics/cluster' });
    expect(minioMonitor.spec.endpoints[0].relabelings[0]).toEqual({ action: 'replace', targetLabel: 'job', replacement: 'test-minio' });
  });

  test('each target lets the Prometheus pods in through its NetworkPolicy', () => {
    // GIVEN
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
    const statsd = new FakeExporter(chart, 'Statsd', ScrapeDiscovery.SERVICE);
    // WHEN
    prometheus.addTargets(statsd);
    // THEN
    expect(statsd.scrapers).toEqual([prometheus.pods]);
    const manifests = synthValid(chart);
    const policy = objectNamed(manifests, 'NetworkPolicy', 'statsd-allowfrom');
    expect(policy.spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': prometheus.prometheusName } },
      }],
      ports: [{ port: EXPORTER_PORT, protocol: 'TCP' }],
    }]);
  });

  test('a target in another namespace: the monitor selects that namespace and MinIO admits Prometheus from its own', () => {
    // GIVEN
    const app = Testing.app();
    const monitoring = new Chart(app, 'monitoring', { namespace: 'monitoring' });
    const storage = new Chart(app, 'storage', { namespace: 'storage' });
    const prometheus = new FederatedPrometheus(monitoring, 'Prometheus', { clusterName: 'a' });
    const minio = new MinioWithBuckets(storage, 'Minio', { buckets: ['models'] });
    // WHEN
    prometheus.addTargets(minio);
    // THEN
    const manifests = validManifests([...Testing.synth(monitoring), ...Testing.synth(storage)]);
    expectMonitorsMatchTheirTargets(manifests);
    const monitor = objectNamed(manifests, 'ServiceMonitor', 'storage-minio');
    expect(monitor.metadata.namespace).toBe('monitoring');
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['storage'] });
    const policy = objectNamed(manifests, 'NetworkPolicy', 'allowfrom-monitoring-prometheus');
    expect(policy.metadata.namespace).toBe('storage');
    expect(policy.spec.ingress[0]).toEqual({
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': prometheus.prometheusName } },
      }],
      ports: [{ port: 9000, protocol: 'TCP' }],
    });
  });

  test('the database exporters: a PodMonitor each on the `metrics` port, admitted by the servers\' NetworkPolicies', () => {
    // GIVEN
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
    const servers = [
      new Postgres(chart, 'Postgres', { metrics: true, databases: ['mlflow'] }),
      new Mysql(chart, 'Mysql', { metrics: true }),
      new Redis(chart, 'Redis', { metrics: true }),
    ];
    // WHEN
    prometheus.addTargets(...servers);
    // THEN
    const manifests = synthValid(chart);
    expectMonitorsMatchTheirTargets(manifests);
    expect(objectsOfKind(manifests, 'PodMonitor').map((m) => m.spec.podMetricsEndpoints[0].relabelings[0].replacement))
      .toEqual(['test-postgres', 'test-mysql', 'test-redis']);
    for (const [name, port] of [['postgres', 9187], ['mysql', 9104], ['redis', 9121]] as const) {
      const policy = objectNamed(manifests, 'NetworkPolicy', `${name}-allowfrom-test-prometheus`);
      expect(policy.spec.ingress[0].ports).toEqual([{ port, protocol: 'TCP' }]);
    }
  });

  test('a target that only knows its port number', () => {
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
    prometheus.addTargets(
      new FakeExporter(chart, 'Unnamed', ScrapeDiscovery.POD, { endpoints: [{ portNumber: EXPORTER_PORT, path: '/metrics', scheme: 'https' }] }),
    );
    const endpoint = objectNamed(synthValid(chart), 'PodMonitor', 'unnamed').spec.podMetricsEndpoints[0];
    expect(endpoint).toMatchObject({ portNumber: EXPORTER_PORT, scheme: 'https' });
    expect(endpoint.port).toBeUndefined();
  });
});

describe('FederatedPrometheus bad input', () => {
  test('fails on a cluster name that is not a DNS label', () => {
    expect(() => new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'EU_1' })).toThrow(
      "FederatedPrometheus 'test/Prometheus': clusterName 'EU_1' is invalid: must contain only lowercase letters, digits and '-'");
  });

  test('fails on empty monitor labels, which would select every monitor', () => {
    expect(() => new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'a', monitorLabels: {} })).toThrow(
      "FederatedPrometheus 'test/Prometheus': monitorLabels is invalid: it is empty, and an empty selector matches every object; "
      + "give at least one label, e.g. { release: 'kube-prometheus-stack' }");
  });

  test('fails on a monitor label value Kubernetes rejects', () => {
    expect(() => new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'a', monitorLabels: { release: 'kube prometheus' } }))
      .toThrow("FederatedPrometheus 'test/Prometheus': monitorLabels value 'kube prometheus' of 'release' is invalid: give at most 63 letters, "
        + "digits, '-', '_' or '.' that start and end with a letter or digit");
  });

  test('fails on an image whose tag is not a version when no version is given', () => {
    expect(() => new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'a', image: 'mirror.example.com/prometheus:latest' }))
      .toThrow("FederatedPrometheus 'test/Prometheus': image 'mirror.example.com/prometheus:latest' is invalid without version: its tag is "
        + "not a Prometheus version, which the operator needs to generate the configuration; give version, e.g. 'v3.13.2'");
  });

  test('fails on resources without a memory limit', () => {
    expect(() => new FederatedPrometheus(testChart('monitoring'), 'Prometheus', {
      clusterName: 'a', resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.gibibytes(1) } },
    })).toThrow("FederatedPrometheus 'test/Prometheus': resources is invalid: give a cpu request, a memory request and a memory limit, "
      + 'e.g. { cpu: { request: Cpu.millis(200) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) } }');
  });

  test('fails on a target spec without a port', () => {
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
    const target = new FakeExporter(chart, 'Broken', ScrapeDiscovery.SERVICE, { endpoints: [{ path: 'metrics' }] });
    expect(() => prometheus.addTargets(target)).toThrow(
      "FederatedPrometheus 'test/Prometheus': scrape target 'broken' of 'test/Broken' is invalid: endpoint 0 has neither port nor "
      + "portNumber; endpoint 0 path 'metrics' does not start with '/'; fix the scrapeTargets of that construct");
  });

  test('fails on a target that exposes no metrics', () => {
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
    expect(() => prometheus.addTargets(new Postgres(chart, 'Postgres'))).toThrow(
      "FederatedPrometheus 'test/Prometheus': target 'test/Postgres' is invalid: it exposes no metrics (its scrapeTargets is empty); "
      + 'turn its exporter on first, e.g. metrics: true on Postgres, Mysql and Redis');
  });

  test('fails on two targets of one name in one namespace', () => {
    const chart = testChart('monitoring');
    const prometheus = new FederatedPrometheus(chart, 'Prometheus', { clusterName: 'a' });
    prometheus.addTargets(new FakeExporter(chart, 'Statsd', ScrapeDiscovery.SERVICE));
    const twin = new FakeExporter(chart, 'Other', ScrapeDiscovery.SERVICE, { name: 'statsd' });
    expect(() => prometheus.addTargets(twin)).toThrow(
      "FederatedPrometheus 'test/Prometheus': scrape target 'statsd' of 'test/Other' is invalid: 'test/Statsd' already has a target of "
      + "that name in namespace 'monitoring', and the name is the job label; add each target once, and give targets in one namespace different names");
  });
});

test('a retention under an hour or a scrape interval under a second is refused, as Prometheus would not run with it', () => {
  const make = (props: Partial<FederatedPrometheusProps>) => () => new FederatedPrometheus(testChart('monitoring'), 'Prometheus', { clusterName: 'a', ...props });
  expect(make({ retention: Duration.minutes(30) })).toThrow(
    "FederatedPrometheus 'test/Prometheus': retention '30 minutes' is invalid: must be whole seconds, at least 60 minutes; e.g. Duration.days(15)");
  expect(make({ scrapeInterval: Duration.millis(100) })).toThrow(
    "FederatedPrometheus 'test/Prometheus': scrapeInterval '100 millis' is invalid: must be whole seconds, at least 1 second; e.g. Duration.seconds(30)");
  expect(make({ externalUrl: 'https://mlops.example.com/prometheus ' })).toThrow("externalUrl 'https://mlops.example.com/prometheus ' is invalid: must not contain whitespace");
});
