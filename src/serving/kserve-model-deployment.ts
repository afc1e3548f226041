import { Construct } from 'constructs';
import { KservePredictor, KservePredictorProps } from './kserve-predictor';
import { IModelDeployment, IServedModel } from '../core/model-serving';
import { ModelSource } from '../core/model-source';

/**
 * A model for KServe, to deploy through the serving contract (`MlopsCore.serveModel`, `ServingCluster.serveModel`):
 * it becomes a `KservePredictor` with these props.
 */
export class KserveModelDeployment implements IModelDeployment {
  public readonly model: ModelSource;

  constructor(private readonly props: KservePredictorProps) {
    this.model = props.model;
  }

  public deploy(scope: Construct, id: string, model: ModelSource): IServedModel {
    return new KservePredictor(scope, id, { ...this.props, model });
  }
}
