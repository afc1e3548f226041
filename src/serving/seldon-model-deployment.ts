import { Construct } from 'constructs';
import { SeldonModel, SeldonModelProps } from './seldon-model';
import { IModelDeployment, IServedModel } from '../core/model-serving';
import { ModelSource } from '../core/model-source';
import { anImplementationOf, checkArgument } from '../core/props-check';

/**
 * A model for Seldon Core v2, to deploy through the serving contract (`MlopsCore.serveModel`,
 * `ServingCluster.serveModel`): it becomes a `SeldonModel` with these props, in the runtime's namespace.
 *
 * ```ts
 * platform.serveModel('Iris', new SeldonModelDeployment({
 *   runtime, server: mlserver,
 *   model: ModelSource.fromBucket(platform.modelsBucket, 'sklearn/iris'),
 *   modelFormat: ModelFormat.SKLEARN,
 * }));
 * ```
 */
export class SeldonModelDeployment implements IModelDeployment {
  public readonly model: ModelSource;

  constructor(private readonly props: SeldonModelProps) {
    checkArgument('SeldonModelDeployment', 'props', props, anImplementationOf('SeldonModelProps', ['runtime', 'model', 'modelFormat'],
      "{ runtime, model: ModelSource.fromBucket(bucket, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN }"));
    this.model = props.model;
  }

  public deploy(scope: Construct, id: string, model: ModelSource): IServedModel {
    return new SeldonModel(scope, id, { ...this.props, model });
  }
}
