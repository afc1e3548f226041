import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ModelSource } from './model-source';
import { IScrapeTarget } from './scrape-target';

/**
 * A model that a serving backend runs (a KServe InferenceService, a Seldon Model; any backend that implements this):
 * what the platform needs to wire it, whichever backend serves it.
 *
 * As an `IScrapeTarget` it tells Prometheus where its metrics are and contributes its backend's rules and dashboard
 * rows, so models of every backend appear on the same model-serving dashboard.
 */
export interface IServedModel extends IScrapeTarget {
  /** The name inference clients ask for, e.g. in `/v2/models/<name>/infer`. */
  readonly modelName: string;

  /** Lets `peer` send inference requests to the model. */
  allowFrom(peer: kplus.INetworkPolicyPeer): void;
}

/**
 * One model, described for the serving backend that will run it (`KserveModelDeployment`, `SeldonModelDeployment`). The platform
 * deploys it with `MlopsCore.serveModel(id, deployment)`: it may hand `deploy` another view of `model` (the same
 * bucket and path, read with the platform's own credentials), then lets the pipelines call it and Prometheus scrape it.
 */
export interface IModelDeployment {
  /** Where the model comes from. */
  readonly model: ModelSource;

  /** Creates the model's objects under `scope`, reading the model from `model`. */
  deploy(scope: Construct, id: string, model: ModelSource): IServedModel;
}
