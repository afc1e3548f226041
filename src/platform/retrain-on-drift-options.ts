import { Duration } from 'cdk8s';
import { SecretSource } from '../core/secret-source';
import { DriftRetrainRuleOptions } from '../observability/drift-retrain-rule';

/** How `MlopsCore.retrainOnDrift` retrains a model that drifted. */
export interface RetrainOnDriftOptions extends DriftRetrainRuleOptions {
  /**
   * The id of the DAG that retrains (and redeploys) a model, e.g. `retrain`. It reads the model from
   * `dag_run.conf['model']` (and its `cluster` and `namespace`); create it with `is_paused_upon_creation=False`, or
   * unpause it, since a run of a paused DAG waits unseen (the trigger reports it instead of starting one).
   */
  readonly dag: string;

  /**
   * How long after a retraining run of a model no other starts for it.
   *
   * @default Duration.hours(1)
   */
  readonly cooldown?: Duration;

  /**
   * The password of the trigger's Airflow user (`retrain-trigger`). Profile production requires an existing Secret.
   *
   * @default SecretSource.generated() (dev only)
   */
  readonly password?: SecretSource;
}
