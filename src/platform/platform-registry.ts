import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ImageRegistry } from '../core/image-registry';
import { WorkloadPlacement } from '../core/workload-placement';

/**
 * Uses `registry` for everything in the chart of `MlopsCore` (whose chart-level pieces, such as the secret generator,
 * sit outside it), and returns the placement of Airflow's task pods: they are
 * rendered into the executor's pod template, outside the construct tree the registry's pass walks, so they get the
 * pull Secrets through the template's placement.
 */
export function applyPlatformRegistry(scope: IConstruct, registry: ImageRegistry | undefined): WorkloadPlacement | undefined {
  if (!registry) {
    return undefined;
  }
  registry.applyTo(Chart.of(scope));
  const names = registry.pullSecretNames;
  return names.length > 0 ? WorkloadPlacement.of({ imagePullSecrets: names }) : undefined;
}
