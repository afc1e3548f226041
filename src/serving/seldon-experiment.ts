import { ApiObject, Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ISeldonInferenceTarget, SeldonResourceType } from './seldon-inference-target';
import { SeldonRuntime } from './seldon-runtime';
import { MlopsValidationError } from '../core/errors';
import { componentLabels } from '../core/labels';
import { aDnsLabel, aPercentage } from '../core/prop-kinds';
import { aListOf, anImplementationOf, checkProps } from '../core/props-check';
import { Experiment } from '../imports/seldon-experiment-mlops.seldon.io';

const A_TARGET = anImplementationOf('ISeldonInferenceTarget', ['name', 'resourceType', 'runtime'], 'irisV2');

/** A model or pipeline an experiment sends a share of the traffic to. */
export interface SeldonExperimentCandidate {
  /** The model or pipeline. */
  readonly target: ISeldonInferenceTarget;
  /** Its share of the traffic, in percent: the weights of an experiment add up to 100. */
  readonly weight: number;
}

/** A model or pipeline that gets a copy of some of the traffic, whose answers are dropped. */
export interface SeldonExperimentMirror {
  /** The model or pipeline. */
  readonly target: ISeldonInferenceTarget;
  /** The percentage of requests copied to it, 1 to 100. */
  readonly percent: number;
}

/** Properties of a `SeldonExperiment`. */
export interface SeldonExperimentProps {
  /** The models, or the pipelines, that share the traffic, with weights adding up to 100. */
  readonly candidates: SeldonExperimentCandidate[];

  /**
   * The candidate whose name the experiment takes over: requests to it are split between the candidates. Seldon runs
   * one experiment per default model or pipeline.
   *
   * @default - none: clients call the experiment itself, `Seldon-Model: <name>.experiment`
   */
  readonly defaultCandidate?: ISeldonInferenceTarget;

  /**
   * A model or pipeline that gets a copy of `percent` of the requests (shadow traffic).
   *
   * @default - no mirror
   */
  readonly mirror?: SeldonExperimentMirror;

  /**
   * The Experiment's name.
   *
   * @default - derived from the construct path
   */
  readonly name?: string;
}

/**
 * A Seldon Core v2 experiment: an `Experiment` (`mlops.seldon.io/v1alpha1`) that splits traffic between two or more
 * versions of the same or different models (or pipelines), optionally mirroring a share to another one.
 *
 * ```ts
 * new SeldonExperiment(this, 'IrisAb', {
 *   candidates: [{ target: irisV1, weight: 50 }, { target: irisV2, weight: 50 }],
 *   defaultCandidate: irisV1,
 * });
 * ```
 *
 * Checked when built. Seldon's own rules (scheduler/pkg/store/experiment/validate.go @v2.6.0): the default is one of
 * the candidates, no name appears twice among the candidates and the mirror, and one experiment per default model
 * or pipeline. This library's rule on top, as the deployment UI it reproduces: the weights add up to 100, so each is
 * the candidate's percentage (Seldon itself splits by weight / sum of weights). All candidates are models, or all are
 * pipelines (`resourceType`), of one runtime.
 */
