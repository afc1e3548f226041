import { ApiObject, Duration, Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ISeldonInferenceTarget, SeldonResourceType } from './seldon-inference-target';
import { SeldonModel } from './seldon-model';
import { SeldonRuntime } from './seldon-runtime';
import { MlopsValidationError } from '../core/errors';
import { componentLabels } from '../core/labels';
import { aDnsLabel, aDuration } from '../core/prop-kinds';
import { aListOf, anImplementationOf, anInstanceOf, aString, aStringMap, checkProps } from '../core/props-check';
import { Pipeline, PipelineSpecSteps } from '../imports/seldon-pipeline-mlops.seldon.io';

/** How a step (or the output) combines data from several inputs within the join window. */
export enum SeldonJoinType {
  /** Waits for data from every input (Seldon's default). */
  INNER = 'inner',
  /** Takes whatever arrived from any input by the end of the window. */
  OUTER = 'outer',
  /** Forwards the first input that arrives. */
  ANY = 'any',
}

/** One step of a `SeldonPipeline`: a call of a model, fed by earlier steps or the pipeline's inputs. */
export interface SeldonPipelineStep {
  /** The model the step calls; Seldon names the step after the model. */
  readonly model: SeldonModel;

  /**
   * What the step receives, in Seldon's notation: `<step>` or `<step>.outputs` (every output tensor of an earlier
   * step), `<step>.outputs.<tensor>` (one of them), `<step>.inputs[.<tensor>]` (what that step received), or the
   * pipeline's name for the pipeline's inputs.
   *
   * @default - the pipeline's inputs
   */
  readonly inputs?: string[];

  /**
   * Renames incoming tensors to the names the model expects, from `<step>.outputs.<tensor>` (or
   * `<step>.inputs.<tensor>`) to the input name, e.g. `{ 'preprocess.outputs.scaled': 'predict' }`.
   *
   * @default - tensors keep their names
   */
  readonly tensorMap?: { [source: string]: string };

  /**
   * Steps (or tensors, in the notation of `inputs`) whose data must arrive before this step runs, without being passed
   * to it, e.g. a classifier's outcome that gates a second model.
   *
   * @default - none
   */
  readonly triggers?: string[];

  /**
   * How data from several inputs is joined.
   *
   * @default SeldonJoinType.INNER
   */
  readonly inputsJoin?: SeldonJoinType;

  /**
   * How several triggers are joined.
   *
   * @default SeldonJoinType.INNER
   */
  readonly triggersJoin?: SeldonJoinType;

  /**
   * How long the step waits for data from all its inputs (`joinWindowMs`).
   *
   * @default - Seldon's default
   */
  readonly joinWindow?: Duration;
}

/** Properties of a `SeldonPipeline`. */
export interface SeldonPipelineProps {
  /** The runtime the pipeline runs in; it needs an `eventBus`. */
  readonly runtime: SeldonRuntime;

  /** The steps, each a model of the runtime; a step may only read steps of this pipeline and the pipeline's inputs. */
  readonly steps: SeldonPipelineStep[];

  /**
   * The Pipeline's name: clients call `/v2/models/<name>/infer` with the header `Seldon-Model: <name>.pipeline`.
   *
   * @default - derived from the construct path
   */
  readonly name?: string;

  /**
   * What the pipeline answers with, in the notation of a step's `inputs`.
   *
   * @default - the outputs of the last step
   */
  readonly outputs?: string[];

  /**
   * How several outputs are joined.
   *
   * @default SeldonJoinType.INNER
   */
  readonly outputsJoin?: SeldonJoinType;

  /**
   * Renames the output tensors, from `<step>.outputs.<tensor>` to the name clients see.
   *
   * @default - tensors keep their names
   */
  readonly outputTensorMap?: { [source: string]: string };
}

/**
 * A Seldon Core v2 pipeline: a `Pipeline` (`mlops.seldon.io/v1alpha1`) that chains models, each step's output
 * (renamed with `tensorMap` where the next model expects other tensor names) feeding the next, with the data moving
 * through the runtime's Kafka.
 *
 * ```ts
 * new SeldonPipeline(this, 'IrisPipeline', {
 *   runtime,
 *   steps: [
 *     { model: preprocess },
 *     { model: classify, inputs: ['preprocess'], tensorMap: { 'preprocess.outputs.output-0': 'predict' } },
 *   ],
 * });
 * ```
 *
 * Checked when built, as Seldon's scheduler would refuse it (scheduler/pkg/store/pipeline/validate.go @v2.6.0):
 * at least one step, no step twice, no step named like the pipeline, every input, trigger, tensor map key and output
 * naming a step of the pipeline (or the pipeline's inputs) in Seldon's notation, and no cycle.
 */
