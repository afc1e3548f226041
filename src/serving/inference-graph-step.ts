import { KservePredictor } from './kserve-predictor';
import { checkUrl } from '../core/address';

/** Whether a step's failure fails the node (`dependency`). */
export enum InferenceStepDependency {
  /** The node goes on without the step's response. */
  SOFT = 'Soft',
  /** The node fails when the step fails. */
  HARD = 'Hard',
}

/** Options of every step. */
export interface InferenceGraphStepOptions {
  /**
   * The step's name, unique in its node.
   *
   * @default - none
   */
  readonly name?: string;

  /**
   * What the step receives: `$request` (the node's input) or `$response` (the previous step's output, in a
   * Sequence).
   *
   * @default - `$request`
   */
  readonly data?: string;

  /**
   * A GJSON condition on the request; required for the steps of a Switch node, e.g. `instances.#(species=="setosa")`.
   *
   * @default - none
   */
  readonly condition?: string;

  /**
   * The share of requests, from 0 to 100; required for the steps of a Splitter node, whose weights sum to 100.
   *
   * @default - none
   */
  readonly weight?: number;

  /**
   * @default - KServe's default (Soft)
   */
  readonly dependency?: InferenceStepDependency;
}

/**
 * One step of an inference graph node: a call to a predictor, to another node of the graph, or to a URL.
 */
export class InferenceGraphStep {
  /** Calls a predictor (`serviceName`), which must be in the graph's namespace. */
  public static toPredictor(predictor: KservePredictor, options: InferenceGraphStepOptions = {}): InferenceGraphStep {
    return new InferenceGraphStep(options, predictor, undefined, undefined);
  }

  /** Hands over to another node of the same graph (`nodeName`). */
  public static toNode(nodeName: string, options: InferenceGraphStepOptions = {}): InferenceGraphStep {
    return new InferenceGraphStep(options, undefined, nodeName, undefined);
  }

  /** Calls any HTTP endpoint (`serviceUrl`). */
  public static toUrl(url: string, options: InferenceGraphStepOptions = {}): InferenceGraphStep {
    checkUrl('InferenceGraphStep.toUrl', 'url', url, { schemes: ['http', 'https'], example: 'http://feature-store.ml.svc:8080/v1/features', query: true });
    return new InferenceGraphStep(options, undefined, undefined, url);
  }

  private constructor(
    /** The step's options. */
    public readonly options: InferenceGraphStepOptions,
    /** The predictor it calls, for `toPredictor`. */
    public readonly predictor?: KservePredictor,
    /** The node it hands over to, for `toNode`. */
    public readonly nodeName?: string,
    /** The URL it calls, for `toUrl`. */
    public readonly url?: string,
  ) {}
}