export class SeldonExperiment extends Construct {
  /** The Experiment's name. */
  public readonly name: string;
  /** The runtime of its candidates. */
  public readonly runtime: SeldonRuntime;
  /** Whether it routes between models or pipelines. */
  public readonly resourceType: SeldonResourceType;
  /** The Experiment. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: SeldonExperimentProps) {
    super(scope, id);
    checkProps(this, props, {
      candidates: aListOf(anImplementationOf('SeldonExperimentCandidate', ['target', 'weight'], '{ target: irisV2, weight: 50 }')),
    }, {
      defaultCandidate: A_TARGET,
      mirror: anImplementationOf('SeldonExperimentMirror', ['target', 'percent'], '{ target: irisV3, percent: 10 }'),
      name: aDnsLabel("'iris-ab'"),
    });
    props.candidates.forEach((candidate, index) => checkProps(this, candidate, { target: A_TARGET, weight: aPercentage(50) }, {}, `candidates[${index}]`));
    if (props.mirror) {
      checkProps(this, props.mirror, { target: A_TARGET, percent: aPercentage(10, 1) }, {}, 'mirror');
    }
    this.name = props.name ?? Names.toDnsLabel(this);
    if (props.candidates.length === 0) {
      throw new MlopsValidationError(this, 'candidates is invalid: the list is empty; give the models (or pipelines) that share the traffic, '
        + 'e.g. [{ target: irisV1, weight: 50 }, { target: irisV2, weight: 50 }]');
    }
    const first = props.candidates[0].target;
    this.runtime = first.runtime;
    this.resourceType = first.resourceType;
    const targets = [...props.candidates.map((candidate) => candidate.target), ...props.mirror ? [props.mirror.target] : []];
    for (const target of targets) {
      if (target.resourceType !== this.resourceType) {
        throw new MlopsValidationError(this, `candidate '${target.name}' is invalid: it is a ${target.resourceType} and '${first.name}' a `
          + `${this.resourceType}; an experiment routes between models or between pipelines (resourceType), not both`);
      }
      if (target.runtime !== this.runtime) {
        throw new MlopsValidationError(this, `candidate '${target.name}' is invalid: it runs in runtime '${target.runtime.node.path}' and `
          + `'${first.name}' in '${this.runtime.node.path}'; an experiment routes within one runtime`);
      }
    }
    this.checkSeldonRules(props);
    this.checkWeights(props);
    if (props.defaultCandidate) {
      this.runtime._claimExperimentDefault(this, this.name, this.resourceType, props.defaultCandidate.name);
    }

    this.resource = new Experiment(this, 'Resource', {
      metadata: { name: this.name, labels: componentLabels(this, { name: 'seldon', component: 'experiment' }) },
      spec: {
        resourceType: this.resourceType,
        default: props.defaultCandidate?.name,
        candidates: props.candidates.map((candidate) => ({ name: candidate.target.name, weight: candidate.weight })),
        mirror: props.mirror ? { name: props.mirror.target.name, percent: props.mirror.percent } : undefined,
      },
    });
  }

  /** Lets `peer` call the experiment (and the runtime's models and pipelines) through the runtime's Envoy. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    this.runtime.allowInferenceFrom(peer);
  }

  private checkSeldonRules(props: SeldonExperimentProps): void {
    const names = props.candidates.map((candidate) => candidate.target.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate !== undefined) {
      throw new MlopsValidationError(this, `candidate '${duplicate}' is invalid: it is a candidate twice, which Seldon refuses; `
        + 'give each model or pipeline once, with the sum of the weights you meant');
    }
    if (props.mirror && names.includes(props.mirror.target.name)) {
      throw new MlopsValidationError(this, `mirror '${props.mirror.target.name}' is invalid: it is a candidate too, which Seldon refuses; `
        + 'mirror to a model or pipeline that gets no share of the traffic');
    }
    const defaultCandidate = props.defaultCandidate;
    if (defaultCandidate && !names.includes(defaultCandidate.name)) {
      throw new MlopsValidationError(this, `defaultCandidate '${defaultCandidate.name}' is invalid: it is not one of the candidates `
        + `(${names.join(', ')}), which Seldon refuses; give one of them, or add it as a candidate`);
    }
  }

  private checkWeights(props: SeldonExperimentProps): void {
    const sum = props.candidates.reduce((total, candidate) => total + candidate.weight, 0);
    if (sum !== 100) {
      throw new MlopsValidationError(this, `candidate weights are invalid: they add up to ${sum}, and this library's rule (as the deployment UI `
        + 'it reproduces) is that they add up to 100, each a percentage of the traffic (Seldon alone would split by weight / sum); '
        + `give weights that add up to 100, e.g. ${evenSplit(props.candidates.length).join(' and ')}`);
    }
  }
}

/** `count` whole percentages adding up to 100, as even as they can be: 50 and 50, 34 and 33 and 33. */
function evenSplit(count: number): number[] {
  const share = Math.floor(100 / count);
  return Array.from({ length: count }, (_, index) => share + (index < 100 - share * count ? 1 : 0));
}
