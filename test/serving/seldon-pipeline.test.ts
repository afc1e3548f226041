import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { seldonPlatform, sklearnModel } from './seldon-fixtures';
import { SeldonResourceType } from '../../src/serving/seldon-inference-target';
import { SeldonJoinType, SeldonPipeline } from '../../src/serving/seldon-pipeline';
import { objectNamed, objectsOfKind, synthValid } from '../util';

describe('SeldonPipeline', () => {
  test('user input → model A → A\'s output renamed into B\'s input → model B → user', () => {
    // GIVEN
    const platform = seldonPlatform();
    const preprocess = sklearnModel(platform, 'preprocess');
    const classify = sklearnModel(platform, 'classify');
    // WHEN
    const pipeline = new SeldonPipeline(platform.chart, 'Iris', {
      runtime: platform.runtime,
      name: 'iris-pipeline',
      steps: [
        { model: preprocess },
        { model: classify, inputs: ['preprocess.outputs'], tensorMap: { 'preprocess.outputs.output-0': 'predict' } },
      ],
    });
    // THEN
    const [resource] = objectsOfKind(synthValid(platform.chart), 'Pipeline');
    expect(resource.apiVersion).toBe('mlops.seldon.io/v1alpha1');
    expect(resource.metadata).toMatchObject({ name: 'iris-pipeline', namespace: 'mlops' });
    expect(resource.spec).toEqual({
      steps: [
        { name: 'preprocess' },
        { name: 'classify', inputs: ['preprocess.outputs'], tensorMap: { 'preprocess.outputs.output-0': 'predict' } },
      ],
      output: { steps: ['classify'] },
    });
    expect(pipeline.resourceType).toBe(SeldonResourceType.PIPELINE);
  });

  test('joins, triggers, windows and the pipeline\'s own outputs', () => {
    // GIVEN
    const platform = seldonPlatform();
    const [check, a, b, combine] = ['check', 'a', 'b', 'combine'].map((name) => sklearnModel(platform, name));
    // WHEN
    new SeldonPipeline(platform.chart, 'Joined', {
      runtime: platform.runtime,
      name: 'joined',
      steps: [
        { model: check },
        { model: a, inputs: ['joined.inputs.features'], triggers: ['check.outputs.ok'] },
        { model: b, inputs: ['joined'] },
        {
          model: combine,
          inputs: ['a.outputs.predict', 'b.outputs.predict'],
          inputsJoin: SeldonJoinType.OUTER,
          joinWindow: Duration.seconds(2),
          tensorMap: { 'a.outputs.predict': 'left', 'b.outputs.predict': 'right' },
        },
      ],
      outputs: ['combine.outputs', 'check.outputs.ok'],
      outputsJoin: SeldonJoinType.ANY,
      outputTensorMap: { 'combine.outputs.result': 'species' },
    });
    // THEN
    const spec = objectsOfKind(synthValid(platform.chart), 'Pipeline')[0].spec;
    expect(spec.steps[1]).toEqual({ name: 'a', inputs: ['joined.inputs.features'], triggers: ['check.outputs.ok'] });
    expect(spec.steps[3]).toEqual({
      name: 'combine',
      inputs: ['a.outputs.predict', 'b.outputs.predict'],
      inputsJoinType: 'outer',
      joinWindowMs: 2000,
      tensorMap: { 'a.outputs.predict': 'left', 'b.outputs.predict': 'right' },
    });
    expect(spec.output).toEqual({ steps: ['combine.outputs', 'check.outputs.ok'], stepsJoin: 'any', tensorMap: { 'combine.outputs.result': 'species' } });
  });

  test('allowFrom opens the runtime\'s Envoy', () => {
    // GIVEN
    const platform = seldonPlatform();
    const pipeline = new SeldonPipeline(platform.chart, 'Iris', { runtime: platform.runtime, steps: [{ model: sklearnModel(platform, 'iris') }] });
    // WHEN
    pipeline.allowFrom(kplus.Pods.select(platform.chart, 'Client', { labels: { app: 'client' } }));
    // THEN
    expect(objectNamed(synthValid(platform.chart), 'NetworkPolicy', 'envoypods-allowfrom-test-client').spec.ingress[0].ports).toEqual([{ port: 9000, protocol: 'TCP' }]);
  });
});
