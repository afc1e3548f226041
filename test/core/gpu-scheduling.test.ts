import * as kplus from 'cdk8s-plus-28';
import { KservePredictor, ModelFormat, ModelSource, WorkloadPlacement } from '../../src';
import { gpuPodSpecFields, gpuToleration } from '../../src/core/gpu-scheduling';
import { objectsOfKind, synthValid, testChart } from '../util';

describe('GPU scheduling', () => {
  test('the toleration of the taint GPU nodes carry: the resource name, any value, NoSchedule', () => {
    expect(gpuToleration('nvidia.com/gpu')).toEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  });

  test('pods with GPUs get the placement\'s fields and the GPU toleration; pods without, the placement\'s only', () => {
    const chart = testChart();
    const placement = WorkloadPlacement.of({ nodeSelector: { 'nvidia.com/gpu.present': 'true' }, priorityClassName: 'training' });
    expect(gpuPodSpecFields(chart, placement, { app: 'x' }, 2, 'nvidia.com/gpu')).toEqual({
      nodeSelector: { 'nvidia.com/gpu.present': 'true' },
      priorityClassName: 'training',
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    });
    expect(gpuPodSpecFields(chart, placement, { app: 'x' }, 0, 'nvidia.com/gpu')).toEqual({
      nodeSelector: { 'nvidia.com/gpu.present': 'true' },
      priorityClassName: 'training',
    });
    expect(gpuPodSpecFields(chart, undefined, { app: 'x' }, 1, 'amd.com/gpu')).toEqual({ tolerations: [gpuToleration('amd.com/gpu')] });
  });

  test('a placement that tolerates the GPU taint already keeps its own toleration', () => {
    const chart = testChart();
    const placement = WorkloadPlacement.of({ tolerations: [kplus.NodeTaintQuery.is('nvidia.com/gpu', 'present', { effect: kplus.TaintEffect.NO_SCHEDULE })] });
    expect(gpuPodSpecFields(chart, placement, { app: 'x' }, 1, 'nvidia.com/gpu').tolerations)
      .toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]);
  });

  test('a KServe predictor with GPUs tolerates the GPU taint of its resource', () => {
    const chart = testChart('serving');
    new KservePredictor(chart, 'Llm', {
      model: ModelSource.fromUri('hf://example/llm'), modelFormat: ModelFormat.of('huggingface'), gpus: 1, gpuResourceName: 'nvidia.com/gpu',
    });
    const [isvc] = objectsOfKind(synthValid(chart), 'InferenceService');
    expect(isvc.spec.predictor.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(isvc.spec.predictor.model.resources.limits['nvidia.com/gpu']).toBe('1');
  });
});
