import { IConstruct } from 'constructs';
import { SeldonRuntime } from './seldon-runtime';

/** What a Seldon experiment routes between: models or pipelines (`spec.resourceType`). */
export enum SeldonResourceType {
  /** Models (`SeldonModel`). */
  MODEL = 'model',
  /** Pipelines (`SeldonPipeline`). */
  PIPELINE = 'pipeline',
}

/** A Seldon model or pipeline, as an experiment's candidate, default or mirror. */
export interface ISeldonInferenceTarget extends IConstruct {
  /** The Model's or Pipeline's name, which requests and experiments route by. */
  readonly name: string;
  /** Whether it is a model or a pipeline. */
  readonly resourceType: SeldonResourceType;
  /** The runtime it runs in. */
  readonly runtime: SeldonRuntime;
}
