import { Duration } from 'cdk8s';
import { ModelSmokeTest } from './platform-smoke-test-options';
import { WorkloadPlacement } from '../core/workload-placement';

/** Options of `ServingCluster.addSmokeTests`. */
export interface ServingSmokeTestOptions {
  /**
   * The cluster's models with more to check than readiness: an inference request each (or another endpoint, or
   * headers). Every other model the cluster serves is checked for readiness.
   *
   * @default - every model: readiness only
   */
  readonly models?: ModelSmokeTest[];

  /**
   * How many times each check is tried before its Job fails.
   *
   * @default 30
   */
  readonly attempts?: number;

  /**
   * The pause between two tries of a check.
   *
   * @default Duration.seconds(10)
   */
  readonly retryInterval?: Duration;

  /**
   * Where the Jobs' pods run and what they pull images with.
   *
   * @default - no constraints
   */
  readonly placement?: WorkloadPlacement;
}