export class SeldonPipeline extends Construct implements ISeldonInferenceTarget {
  /** The Pipeline's name. */
  public readonly name: string;
  /** `SeldonResourceType.PIPELINE`. */
  public readonly resourceType: SeldonResourceType = SeldonResourceType.PIPELINE;
  /** Its runtime. */
  public readonly runtime: SeldonRuntime;
  /** The Pipeline. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: SeldonPipelineProps) {
    super(scope, id);
    checkProps(this, props, {
      runtime: anInstanceOf(SeldonRuntime, "new SeldonRuntime(this, 'Seldon', { eventBus: kafka })"),
      steps: aListOf(anImplementationOf('SeldonPipelineStep', ['model'], '{ model: iris }')),
    }, {
      name: aDnsLabel("'iris-pipeline'"),
      outputs: aListOf(aString("'classify'")),
      outputTensorMap: aStringMap("{ 'classify.outputs.predict': 'species' }"),
    });
    props.steps.forEach((step, index) => checkProps(this, step, {
      model: anInstanceOf(SeldonModel, 'iris'),
    }, {
      inputs: aListOf(aString("'preprocess.outputs'")),
      tensorMap: aStringMap("{ 'preprocess.outputs.scaled': 'predict' }"),
      triggers: aListOf(aString("'check.outputs'")),
      joinWindow: aDuration({ example: 'Duration.seconds(2)', atLeast: Duration.millis(1), wholeSeconds: false }),
    }, `steps[${index}]`));
    this.runtime = props.runtime;
    this.name = props.name ?? Names.toDnsLabel(this);
    if (!props.runtime.eventBus) {
      throw new MlopsValidationError(this, `runtime '${props.runtime.node.path}' is invalid for a pipeline: it has no eventBus, and Seldon `
        + "pipelines move their data through Kafka; give the runtime eventBus: new Kafka(this, 'Kafka'), or Kafka.fromBootstrapServers([...])");
    }
    if (props.steps.length === 0) {
      throw new MlopsValidationError(this, 'steps is invalid: the list is empty; give at least one step, e.g. [{ model: iris }]');
    }
    const stepNames = this.checkSteps(props);
    const outputs = props.outputs ?? [props.steps[props.steps.length - 1].model.name];
    if (outputs.length === 0) {
      throw new MlopsValidationError(this, "outputs is invalid: the list is empty; give the steps the pipeline answers with, e.g. ['classify'], or leave it out for the last step");
    }
    const outputSteps = outputs.map((output) => this.stepOf('outputs', output, stepNames, false));
    this.checkTensorMap('outputTensorMap', props.outputTensorMap, outputSteps);
    this.checkCycles(props.steps);

    this.resource = new Pipeline(this, 'Resource', {
      metadata: { name: this.name, labels: componentLabels(this, { name: 'seldon', component: 'pipeline' }) },
      spec: {
        steps: props.steps.map((step) => stepSpec(step)),
        output: {
          steps: outputs,
          stepsJoin: props.outputsJoin,
          tensorMap: props.outputTensorMap,
        },
      },
    });
  }

  /** Lets `peer` call the pipeline (and the runtime's other models and pipelines) through the runtime's Envoy. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    this.runtime.allowInferenceFrom(peer);
  }

  /** Checks each step on its own and returns the step names. */
  private checkSteps(props: SeldonPipelineProps): Set<string> {
    const stepNames = new Set<string>();
    for (const { model } of props.steps) {
      if (model.runtime !== props.runtime) {
        throw new MlopsValidationError(this, `step '${model.name}' is invalid: its model belongs to runtime '${model.runtime.node.path}', and the `
          + `pipeline to '${props.runtime.node.path}'; a pipeline calls models of its own runtime`);
      }
      if (model.name === this.name) {
        throw new MlopsValidationError(this, `step '${model.name}' is invalid: it has the pipeline's name, which in an input means the pipeline's `
          + "inputs; give the pipeline another name, e.g. 'iris-pipeline'");
      }
      if (stepNames.has(model.name)) {
        throw new MlopsValidationError(this, `step '${model.name}' is invalid: the pipeline has it twice, and Seldon names a step after its `
          + 'model; call each model once, and read its outputs in every step that needs them');
      }
      stepNames.add(model.name);
    }
    for (const step of props.steps) {
      const where = `step '${step.model.name}'`;
      const inputSteps = (step.inputs ?? []).map((input) => this.stepOf(`${where} input`, input, stepNames, true));
      for (const trigger of step.triggers ?? []) {
        const triggerStep = this.stepOf(`${where} trigger`, trigger, stepNames, true);
        if (inputSteps.includes(triggerStep)) {
          throw new MlopsValidationError(this, `${where} trigger '${trigger}' is invalid: '${triggerStep}' is one of the step's inputs too, `
            + 'which Seldon refuses; keep it in inputs or in triggers');
        }
      }
      this.checkTensorMap(`${where} tensorMap`, step.tensorMap, inputSteps.length > 0 ? inputSteps : [this.name]);
      const window = step.joinWindow?.toMilliseconds();
      if (window !== undefined && (!Number.isInteger(window) || window > 2 ** 31 - 1)) {
        throw new MlopsValidationError(this, `${where} joinWindow '${step.joinWindow!.toHumanString()}' is invalid: must be a whole number of milliseconds, `
          + 'at most 2147483647 (Seldon keeps it in an int32), e.g. Duration.seconds(2)');
      }
    }
    return stepNames;
  }

