import { App, Testing } from 'cdk8s';
import { expectNoSecretValues, synthYamlOf } from './example-checks';
import { SeldonChart } from '../../examples/seldon/seldon-chart';
import { objectNamed, objectsOfKind, synthValid } from '../util';

describe('examples/seldon', () => {
  let manifests: any[];
  beforeAll(() => {
    manifests = synthValid(new SeldonChart(Testing.app(), 'seldon'));
  });

  test('every object passes the validation harness, all in the seldon namespace, which warns on restricted', () => {
    const [namespace] = objectsOfKind(manifests, 'Namespace');
    expect(namespace.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    const namespaced = manifests.filter((m) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(m.kind));
    expect(new Set(namespaced.map((m) => m.metadata.namespace))).toEqual(new Set(['seldon']));
  });

  test('a runtime on Kafka, an MLServer server with its own image and a Triton server', () => {
    const [runtime] = objectsOfKind(manifests, 'SeldonRuntime');
    const kafka = objectNamed(manifests, 'Service', 'kafka-service').metadata.name;
    expect(runtime.spec.config.kafkaConfig).toEqual({ 'bootstrap.servers': `${kafka}.seldon.svc:9092` });
    const servers = Object.fromEntries(objectsOfKind(manifests, 'Server').map((s) => [s.metadata.name, s.spec]));
    expect(Object.keys(servers)).toEqual(['mlserver', 'triton']);
    expect(servers.mlserver).toMatchObject({ serverConfig: 'mlserver', replicas: 2 });
    expect(servers.mlserver.podSpec.containers[2]).toMatchObject({ name: 'mlserver', image: 'registry.example.com/ml/mlserver-sklearn:1.7.1' });
    expect(servers.triton.serverConfig).toBe('triton');
  });

  test('deploys models from MinIO, a two-model pipeline with a tensor map, and an A/B experiment 50/50', () => {
    const models = Object.fromEntries(objectsOfKind(manifests, 'Model').map((m) => [m.metadata.name, m.spec]));
    expect(Object.keys(models).sort()).toEqual(['iris', 'iris-classifier', 'iris-scaler', 'iris-v2', 'resnet']);
    expect(models.iris).toMatchObject({ storageUri: 's3://models/sklearn/iris/v1', requirements: ['sklearn'], server: 'mlserver' });
    expect(models.resnet).toMatchObject({ storageUri: 's3://models/onnx/resnet', requirements: ['onnx'], server: 'triton', memory: '512Mi' });
    const [pipeline] = objectsOfKind(manifests, 'Pipeline');
    expect(pipeline.spec.steps).toEqual([
      { name: 'iris-scaler' },
      { name: 'iris-classifier', inputs: ['iris-scaler.outputs'], tensorMap: { 'iris-scaler.outputs.predict': 'input-0' } },
    ]);
    const [experiment] = objectsOfKind(manifests, 'Experiment');
    expect(experiment.spec).toEqual({ resourceType: 'model', default: 'iris', candidates: [{ name: 'iris', weight: 50 }, { name: 'iris-v2', weight: 50 }] });
  });

  test('Prometheus scrapes the agents, the servers and the pipeline gateway; the namespace apps reaches Envoy', () => {
    const monitors = objectsOfKind(manifests, 'PodMonitor').map((m) => [m.spec.podMetricsEndpoints[0].relabelings[0].replacement, m.spec.selector.matchLabels]);
    expect(monitors).toEqual([
      ['seldon-agent', { app: 'seldon-server' }],
      ['seldon-server', { app: 'seldon-server' }],
      ['seldon-pipelinegateway', { 'app.kubernetes.io/name': 'seldon-pipelinegateway', 'mlops.cdk8s.io/seldon-runtime': expect.stringMatching(/^seldon-Seldon-/) }],
    ]);
    const envoy = objectNamed(manifests, 'NetworkPolicy', 'envoypods-allowfrom-seldon-apps');
    expect(envoy.spec.ingress[0].ports).toEqual([{ port: 9000, protocol: 'TCP' }]);
  });

  test('no secret value is synthesized', () => {
    expectNoSecretValues(manifests);
  });

  test('synthesizes byte-identical YAML every time', () => {
    const build = (app: App) => new SeldonChart(app, 'seldon');
    expect(synthYamlOf(build)).toBe(synthYamlOf(build));
  });
});
