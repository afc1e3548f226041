import { seldonPlatform, sklearnModel } from './seldon-fixtures';
import { SeldonExperiment } from '../../src/serving/seldon-experiment';
import { SeldonResourceType } from '../../src/serving/seldon-inference-target';
import { SeldonPipeline } from '../../src/serving/seldon-pipeline';
import { objectsOfKind, synthValid } from '../util';

describe('SeldonExperiment', () => {
  test('an A/B split 50/50 between two versions of a model, taking over the name of the first', () => {
    // GIVEN
    const platform = seldonPlatform();
    const v1 = sklearnModel(platform, 'iris');
    const v2 = sklearnModel(platform, 'iris-v2');
    // WHEN
    const experiment = new SeldonExperiment(platform.chart, 'IrisAb', {
      name: 'iris-ab',
      candidates: [{ target: v1, weight: 50 }, { target: v2, weight: 50 }],
      defaultCandidate: v1,
    });
    // THEN
    const [resource] = objectsOfKind(synthValid(platform.chart), 'Experiment');
    expect(resource.apiVersion).toBe('mlops.seldon.io/v1alpha1');
    expect(resource.metadata).toMatchObject({ name: 'iris-ab', namespace: 'mlops' });
    expect(resource.spec).toEqual({
      resourceType: 'model',
      default: 'iris',
      candidates: [{ name: 'iris', weight: 50 }, { name: 'iris-v2', weight: 50 }],
    });
    expect(experiment.runtime).toBe(platform.runtime);
  });

  test('pipelines as candidates, with a mirror taking a copy of 10%', () => {
    // GIVEN
    const platform = seldonPlatform();
    const pipeline = (name: string) => new SeldonPipeline(platform.chart, name, { runtime: platform.runtime, name, steps: [{ model: sklearnModel(platform, `${name}-model`) }] });
    const [a, b, shadow] = ['flow-a', 'flow-b', 'flow-shadow'].map(pipeline);
    // WHEN
    const experiment = new SeldonExperiment(platform.chart, 'Flows', {
      name: 'flows',
      candidates: [{ target: a, weight: 80 }, { target: b, weight: 20 }],
      mirror: { target: shadow, percent: 10 },
    });
    // THEN
    const [resource] = objectsOfKind(synthValid(platform.chart), 'Experiment');
    expect(resource.spec).toEqual({
      resourceType: 'pipeline',
      candidates: [{ name: 'flow-a', weight: 80 }, { name: 'flow-b', weight: 20 }],
      mirror: { name: 'flow-shadow', percent: 10 },
    });
    expect(experiment.resourceType).toBe(SeldonResourceType.PIPELINE);
  });
});