  /**
   * The step `value` reads, in Seldon's notation (`<step>`, `<step>.(inputs|outputs)`, `<step>.(inputs|outputs).<tensor>`);
   * throws unless it names a step (or, for inputs, the pipeline).
   */
  private stepOf(what: string, value: string, stepNames: Set<string>, pipelineAllowed: boolean): string {
    const parts = value.split('.');
    const known = [...stepNames].join(', ');
    const notation = `<step>, <step>.outputs or <step>.outputs.<tensor> (or inputs for what a step received)${pipelineAllowed ? `, or '${this.name}' for the pipeline's inputs` : ''}`;
    if (parts.length > 3 || parts.some((part) => part === '') || (parts.length > 1 && parts[1] !== 'inputs' && parts[1] !== 'outputs')) {
      throw new MlopsValidationError(this, `${what} '${value}' is invalid: must be ${notation}, e.g. '${[...stepNames][0]}.outputs'`);
    }
    const step = parts[0];
    if (!stepNames.has(step) && !(pipelineAllowed && step === this.name)) {
      throw new MlopsValidationError(this, `${what} '${value}' is invalid: it names step '${step}', which is not a step of pipeline '${this.name}' `
        + `(its steps: ${known}); add a step with that model, or fix the name`);
    }
    return step;
  }

  /** Tensor map keys name a tensor of one of `sources`; values are tensor names. */
  private checkTensorMap(what: string, tensorMap: { [source: string]: string } | undefined, sources: string[]): void {
    for (const [key, value] of Object.entries(tensorMap ?? {})) {
      const parts = key.split('.');
      if (parts.length !== 3 || parts.some((part) => part === '') || (parts[1] !== 'outputs' && parts[1] !== 'inputs') || !sources.includes(parts[0])) {
        throw new MlopsValidationError(this, `${what} key '${key}' is invalid: must be <step>.outputs.<tensor> (or <step>.inputs.<tensor>) of `
          + `${sources.map((source) => `'${source}'`).join(', ')}, which it reads, e.g. '${sources[0]}.outputs.output-0'`);
      }
      if (value === '' || value.includes('.')) {
        throw new MlopsValidationError(this, `${what} value '${value}' of '${key}' is invalid: must be the tensor name the model expects, without '.', e.g. 'predict'`);
      }
    }
  }

  /** Seldon refuses a pipeline whose steps read each other in a circle. */
  private checkCycles(steps: SeldonPipelineStep[]): void {
    const reads = new Map(steps.map((step) => [step.model.name, [...step.inputs ?? [], ...step.triggers ?? []]
      .map((input) => input.split('.')[0])
      .filter((name) => name !== this.name)]));
    const done = new Set<string>();
    const visit = (name: string, path: string[]): void => {
      const start = path.indexOf(name);
      if (start >= 0) {
        const cycle = [...path.slice(start), name].join(' → ');
        throw new MlopsValidationError(this, `steps are invalid: they read each other in a cycle, ${cycle}, which Seldon refuses; `
          + 'break it, e.g. by having the first of them read the pipeline\'s inputs');
      }
      if (done.has(name)) return;
      for (const next of reads.get(name) ?? []) visit(next, [...path, name]);
      done.add(name);
    };
    for (const step of steps) visit(step.model.name, []);
  }
}

function stepSpec(step: SeldonPipelineStep): PipelineSpecSteps {
  return {
    name: step.model.name,
    inputs: step.inputs,
    tensorMap: step.tensorMap,
    triggers: step.triggers,
    inputsJoinType: step.inputsJoin,
    triggersJoinType: step.triggersJoin,
    joinWindowMs: step.joinWindow?.toMilliseconds(),
  };
}
