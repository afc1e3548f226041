import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ImageRegistry } from '../core/image-registry';
import { WorkloadPlacement } from '../core/workload-placement';

/**
 * Uses `registry` for everything in the chart of `MlopsCore` (whose chart-level pieces, such as the secret generator,
 * sit outside it), and returns its pull Secrets' names for the pods rendered outside the construct tree (Airflow's
 * task pods in the executor's pod template, training jobs as DAG templates), which the registry's pass cannot reach.
 */
export function applyPlatformRegistry(scope: IConstruct, registry: ImageRegistry | undefined): string[] {
  if (!registry) {
    return [];
  }
  registry.applyTo(Chart.of(scope));
  return registry.pullSecretNames;
}

/** `placement` with the pull Secrets `names` (for pods outside the construct tree), or `placement` when there are none. */
export function withPullSecrets(placement: WorkloadPlacement | undefined, names: string[]): WorkloadPlacement | undefined {
  return names.length === 0 ? placement : (placement ?? WorkloadPlacement.of({})).withImagePullSecrets(names);
}
