import { IConstruct } from 'constructs';
import { WorkloadPlacement } from './workload-placement';

/**
 * The toleration of the taint GPU nodes carry by convention: the GPU's extended resource name as the key, any value,
 * effect `NoSchedule` (`nvidia.com/gpu:NoSchedule`, GKE's `nvidia.com/gpu=present:NoSchedule`). It is the toleration
 * Kubernetes' `ExtendedResourceToleration` admission plugin adds, which not every cluster enables.
 */
export function gpuToleration(resourceName: string): { [field: string]: string } {
  return { key: resourceName, operator: 'Exists', effect: 'NoSchedule' };
}

/**
 * The pod spec fields of pods that ask for `gpus` GPUs of `resourceName`, for a pod spec inside a custom resource:
 * `placement`'s fields (`podSpecFields`), plus `gpuToleration(resourceName)` unless the placement tolerates that key
 * already. Without GPUs, the placement's fields as they are.
 */
export function gpuPodSpecFields(
  scope: IConstruct,
  placement: WorkloadPlacement | undefined,
  podLabels: Record<string, string>,
  gpus: number,
  resourceName: string,
): Record<string, any> {
  const fields = placement?.podSpecFields(scope, podLabels) ?? {};
  if (gpus === 0) {
    return fields;
  }
  const tolerations: Array<Record<string, unknown>> = fields.tolerations ?? [];
  if (tolerations.some((toleration) => toleration.key === resourceName)) {
    return fields;
  }
  return { ...fields, tolerations: [...tolerations, gpuToleration(resourceName)] };
}
