import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parse } from 'yaml';
import { LogOutput, LokiLogStore, NodeLogShipper, SecretSource } from '../../src';
import { container, envOf, objectNamed, objectsOfKind, podSpec, validManifests } from '../util';

function logs(output?: (chart: Chart, store: LokiLogStore) => LogOutput) {
  const app = new App();
  const platform = new Chart(app, 'platform', { namespace: 'mlops' });
  const shipperChart = new Chart(app, 'logs', { namespace: 'mlops-logs' });
  const store = new LokiLogStore(platform, 'Logs', { retention: Duration.days(7) });
  const shipper = new NodeLogShipper(shipperChart, 'Shipper', { output: output ? output(shipperChart, store) : LogOutput.loki(store) });
  const manifests = validManifests([...Testing.synth(platform), ...Testing.synth(shipperChart)], [
    { kind: 'Secret', name: 'es-writer', namespace: 'mlops-logs', keys: ['username', 'password'] },
  ]);
  return { manifests, store, shipper };
}

describe('NodeLogShipper', () => {
  test('its own namespace enforces privileged, and the harness accepts the hostPath only because of it', () => {
    const { manifests } = logs();
    const namespace = objectNamed(manifests, 'Namespace', 'mlops-logs');
    expect(namespace.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/enforce-version': 'v1.28',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    const withoutNamespace = manifests.filter((m) => m !== namespace);
    expect(() => validManifests(withoutNamespace)).toThrow('is a hostPath volume, which baseline and restricted forbid');
  });

  test('narrow otherwise: root without capabilities, read-only root and log files, no escalation, RuntimeDefault', () => {
    const { manifests } = logs();
    const daemonSet = objectNamed(manifests, 'DaemonSet', 'shipper');
    const spec = podSpec(daemonSet);
    const shipper = container(daemonSet, 'log-shipper');
    expect(shipper.securityContext).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const hostPaths = spec.volumes.filter((v: any) => v.hostPath);
    expect(hostPaths).toEqual([{ name: 'pod-logs', hostPath: { path: '/var/log/pods', type: 'Directory' } }]);
    expect(shipper.volumeMounts.find((m: any) => m.name === 'pod-logs')).toEqual({ name: 'pod-logs', mountPath: '/var/log/pods', readOnly: true });
    expect(spec.hostNetwork).toBe(false);
    expect(envOf(shipper).K8S_NODE_NAME).toEqual({ valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  });

  test('RBAC: get, list and watch pods and namespaces, nothing else', () => {
    const { manifests } = logs();
    const role = objectNamed(manifests, 'ClusterRole', 'shipper');
    expect(role.rules.map((r: any) => [r.resources, [...r.verbs].sort()])).toEqual([
      [['pods'], ['get', 'list', 'watch']], [['namespaces'], ['get', 'list', 'watch']],
    ]);
    expect(role.metadata.namespace).toBeUndefined();
  });

  test('the pipeline: filelog on /var/log/pods (not its own), container parser, k8sattributes, batch, Loki over OTLP', () => {
    const { manifests, store } = logs();
    const config = parse(objectNamed(manifests, 'ConfigMap', 'shipper-config').data['config.yaml']);
    expect(config.receivers.filelog).toMatchObject({
      include: ['/var/log/pods/*/*/*.log'],
      exclude: ['/var/log/pods/mlops-logs_*/*/*.log'],
      storage: 'file_storage',
      operators: [{ type: 'container', id: 'container-parser' }],
    });
    expect(config.service.pipelines.logs).toEqual({
      receivers: ['filelog'], processors: ['memory_limiter', 'k8sattributes', 'batch'], exporters: ['otlp_http/loki'],
    });
    expect(config.exporters['otlp_http/loki']).toEqual({ endpoint: store.endpoint.url('/otlp') });
    expect(config.processors.k8sattributes.filter).toEqual({ node_from_env_var: 'K8S_NODE_NAME' });
    const policy = objectsOfKind(manifests, 'NetworkPolicy').find((p) => p.metadata.name.includes('logs-allowfrom-logs-shipper'));
    expect(policy.spec.ingress[0]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mlops-logs' } }, podSelector: expect.any(Object) }],
      ports: [{ port: 3100, protocol: 'TCP' }],
    });
  });

  test('Elasticsearch as the output, with a writer from an existing Secret', () => {
    const { manifests } = logs((chart) => LogOutput.elasticsearch({
      endpoint: 'https://elasticsearch.logging.svc:9200',
      credentials: SecretSource.fromSecret(kplus.Secret.fromSecretName(chart, 'EsWriter', 'es-writer')),
    }));
    const config = parse(objectNamed(manifests, 'ConfigMap', 'shipper-config').data['config.yaml']);
    expect(config.exporters).toEqual({
      elasticsearch: {
        endpoints: ['https://elasticsearch.logging.svc:9200'], logs_index: 'mlops-logs', user: '${env:ES_USERNAME}', password: '${env:ES_PASSWORD}',
      },
    });
    expect(envOf(container(objectNamed(manifests, 'DaemonSet', 'shipper'), 'log-shipper')).ES_PASSWORD)
      .toEqual({ valueFrom: { secretKeyRef: { name: 'es-writer', key: 'password' } } });
  });

  test('bad input', () => {
    expect(() => LogOutput.elasticsearch({ endpoint: 'elasticsearch:9200' })).toThrow(
      "LogOutput.elasticsearch: endpoint 'elasticsearch:9200' is invalid: must be an absolute URL (http:// or https://host[:port][/path]), e.g. 'https://elasticsearch.logging.svc:9200'");
    expect(() => LogOutput.elasticsearch({ endpoint: 'http://es:9200', credentials: SecretSource.generated() })).toThrow(
      'credentials is invalid: a generated password is unknown to Elasticsearch');
    const store = new LokiLogStore(new Chart(new App(), 'p', { namespace: 'mlops' }), 'Logs');
    expect(() => new NodeLogShipper(new Chart(new App(), 'nons'), 'Shipper', { output: LogOutput.loki(store) })).toThrow(
      "NodeLogShipper 'nons/Shipper': the chart has no namespace");
  });
});

describe('LokiLogStore', () => {
  test('retention that deletes: the compactor with retention_enabled and a delete request store, and the period', () => {
    const { manifests } = logs();
    const config = parse(objectNamed(manifests, 'ConfigMap', 'logs-config').data['config.yaml']);
    expect(config.compactor).toEqual({
      working_directory: '/loki/compactor', compaction_interval: '10m', retention_enabled: true, retention_delete_delay: '2h', delete_request_store: 'filesystem',
    });
    expect(config.limits_config).toEqual({ retention_period: '168h', allow_structured_metadata: true });
    expect(config.schema_config.configs[0]).toMatchObject({ store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { period: '24h' } });
    const loki = container(objectNamed(manifests, 'Deployment', 'logs'), 'loki');
    expect(loki.args).toEqual(['-config.file=/etc/loki/config.yaml']);
    expect(loki.readinessProbe.httpGet.path).toBe('/ready');
    expect(loki.volumeMounts.map((m: any) => m.mountPath).sort()).toEqual(['/etc/loki', '/loki', '/tmp']);
  });

  test('a retention shorter than a day is refused', () => {
    const chart = new Chart(new App(), 'p', { namespace: 'mlops' });
    expect(() => new LokiLogStore(chart, 'Logs', { retention: Duration.hours(12) })).toThrow(
      "LokiLogStore 'p/Logs': retention '12 hours' is invalid: must be whole seconds, at least 1 day; e.g. Duration.days(14)");
    expect(() => new LokiLogStore(chart, 'Part', { retention: Duration.minutes(36 * 60 + 30) })).toThrow(
      "LokiLogStore 'p/Part': retention 36.5h is invalid: Loki keeps its index in 24h periods, so give whole hours, e.g. Duration.days(14)");
  });
});
