import { ApiObject, Chart, Names, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KserveDeploymentMode } from './deployment-mode';
import { InferenceGraphStep } from './inference-graph-step';
import { HTTP_PORT, INFERENCE_GRAPH_LABEL } from './kserve-labels';
import { MlopsValidationError } from '../core/errors';
import { componentLabels } from '../core/labels';
import { allowIngress } from '../core/network';
import { aString, checkProps } from '../core/props-check';
import { quantities, quantityMap } from '../core/quantities';
import * as ig from '../imports/kserve-inferencegraph-serving.kserve.io';

const GRAPH_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const ROOT = 'root';

/** How a node routes a request through its steps (`routerType`). */
export enum InferenceRouterType {
  /** Each step in turn; a step may take the previous step's response (`data: '$response'`). */
  SEQUENCE = 'Sequence',
  /** One step, picked at random by weight; the weights sum to 100. */
  SPLITTER = 'Splitter',
  /** Every step in parallel; the responses are merged. */
  ENSEMBLE = 'Ensemble',
  /** The first step whose `condition` matches the request. */
  SWITCH = 'Switch',
}

/** A node of an inference graph. */
export interface InferenceGraphNode {
  /** How the node routes requests. */
  readonly routerType: InferenceRouterType;
  /** What the node calls. */
  readonly steps: InferenceGraphStep[];
}

/** Properties of `KserveInferenceGraph`. */
export interface KserveInferenceGraphProps {
  /**
   * The nodes by name. KServe enters the graph at the node named `root`; `InferenceGraphStep.toNode()` refers to the
   * others. The nodes must not form a cycle.
   */
  readonly nodes: { [name: string]: InferenceGraphNode };
  /**
   * The InferenceGraph's name: a DNS label starting with a letter, at most 63 characters.
   *
   * @default - derived from the construct path
   */
  readonly name?: string;
  /** @default KserveDeploymentMode.RAW_DEPLOYMENT */
  readonly deploymentMode?: KserveDeploymentMode;
  /** @default - KServe's default */
  readonly minReplicas?: number;
  /** @default - KServe's default */
  readonly maxReplicas?: number;
  /** The router's cpu and memory. @default - cpu request 100m; memory request 128Mi, limit 512Mi */
  readonly resources?: kplus.ContainerResources;
}

/**
 * A KServe InferenceGraph (`serving.kserve.io/v1alpha1`): a router that chains, splits, switches or ensembles
 * predictors.
 *
 * ```ts
 * new KserveInferenceGraph(this, 'Graph', {
 *   nodes: {
 *     root: { routerType: InferenceRouterType.SEQUENCE, steps: [
 *       InferenceGraphStep.toPredictor(preprocess),
 *       InferenceGraphStep.toNode('ab', { data: '$response' }),
 *     ] },
 *     ab: { routerType: InferenceRouterType.SPLITTER, steps: [
 *       InferenceGraphStep.toPredictor(modelA, { weight: 80 }),
 *       InferenceGraphStep.toPredictor(modelB, { weight: 20 }),
 *     ] },
 *   },
 * });
 * ```
 *
 * Checked when it is built: a `root` node exists, every node a step names exists, the nodes form no cycle, Splitter
 * weights sum to 100, Switch steps have conditions, predictors are in the graph's namespace. The router pods are
 * allowed through to every predictor the graph calls.
 */
export class KserveInferenceGraph extends Construct {
  /** The InferenceGraph's name. */
  public readonly name: string;
  /** The InferenceGraph. */
  public readonly resource: ApiObject;

  private readonly routerPods: kplus.Pods;

  constructor(scope: Construct, id: string, props: KserveInferenceGraphProps) {
    super(scope, id);
    checkProps(this, props, {
      nodes: {
        description: 'an object of InferenceGraphNodes by name',
        example: '{ root: { routerType: InferenceRouterType.SEQUENCE, steps: [...] } }',
        matches: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      },
    }, { name: aString("'iris-graph'") });
    this.name = props.name ?? Names.toDnsLabel(this);
    if (!GRAPH_NAME.test(this.name) || this.name.length > 63) {
      throw new MlopsValidationError(this, `name '${this.name}' is invalid: an InferenceGraph name must be lowercase letters, digits and '-', start with a letter, end with a letter or digit, and have at most 63 characters`);
    }
    const names = Object.keys(props.nodes);
    if (!names.includes(ROOT)) {
      throw new MlopsValidationError(this, `nodes are invalid: there is no node named '${ROOT}' (nodes: ${names.join(', ') || 'none'}); KServe enters a graph at the node named '${ROOT}'`);
    }
    const namespace = Chart.of(this).namespace;
    for (const [name, node] of Object.entries(props.nodes)) {
      this.checkNode(name, node, names, namespace);
    }
    this.checkAcyclic(props.nodes);

    this.routerPods = kplus.Pods.select(this, 'RouterPods', { labels: { [INFERENCE_GRAPH_LABEL]: this.name } });
    const deploymentMode = props.deploymentMode ?? KserveDeploymentMode.RAW_DEPLOYMENT;
    const resources = quantities(props.resources ?? {
      cpu: { request: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
    });
    this.resource = new ig.InferenceGraph(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: componentLabels(this, { name: 'kserve', component: 'inference-graph' }),
        annotations: { 'serving.kserve.io/deploymentMode': deploymentMode.value },
      },
      spec: {
        nodes: Object.fromEntries(Object.entries(props.nodes).map(([name, node]) => [name, {
          routerType: node.routerType as unknown as ig.InferenceGraphSpecNodesRouterType,
          steps: node.steps.map(stepSpec),
        }])),
        minReplicas: props.minReplicas,
        maxReplicas: props.maxReplicas,
        resources: {
          requests: quantityMap(resources.requests, ig.InferenceGraphSpecResourcesRequests.fromString),
          limits: quantityMap(resources.limits, ig.InferenceGraphSpecResourcesLimits.fromString),
        },
      },
    });

