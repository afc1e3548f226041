import { App, Testing } from 'cdk8s';
import { expectNoSecretValues, synthYamlOf } from './example-checks';
import { ServingChart } from '../../examples/serving/serving-chart';
import { objectsOfKind, synthValid } from '../util';

describe('examples/serving', () => {
  let manifests: any[];
  beforeAll(() => {
    manifests = synthValid(new ServingChart(Testing.app(), 'serving'));
  });

  test('a default deny guards the namespace; the gateway reaches the predictors, Knative\'s activator the canary', () => {
    const policies = objectsOfKind(manifests, 'NetworkPolicy');
    expect(policies.filter((p) => JSON.stringify(p.spec) === JSON.stringify({ podSelector: {}, policyTypes: ['Ingress'] }))).toHaveLength(1);
    const fromNamespace = (name: string, isvc: string) => policies.filter((p) =>
      p.spec.podSelector.matchLabels?.['serving.kserve.io/inferenceservice'] === isvc
      && p.spec.ingress.some((rule: any) => rule.from.some((peer: any) =>
        peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === name)));
    expect(['iris', 'iris-a', 'iris-b', 'resnet'].map((isvc) => fromNamespace('istio-system', isvc).length)).toEqual([1, 1, 1, 1]);
    expect(fromNamespace('knative-serving', 'iris-canary')).toHaveLength(1);
  });

  test('every object passes the validation harness, all in the serving namespace', () => {
    const [namespace] = objectsOfKind(manifests, 'Namespace');
    expect(namespace.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    const namespaced = manifests.filter((m) => m.kind !== 'Namespace');
    expect(new Set(namespaced.map((m) => m.metadata.namespace))).toEqual(new Set(['serving']));
  });

  test('serves a canary, an A/B graph, a mirror and Triton', () => {
    const services = Object.fromEntries(objectsOfKind(manifests, 'InferenceService').map((s) => [s.metadata.name, s]));
    expect(Object.keys(services).sort()).toEqual(['iris', 'iris-a', 'iris-b', 'iris-canary', 'iris-preprocess', 'resnet']);
    expect(services['iris-canary'].metadata.annotations['serving.kserve.io/deploymentMode']).toBe('Serverless');
    expect(services['iris-canary'].spec.predictor.canaryTrafficPercent).toBe(10);
    expect(services.resnet.spec.predictor.model).toMatchObject({ modelFormat: { name: 'onnx' }, runtime: 'kserve-tritonserver', storageUri: 's3://models/triton' });
    const [graph] = objectsOfKind(manifests, 'InferenceGraph');
    expect(graph.spec.nodes.ab.steps.map((s: any) => [s.serviceName, s.weight])).toEqual([['iris-a', 80], ['iris-b', 20]]);
    const [mirror] = objectsOfKind(manifests, 'VirtualService');
    expect(mirror.spec.http[0].mirror.host).toBe('iris-b-predictor.serving.svc.cluster.local');
  });

  test('no secret value is synthesized', () => {
    expectNoSecretValues(manifests);
  });

  test('synthesizes byte-identical YAML every time', () => {
    const build = (app: App) => new ServingChart(app, 'serving');
    expect(synthYamlOf(build)).toBe(synthYamlOf(build));
  });
});
