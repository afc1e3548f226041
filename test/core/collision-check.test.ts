import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { KservePredictor, ModelFormat, ModelSource, Redis } from '../../src';

const model = { model: ModelSource.fromUri('gs://kfserving-examples/models/sklearn/1.0/model'), modelFormat: ModelFormat.SKLEARN };

function appWithChart(): { app: App; chart: Chart } {
  const app = new App({ outdir: '/nonexistent' });
  return { app, chart: new Chart(app, 'serving', { namespace: 'ml' }) };
}

/** The validation errors `app.synth()` would fail with (cdk8s runs every construct's validations first). */
function validationErrors(app: App): string[] {
  return app.node.findAll().flatMap((construct) => construct.node.validate());
}

describe('the synth-time collision check', () => {
  test('two constructs making one object name: one error (the check is registered once per app) with both paths and the fix', () => {
    const { app, chart } = appWithChart();
    new KservePredictor(chart, 'Iris', { name: 'iris', ...model });
    new KservePredictor(chart, 'IrisAgain', { name: 'iris', ...model });
    expect(validationErrors(app)).toEqual([
      "InferenceService 'ml/iris' is made twice, by 'serving/Iris' and by 'serving/IrisAgain': "
        + 'the one applied last would replace the other; give one of them another name (its construct id, or its name prop)',
    ]);
    expect(() => app.synth()).toThrow("InferenceService 'ml/iris' is made twice");
  });

  test('two Services on one NodePort, in different charts of the app', () => {
    const { app, chart } = appWithChart();
    new Redis(chart, 'Redis');
    const other = new Chart(app, 'other', { namespace: 'team' });
    for (const [scope, id] of [[chart, 'A'], [other, 'B']] as const) {
      new kplus.Service(scope, id, { type: kplus.ServiceType.NODE_PORT, selector: kplus.Pods.select(scope, `${id}Pods`, { labels: { app: id } }), ports: [{ port: 80, nodePort: 30007 }] });
    }
    expect(validationErrors(app)).toEqual(["NodePort 30007 is asked for by 'serving/A' and by 'other/B': NodePorts are cluster-wide; give each its own port"]);
  });

  test('distinct names pass', () => {
    const { app, chart } = appWithChart();
    new KservePredictor(chart, 'Iris', { name: 'iris', ...model });
    new KservePredictor(chart, 'Wine', { name: 'wine', ...model });
    expect(validationErrors(app)).toEqual([]);
  });
});