    const predictors = new Set(Object.values(props.nodes).flatMap((node) => node.steps.map((step) => step.predictor)));
    for (const predictor of predictors) {
      predictor?.allowFrom(this.routerPods);
    }
  }

  /** Allows `peer` to call the graph's router on port 8080. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.routerPods, peer, [HTTP_PORT]);
  }

  private checkNode(name: string, node: InferenceGraphNode, names: string[], namespace: string | undefined): void {
    const where = `node '${name}'`;
    if (node.steps.length === 0) {
      throw new MlopsValidationError(this, `${where} is invalid: it has no steps; give it at least one InferenceGraphStep`);
    }
    node.steps.forEach((step, index) => {
      const what = `${where} step ${index + 1}`;
      const { weight, condition, data } = step.options;
      if (step.nodeName !== undefined && !names.includes(step.nodeName)) {
        throw new MlopsValidationError(this, `${what} is invalid: it refers to node '${step.nodeName}', which the graph does not have (nodes: ${names.join(', ')})`);
      }
      if (step.predictor && step.predictor.namespace !== namespace) {
        throw new MlopsValidationError(this, `${what} is invalid: predictor '${step.predictor.name}' is in namespace '${step.predictor.namespace ?? 'none'}' and the graph in '${namespace ?? 'none'}'; KServe resolves serviceName in the graph's namespace, so put them together or use InferenceGraphStep.toUrl()`);
      }
      if (data !== undefined && data !== '$request' && data !== '$response') {
        throw new MlopsValidationError(this, `${what} data '${data}' is invalid: must be '$request' or '$response'`);
      }
      if (node.routerType === InferenceRouterType.SPLITTER) {
        if (weight === undefined || !Number.isInteger(weight) || weight < 0 || weight > 100) {
          throw new MlopsValidationError(this, `${what} weight '${weight}' is invalid: every step of a Splitter needs a whole-number weight from 0 to 100`);
        }
      } else if (weight !== undefined) {
        throw new MlopsValidationError(this, `${what} weight is invalid: only the steps of a Splitter node have weights (this node is a ${node.routerType})`);
      }
      if (node.routerType === InferenceRouterType.SWITCH && !condition) {
        throw new MlopsValidationError(this, `${what} is invalid: every step of a Switch node needs a condition, e.g. 'instances.#(species=="setosa")'`);
      }
    });
    if (node.routerType === InferenceRouterType.SPLITTER) {
      const weights = node.steps.map((step) => step.options.weight ?? 0);
      const sum = weights.reduce((a, b) => a + b, 0);
      if (sum !== 100) {
        throw new MlopsValidationError(this, `${where} is invalid: the weights of a Splitter must sum to 100, these sum to ${sum} (${weights.join(' + ')})`);
      }
    }
  }

  /** Depth-first search over `toNode` steps; reports the first cycle as `a → b → a`. */
  private checkAcyclic(nodes: { [name: string]: InferenceGraphNode }): void {
    const done = new Set<string>();
    const visit = (name: string, path: string[]): void => {
      if (path.includes(name)) {
        const cycle = [...path.slice(path.indexOf(name)), name].join(' → ');
        throw new MlopsValidationError(this, `nodes are invalid: they form a cycle ${cycle}; a request would never leave it`);
      }
      if (done.has(name)) return;
      for (const step of nodes[name].steps) {
        if (step.nodeName !== undefined) visit(step.nodeName, [...path, name]);
      }
      done.add(name);
    };
    for (const name of [ROOT, ...Object.keys(nodes).filter((n) => n !== ROOT).sort()]) visit(name, []);
  }
}

function stepSpec(step: InferenceGraphStep): ig.InferenceGraphSpecNodesSteps {
  const { name, data, condition, weight, dependency } = step.options;
  return {
    name,
    serviceName: step.predictor?.name,
    nodeName: step.nodeName,
    serviceUrl: step.url,
    data,
    condition,
    weight,
    dependency: dependency as unknown as ig.InferenceGraphSpecNodesStepsDependency | undefined,
  };
}
