import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';
import { HashedJob } from './hashed-job';
import { checkKplusObject } from './kplus-compat';
import { assertLabels, dnsSubdomainProblems } from './names';
import { aListOf, anInstanceOf, aString, aStringMap, checkArgument, checkProps } from './props-check';

/** What the scheduler does with a pod that would break a spread constraint. */
export enum SpreadPolicy {
  /** Schedule it anyway, preferring the least skewed placement (`ScheduleAnyway`). */
  SCHEDULE_ANYWAY = 'ScheduleAnyway',
  /** Leave it pending (`DoNotSchedule`). */
  DO_NOT_SCHEDULE = 'DoNotSchedule',
}

/** Spread a workload's pods over a topology domain (`topologySpreadConstraints`). */
export interface TopologySpread {
  /** The node label whose values are the domains, e.g. `topology.kubernetes.io/zone` or `kubernetes.io/hostname`. */
  readonly topologyKey: string;
  /**
   * How many more pods one domain may have than another.
   *
   * @default 1
   */
  readonly maxSkew?: number;
  /** @default SpreadPolicy.SCHEDULE_ANYWAY */
  readonly whenUnsatisfiable?: SpreadPolicy;
}

/** Where a component's pods run and what they pull with. */
export interface WorkloadPlacementOptions {
  /**
   * Node labels every pod requires (`nodeSelector`), e.g. `{ 'node-role.example.com/ml': 'true' }`.
   *
   * @default - any node
   */
  readonly nodeSelector?: { [label: string]: string };

  /**
   * The taints the pods tolerate, e.g. `NodeTaintQuery.exists('nvidia.com/gpu', { effect: TaintEffect.NO_SCHEDULE })`.
   *
   * @default - none
   */
  readonly tolerations?: kplus.NodeTaintQuery[];

  /**
   * Node label requirements that must all hold (required node affinity), e.g.
   * `NodeLabelQuery.in('topology.kubernetes.io/zone', ['eu-1a', 'eu-1b'])`.
   *
   * @default - none
   */
  readonly nodeAffinity?: kplus.NodeLabelQuery[];

  /**
   * How each workload's pods spread over topology domains; the constraint selects the workload's own pods.
   *
   * @default - none
   */
  readonly topologySpread?: TopologySpread[];

  /**
   * The PriorityClass of the pods.
   *
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;

  /**
   * Names of existing `kubernetes.io/dockerconfigjson` Secrets, in the pods' namespace, to pull images with.
   *
   * @default - none
   */
  readonly imagePullSecrets?: string[];
}

/**
 * Where a component's pods run and what they pull images with: node selector, tolerations, node affinity, topology
 * spread, priority class and image pull secrets, as one value that a component applies to every pod it makes.
 *
 * ```ts
 * const gpuNodes = WorkloadPlacement.of({
 *   nodeSelector: { 'nvidia.com/gpu.present': 'true' },
 *   tolerations: [kplus.NodeTaintQuery.exists('nvidia.com/gpu', { effect: kplus.TaintEffect.NO_SCHEDULE })],
 *   imagePullSecrets: ['registry-credentials'],
 * });
 * ```
 *
 * Use `applyTo` for your own kplus workloads, and `podSpecFields` for pod specs inside custom resources.
 */
export class WorkloadPlacement {
  /**
   * A placement. Its fields are checked where it is applied, and a label, class or Secret name that Kubernetes rejects
   * fails there, naming the construct.
   */
  public static of(options: WorkloadPlacementOptions): WorkloadPlacement {
    checkProps('WorkloadPlacement.of', options, {}, {
      nodeSelector: aStringMap("{ 'nvidia.com/gpu.present': 'true' }"),
      tolerations: aListOf(anInstanceOf(kplus.NodeTaintQuery, "NodeTaintQuery.exists('nvidia.com/gpu')")),
      nodeAffinity: aListOf(anInstanceOf(kplus.NodeLabelQuery, "NodeLabelQuery.in('topology.kubernetes.io/zone', ['a'])")),
      priorityClassName: aString("'ml-training'"),
      imagePullSecrets: aListOf(aString("'registry-credentials'")),
    }, 'options');
    return new WorkloadPlacement(options ?? {});
  }

  private constructor(private readonly options: WorkloadPlacementOptions) {}

  /** This placement with `names` added to its image pull secrets (each once). */
  public withImagePullSecrets(names: string[]): WorkloadPlacement {
    checkArgument('WorkloadPlacement.withImagePullSecrets', 'names', names, aListOf(aString("'registry-credentials'")));
    const imagePullSecrets = [...new Set([...(this.options.imagePullSecrets ?? []), ...names])];
    return new WorkloadPlacement({ ...this.options, imagePullSecrets });
  }

  /**
   * Applies the placement to the pod template of `workload` (a Deployment, StatefulSet, Job, CronJob or DaemonSet):
   * tolerations and node affinity through kplus, the other fields as JSON patches of its pod spec.
   */
  public applyTo(workload: kplus.Workload): void {
    checkKplusObject('WorkloadPlacement.applyTo', 'workload', workload);
    if (PLACED.has(workload)) {
      throw new MlopsValidationError(workload, 'placement is invalid: this workload was placed already, and a second placement '
        + 'would add its tolerations and patches again; give each workload one placement');
    }
    PLACED.add(workload);
    this.check(workload);
    for (const toleration of this.options.tolerations ?? []) {
      workload.scheduling.tolerate(kplus.Node.tainted(toleration));
    }
    if (this.options.nodeAffinity && this.options.nodeAffinity.length > 0) {
      workload.scheduling.attract(kplus.Node.labeled(...this.options.nodeAffinity));
    }
    const fields = this.plainFields(workload.matchLabels);
    if (Object.keys(fields).length === 0) {
      return;
    }
    if (workload instanceof HashedJob) {
      workload._addPodSpecFields(fields);
      return;
    }
    const apiObject = ApiObject.of(workload);
    const podSpec = podSpecPath(apiObject.kind);
    for (const [field, value] of Object.entries(fields)) {
      apiObject.addJsonPatch(JsonPatch.add(`${podSpec}/${field}`, value));
    }
  }

