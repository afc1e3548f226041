import { Construct } from 'constructs';
import { checkUserCredentials, withUserCredentials } from './platform-credentials';
import { PlatformProfile } from './platform-profile';
import { ModelSmokeTest, PlatformSmokeTestOptions } from './platform-smoke-test-options';
import { ServingSmokeTestOptions } from './serving-smoke-test-options';
import { SMOKE_TEST_ATTEMPTS, SMOKE_TEST_RETRY_INTERVAL } from './smoke-test-kinds';
import { ModelSmokeTestOptions, SmokeTests } from './smoke-tests';
import { IBucket } from '../core/bucket';
import { IDatabase } from '../core/database';
import { MlopsValidationError } from '../core/errors';
import { IKeyValueStore } from '../core/key-value-store';
import { IServedModel } from '../core/model-serving';
import { A_SECRET_SOURCE } from '../core/prop-kinds';
import { anImplementationOf, aString, checkProps } from '../core/props-check';
import { A_PLACEMENT, WorkloadPlacement } from '../core/workload-placement';
import { FederatedPrometheus } from '../observability/federated-prometheus';
import { Grafana } from '../observability/grafana';
import { GitSyncAirflow } from '../orchestration/git-sync-airflow';
import { MlflowTracking } from '../tracking/mlflow-tracking';

/** `options.models` as the smoke tests take it. */
const MODELS = anImplementationOf('array of { model, inferenceRequest? }', ['length'], '[{ model: iris }]');

/** What of `MlopsCore` its smoke tests check. */
export interface PlatformSmokeTestContext {
  readonly scope: Construct;
  readonly profile: PlatformProfile;
  readonly placement?: WorkloadPlacement;
  readonly databases: IDatabase[];
  /** The in-cluster MinIO's buckets. */
  readonly buckets: IBucket[];
  readonly keyValueStore: IKeyValueStore;
  readonly mlflow: MlflowTracking;
  readonly airflow: GitSyncAirflow;
  readonly prometheus?: FederatedPrometheus;
  readonly grafana?: Grafana;
  /** The uids of Grafana's data sources. */
  readonly dataSources: string[];
}

/** `SmokeTests` of every service of the platform, and of `options.models`. */
export function addPlatformSmokeTests(context: PlatformSmokeTestContext, options: PlatformSmokeTestOptions): SmokeTests {
  const scope = context.scope;
  checkProps(scope, options, {}, {
    models: MODELS,
    dagId: aString("'retrain'"),
    s3Credentials: A_SECRET_SOURCE,
    airflowPassword: A_SECRET_SOURCE,
    attempts: SMOKE_TEST_ATTEMPTS,
    retryInterval: SMOKE_TEST_RETRY_INTERVAL,
  }, 'addSmokeTests options');
  if (context.buckets.length > 0) {
    checkUserCredentials(scope, context.profile, options.s3Credentials, {
      context: 'addSmokeTests', what: "the smoke tests list the platform's buckets with a MinIO user of their own, and s3Credentials",
    });
  }
  checkUserCredentials(scope, context.profile, options.airflowPassword, {
    context: 'addSmokeTests', what: "the smoke tests log in to Airflow as the user 'smoke-test', and airflowPassword",
  });
  const smoke = new SmokeTests(scope, 'SmokeTests', {
    attempts: options.attempts,
    retryInterval: options.retryInterval,
    placement: context.placement,
  });
  context.databases.forEach((database) => smoke.checkDatabase(database));
  smoke.checkKeyValueStore(context.keyValueStore);
  context.buckets.forEach((bucket) => smoke.checkBucket(withUserCredentials(bucket, options.s3Credentials)));
  smoke.checkMlflow(context.mlflow);
  smoke.checkAirflow(context.airflow, { dagId: options.dagId, password: options.airflowPassword });
  if (context.prometheus) {
    smoke.checkPrometheus(context.prometheus);
  }
  if (context.grafana) {
    smoke.checkGrafana(context.grafana, { dataSources: context.dataSources });
  }
  for (const { model, ...modelOptions } of checkedModels(scope, options.models)) {
    smoke.checkModel(model, modelOptions);
  }
  return smoke;
}

/** What of a `ServingCluster` its smoke tests check. */
export interface ServingSmokeTestContext {
  readonly scope: Construct;
  readonly prometheus: FederatedPrometheus;
  /** The models the cluster serves. */
  readonly models: IServedModel[];
}

/**
 * `SmokeTests` of a serving cluster: its Prometheus, and each model it serves ready, answering the inference request
 * `options.models` gives it.
 */
export function addServingSmokeTests(context: ServingSmokeTestContext, options: ServingSmokeTestOptions): SmokeTests {
  const scope = context.scope;
  checkProps(scope, options, {}, {
    models: MODELS,
    attempts: SMOKE_TEST_ATTEMPTS,
    retryInterval: SMOKE_TEST_RETRY_INTERVAL,
    placement: A_PLACEMENT,
  }, 'addSmokeTests options');
  const given = new Map<IServedModel, ModelSmokeTestOptions>();
  for (const { model, ...modelOptions } of checkedModels(scope, options.models)) {
    if (!context.models.includes(model)) {
      throw new MlopsValidationError(scope, `addSmokeTests: options.models model '${model.modelName}' is invalid: this cluster does not serve it; `
        + 'give the models addPredictor and serveModel of this cluster returned, served before this call');
    }
    given.set(model, modelOptions);
  }
  const smoke = new SmokeTests(scope, 'SmokeTests', {
    attempts: options.attempts,
    retryInterval: options.retryInterval,
    placement: options.placement,
  });
  smoke.checkPrometheus(context.prometheus);
  for (const model of context.models) {
    smoke.checkModel(model, given.get(model));
  }
  return smoke;
}

/** The entries of `models`, each checked. */
function checkedModels(scope: Construct, models: ModelSmokeTest[] | undefined): ModelSmokeTest[] {
  for (const [index, entry] of (models ?? []).entries()) {
    checkProps(scope, entry, {
      model: anImplementationOf('IServedModel', ['modelName', 'allowFrom'], "platform.addPredictor('Iris', { ... })"),
    }, {}, `addSmokeTests options.models[${index}]`);
  }
  return models ?? [];
}
