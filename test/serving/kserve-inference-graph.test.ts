import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ModelFormat, ModelSource } from '../../src/core';
import { InferenceGraphStep, InferenceRouterType, InferenceStepDependency, KserveDeploymentMode, KserveInferenceGraph, KservePredictor } from '../../src/serving';
import { objectNamed, objectsOfKind, synthValid, testChart } from '../util';

function predictor(chart: Chart, name: string): KservePredictor {
  return new KservePredictor(chart, name, { name, model: ModelSource.fromUri(`s3://models/${name}`), modelFormat: ModelFormat.SKLEARN });
}

function graphOf(manifests: any[]): any {
  const [graph] = objectsOfKind(manifests, 'InferenceGraph');
  return graph;
}

describe('KserveInferenceGraph', () => {
  test('a sequence into an A/B splitter passes the validation harness and names predictors by their InferenceService', () => {
    // GIVEN
    const chart = testChart('serving');
    const preprocess = predictor(chart, 'preprocess');
    const a = predictor(chart, 'iris-a');
    const b = predictor(chart, 'iris-b');
    // WHEN
    new KserveInferenceGraph(chart, 'Graph', {
      name: 'iris-ab',
      nodes: {
        root: {
          routerType: InferenceRouterType.SEQUENCE,
          steps: [
            InferenceGraphStep.toPredictor(preprocess, { name: 'preprocess' }),
            InferenceGraphStep.toNode('ab', { name: 'classify', data: '$response', dependency: InferenceStepDependency.HARD }),
          ],
        },
        ab: {
          routerType: InferenceRouterType.SPLITTER,
          steps: [InferenceGraphStep.toPredictor(a, { weight: 80 }), InferenceGraphStep.toPredictor(b, { weight: 20 })],
        },
      },
    });
    // THEN
    const graph = graphOf(synthValid(chart));
    expect(graph.apiVersion).toBe('serving.kserve.io/v1alpha1');
    expect(graph.metadata.name).toBe('iris-ab');
    expect(graph.metadata.annotations).toEqual({ 'serving.kserve.io/deploymentMode': 'RawDeployment' });
    expect(graph.spec).toEqual({
      nodes: {
        root: {
          routerType: 'Sequence',
          steps: [
            { name: 'preprocess', serviceName: 'preprocess' },
            { name: 'classify', nodeName: 'ab', data: '$response', dependency: 'Hard' },
          ],
        },
        ab: {
          routerType: 'Splitter',
          steps: [{ serviceName: 'iris-a', weight: 80 }, { serviceName: 'iris-b', weight: 20 }],
        },
      },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    });
  });

  test('switch and ensemble nodes, URLs, replicas and Serverless mode', () => {
    // GIVEN
    const chart = testChart('serving');
    const setosa = predictor(chart, 'setosa');
    const other = predictor(chart, 'other');
    // WHEN
    new KserveInferenceGraph(chart, 'Graph', {
      name: 'species',
      deploymentMode: KserveDeploymentMode.SERVERLESS,
      minReplicas: 1,
      maxReplicas: 3,
      nodes: {
        root: {
          routerType: InferenceRouterType.SWITCH,
          steps: [
            InferenceGraphStep.toPredictor(setosa, { condition: 'instances.#(species=="setosa")' }),
            InferenceGraphStep.toNode('all', { condition: 'instances.#(species!="setosa")' }),
          ],
        },
        all: {
          routerType: InferenceRouterType.ENSEMBLE,
          steps: [InferenceGraphStep.toPredictor(other), InferenceGraphStep.toUrl('http://legacy.models.svc/v1/models/iris:predict')],
        },
      },
    });
    // THEN
    const graph = graphOf(synthValid(chart));
    expect(graph.metadata.annotations['serving.kserve.io/deploymentMode']).toBe('Serverless');
    expect(graph.spec).toMatchObject({ minReplicas: 1, maxReplicas: 3 });
    expect(graph.spec.nodes.root.steps[0]).toEqual({ serviceName: 'setosa', condition: 'instances.#(species=="setosa")' });
    expect(graph.spec.nodes.all).toEqual({
      routerType: 'Ensemble',
      steps: [{ serviceName: 'other' }, { serviceUrl: 'http://legacy.models.svc/v1/models/iris:predict' }],
    });
  });

  test('lets its router pods through to each predictor it calls, and its clients through to the router', () => {
    // GIVEN
    const chart = testChart('serving');
    const a = predictor(chart, 'iris-a');
    const b = predictor(chart, 'iris-b');
    // WHEN
    const graph = new KserveInferenceGraph(chart, 'Graph', {
      name: 'iris-ab',
      nodes: {
        root: {
          routerType: InferenceRouterType.SPLITTER,
          steps: [InferenceGraphStep.toPredictor(a, { weight: 50 }), InferenceGraphStep.toPredictor(b, { weight: 50 })],
        },
      },
    });
    graph.allowFrom(kplus.Pods.select(chart, 'Clients', { labels: { app: 'client' } }));
    // THEN
    const manifests = synthValid(chart);
    for (const name of ['iris-a', 'iris-b']) {
      const policy = objectNamed(manifests, 'NetworkPolicy', `${name}-allowfrom-test-graph-routerpods`);
      expect(policy.spec.podSelector.matchLabels).toEqual({ 'serving.kserve.io/inferenceservice': name });
      expect(policy.spec.ingress).toEqual([{
        from: [{ podSelector: { matchLabels: { 'serving.kserve.io/inferencegraph': 'iris-ab' } } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      }]);
    }
    const toRouter = objectNamed(manifests, 'NetworkPolicy', 'graph-allowfrom-test-clients');
    expect(toRouter.spec.podSelector.matchLabels).toEqual({ 'serving.kserve.io/inferencegraph': 'iris-ab' });
  });

  test('derives its name from the construct path', () => {
    // GIVEN
    const chart = testChart('serving');
    // WHEN
    const graph = new KserveInferenceGraph(chart, 'Graph', {
      nodes: { root: { routerType: InferenceRouterType.SEQUENCE, steps: [InferenceGraphStep.toPredictor(predictor(chart, 'iris'))] } },
    });
    // THEN
    expect(graph.name).toMatch(/^test-graph-[0-9a-f]{8}$/);
    expect(graphOf(Testing.synth(chart)).metadata.name).toBe(graph.name);
  });
});

describe('KserveInferenceGraph rules', () => {
  function build(nodes: { [name: string]: { routerType: InferenceRouterType; steps: (chart: Chart) => InferenceGraphStep[] } }, chart = testChart('serving')) {
    return () => new KserveInferenceGraph(chart, 'Graph', {
      name: 'graph',
      nodes: Object.fromEntries(Object.entries(nodes).map(([name, node]) => [name, { routerType: node.routerType, steps: node.steps(chart) }])),
    });
  }
  const prefix = "KserveInferenceGraph 'test/Graph': ";

  test('Splitter weights must sum to 100', () => {
    expect(build({
      root: { routerType: InferenceRouterType.SPLITTER, steps: (c) => [InferenceGraphStep.toPredictor(predictor(c, 'a'), { weight: 70 }), InferenceGraphStep.toPredictor(predictor(c, 'b'), { weight: 20 })] },
    })).toThrow(`${prefix}node 'root' is invalid: the weights of a Splitter must sum to 100, these sum to 90 (70 + 20)`);
  });

  test('every Splitter step has a weight', () => {
    expect(build({
      root: { routerType: InferenceRouterType.SPLITTER, steps: (c) => [InferenceGraphStep.toPredictor(predictor(c, 'a'), { weight: 100 }), InferenceGraphStep.toPredictor(predictor(c, 'b'))] },
    })).toThrow(`${prefix}node 'root' step 2 weight 'undefined' is invalid: every step of a Splitter needs a whole-number weight from 0 to 100`);
  });

  test('only Splitter steps have weights', () => {
    expect(build({
      root: { routerType: InferenceRouterType.SEQUENCE, steps: (c) => [InferenceGraphStep.toPredictor(predictor(c, 'a'), { weight: 100 })] },
    })).toThrow(`${prefix}node 'root' step 1 weight is invalid: only the steps of a Splitter node have weights (this node is a Sequence)`);
  });

  test('a step names a node the graph has', () => {
    expect(build({
      root: { routerType: InferenceRouterType.SEQUENCE, steps: (c) => [InferenceGraphStep.toPredictor(predictor(c, 'a')), InferenceGraphStep.toNode('ab')] },
      ensemble: { routerType: InferenceRouterType.ENSEMBLE, steps: (c) => [InferenceGraphStep.toPredictor(predictor(c, 'b'))] },
    })).toThrow(`${prefix}node 'root' step 2 is invalid: it refers to node 'ab', which the graph does not have (nodes: root, ensemble)`);
  });

  test('nodes form no cycle', () => {
    expect(build({
      root: { routerType: InferenceRouterType.SEQUENCE, steps: () => [InferenceGraphStep.toNode('first')] },
      first: { routerType: InferenceRouterType.SEQUENCE, steps: () => [InferenceGraphStep.toNode('second')] },
      second: { routerType: InferenceRouterType.SEQUENCE, steps: () => [InferenceGraphStep.toNode('first')] },
    })).toThrow(`${prefix}nodes are invalid: they form a cycle first → second → first; a request would never leave it`);
  });

  test('a node may not call itself', () => {
    expect(build({
      root: { routerType: InferenceRouterType.SEQUENCE, steps: () => [InferenceGraphStep.toNode('root')] },
    })).toThrow(`${prefix}nodes are invalid: they form a cycle root → root; a request would never leave it`);
  });

  test('the entry node is named root', () => {
    expect(build({
      main: { routerType: InferenceRouterType.SEQUENCE, steps: (c) => [InferenceGraphStep.toPredictor(predictor(c, 'a'))] },
    })).toThrow(`${prefix}nodes are invalid: there is no node named 'root' (nodes: main); KServe enters a graph at the node named 'root'`);
  });

  test('every Switch step has a condition', () => {
    expect(build({
      root: { routerType: InferenceRouterType.SWITCH, steps: (c) => [InferenceGraphStep.toPredictor(predictor(c, 'a'))] },
    })).toThrow(`${prefix}node 'root' step 1 is invalid: every step of a Switch node needs a condition, e.g. 'instances.#(species=="setosa")'`);
  });

  test('a node has steps, and data is $request or $response', () => {
    expect(build({ root: { routerType: InferenceRouterType.ENSEMBLE, steps: () => [] } }))
      .toThrow(`${prefix}node 'root' is invalid: it has no steps; give it at least one InferenceGraphStep`);
    expect(build({ root: { routerType: InferenceRouterType.SEQUENCE, steps: (c) => [InferenceGraphStep.toPredictor(predictor(c, 'a'), { data: 'response' })] } }))
      .toThrow(`${prefix}node 'root' step 1 data 'response' is invalid: must be '$request' or '$response'`);
  });

  test('predictors are in the graph\'s namespace', () => {
    // GIVEN
    const app = Testing.app();
    const models = new Chart(app, 'models', { namespace: 'models' });
    const graphs = new Chart(app, 'test', { namespace: 'graphs' });
    const iris = predictor(models, 'iris');
    // THEN
    expect(build({ root: { routerType: InferenceRouterType.SEQUENCE, steps: () => [InferenceGraphStep.toPredictor(iris)] } }, graphs))
      .toThrow(`${prefix}node 'root' step 1 is invalid: predictor 'iris' is in namespace 'models' and the graph in 'graphs'; KServe resolves serviceName in the graph's namespace, so put them together or use InferenceGraphStep.toUrl()`);
  });

  test('the name is a DNS label', () => {
    const chart = testChart('serving');
    expect(() => new KserveInferenceGraph(chart, 'Graph', {
      name: 'Iris_AB',
      nodes: { root: { routerType: InferenceRouterType.SEQUENCE, steps: [InferenceGraphStep.toUrl('http://x')] } },
    })).toThrow(`${prefix}name 'Iris_AB' is invalid: an InferenceGraph name must be lowercase letters, digits and '-', start with a letter, end with a letter or digit, and have at most 63 characters`);
  });
});

test('InferenceGraphStep.toUrl refuses what is not an http(s) URL', () => {
  expect(() => InferenceGraphStep.toUrl('legacy.models.svc/v1/models/iris:predict')).toThrow(
    "InferenceGraphStep.toUrl: url 'legacy.models.svc/v1/models/iris:predict' is invalid: must be an absolute URL (http:// or https://host[:port][/path])");
  expect(() => InferenceGraphStep.toUrl('http://legacy.models.svc:0/predict')).toThrow('its port must be from 1 to 65535, not 0');
});