  /**
   * The placement as pod spec fields in Kubernetes' names (`nodeSelector`, `tolerations`, `affinity`,
   * `topologySpreadConstraints`, `priorityClassName`, `imagePullSecrets`), for a pod spec inside a custom resource.
   *
   * @param scope the construct the pods belong to, named in errors
   * @param podLabels labels that select the pods of the workload, for the spread constraints
   */
  public podSpecFields(scope: IConstruct, podLabels: { [key: string]: string }): { [field: string]: any } {
    this.check(scope);
    const fields: Record<string, unknown> = {};
    const tolerations = (this.options.tolerations ?? []).map((query) => query._toKube());
    if (tolerations.length > 0) {
      fields.tolerations = tolerations;
    }
    const requirements = (this.options.nodeAffinity ?? []).map((query) => query._toKube());
    if (requirements.length > 0) {
      const required = { nodeSelectorTerms: [{ matchExpressions: requirements }] };
      fields.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } };
    }
    return { ...fields, ...this.plainFields(podLabels) };
  }

  /** The fields that kplus has no API for. */
  private plainFields(podLabels: Record<string, string>): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    const { nodeSelector, topologySpread, priorityClassName, imagePullSecrets } = this.options;
    if (nodeSelector && Object.keys(nodeSelector).length > 0) {
      fields.nodeSelector = { ...nodeSelector };
    }
    if (topologySpread && topologySpread.length > 0) {
      fields.topologySpreadConstraints = topologySpread.map((spread) => ({
        maxSkew: spread.maxSkew ?? 1,
        topologyKey: spread.topologyKey,
        whenUnsatisfiable: spread.whenUnsatisfiable ?? SpreadPolicy.SCHEDULE_ANYWAY,
        labelSelector: { matchLabels: { ...podLabels } },
      }));
    }
    if (priorityClassName !== undefined) {
      fields.priorityClassName = priorityClassName;
    }
    if (imagePullSecrets && imagePullSecrets.length > 0) {
      fields.imagePullSecrets = imagePullSecrets.map((name) => ({ name }));
    }
    return fields;
  }

  private check(scope: IConstruct): void {
    const { nodeSelector, tolerations, nodeAffinity, topologySpread, priorityClassName, imagePullSecrets } = this.options;
    if (nodeSelector) {
      assertLabels(scope, 'placement.nodeSelector', nodeSelector);
    }
    // The taint and label keys (and label values) the queries carry are label syntax too, and the API server refuses
    // a pod whose toleration or affinity has a bad one.
    for (const toleration of tolerations ?? []) {
      const { key } = toleration._toKube();
      if (key !== undefined) assertLabels(scope, 'placement.tolerations', { [key]: 'x' });
    }
    for (const query of nodeAffinity ?? []) {
      const { key, values } = query._toKube();
      assertLabels(scope, 'placement.nodeAffinity', { [key]: 'x' });
      for (const value of values ?? []) assertLabels(scope, 'placement.nodeAffinity', { [key]: value });
    }
    for (const spread of topologySpread ?? []) {
      assertLabels(scope, 'placement.topologySpread topologyKey', { [spread.topologyKey]: 'x' });
      const skew = spread.maxSkew ?? 1;
      if (!Number.isInteger(skew) || skew < 1) {
        throw new MlopsValidationError(scope, `placement.topologySpread maxSkew '${skew}' is invalid: must be a whole number, 1 or more`);
      }
    }
    if (priorityClassName !== undefined) {
      const problems = dnsSubdomainProblems(priorityClassName);
      if (problems.length > 0) {
        throw new MlopsValidationError(scope, `placement.priorityClassName '${priorityClassName}' is invalid: ${problems.join('; ')}; give the name of a PriorityClass of the cluster`);
      }
    }
    for (const name of imagePullSecrets ?? []) {
      const problems = dnsSubdomainProblems(name);
      if (problems.length > 0) {
        throw new MlopsValidationError(scope, `placement.imagePullSecrets '${name}' is invalid: ${problems.join('; ')}; give the name of an existing Secret`);
      }
    }
  }
}

const PLACED = new WeakSet<kplus.Workload>();

/**
 * Applies `placement` to every workload under `scope` that no placement has reached yet, so that a component calls it
 * once after making its pods (and again after an `addX` that makes more), and a nested component's own placement,
 * applied first, wins.
 */
export function placeWorkloads(scope: IConstruct, placement: WorkloadPlacement | undefined): void {
  if (!placement) {
    return;
  }
  for (const child of scope.node.findAll()) {
    if (child instanceof kplus.Workload && !PLACED.has(child)) {
      placement.applyTo(child);
    }
  }
}

/** Where a kind keeps the spec of the pods it makes. */
function podSpecPath(kind: string): string {
  switch (kind) {
    case 'Pod':
      return '/spec';
    case 'CronJob':
      return '/spec/jobTemplate/spec/template/spec';
    default:
      return '/spec/template/spec';
  }
}

/** `placement` as props take it. */
export const A_PLACEMENT = anInstanceOf(WorkloadPlacement, "WorkloadPlacement.of({ nodeSelector: { 'example.com/pool': 'ml' } })");
