import { Duration } from 'cdk8s';
import { ModelSmokeTestOptions } from './smoke-tests';
import { IServedModel } from '../core/model-serving';
import { SecretSource } from '../core/secret-source';

/** A model the smoke tests check (`MlopsCore.addSmokeTests`, `ServingCluster.addSmokeTests`). */
export interface ModelSmokeTest extends ModelSmokeTestOptions {
  /** The model, e.g. what `platform.addPredictor(...)` or `platform.serveModel(...)` returned. */
  readonly model: IServedModel;
}

/** Options of `MlopsCore.addSmokeTests`. */
export interface PlatformSmokeTestOptions {
  /**
   * The models to check: each must be ready, and answer the inference request given with it.
   *
   * @default - none
   */
  readonly models?: ModelSmokeTest[];

  /**
   * A DAG that must be parsed.
   *
   * @default - any: at least one DAG is parsed
   */
  readonly dagId?: string;

  /**
   * The keys of the smoke tests' own MinIO user, which lists each bucket of the in-cluster MinIO. Profile production
   * requires an existing Secret when the platform runs MinIO.
   *
   * @default SecretSource.generated()
   */
  readonly s3Credentials?: SecretSource;

  /**
   * The password of the Airflow user `smoke-test`. Profile production requires an existing Secret.
   *
   * @default SecretSource.generated()
   */
  readonly airflowPassword?: SecretSource;

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
}
