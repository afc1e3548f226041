import { ApiObject, Chart, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NotebookWorkspace } from './notebook-workspace';
import { NotebookWorkspaceProps } from './notebook-workspace-props';
import { TeamProps } from './team-props';
import { MlopsValidationError } from '../core/errors';
import { dnsLabelProblems } from '../core/names';
import { aNamespace, aSize } from '../core/prop-kinds';
import { aListOf, AN_IBUCKET, anImplementationOf, anInstanceOf, aString, checkProps } from '../core/props-check';
import { cpuMillis, DEFAULT_GPU_RESOURCE, gpuLimits, sizeQuantity } from '../core/quantities';
import { A_VOLUME_RETENTION } from '../core/volume-retention';

const Q = (value: string) => kplus.k8s.Quantity.fromString(value);

/**
 * A team's own namespace, for the engineers with limited permissions of a shared platform: the chart's Namespace with
 * Pod Security `restricted` enforced, a NetworkPolicy that denies all ingress but what the wiring verbs allow, a
 * ResourceQuota and a LimitRange, and RoleBindings that let the members edit everything in it (ClusterRole `edit`,
 * which cannot change the quota, the limits or the RoleBindings) and view the platform's namespace (`view`).
 *
 * ```ts
 * const team = new Team(new Chart(app, 'vision', { namespace: 'vision' }), 'Team', {
 *   members: ['alice', 'bob'],
 *   platformNamespace: 'mlops',
 *   quota: { cpu: kplus.Cpu.units(16), memory: Size.gibibytes(64), gpus: 2 },
 * });
 * team.addNotebook('Alice', { owner: 'alice', tracking: platform.mlflow });
 * ```
 */
export class Team extends Construct {
  /** The team's name: its namespace. */
  public readonly name: string;
  /** The team's Namespace. */
  public readonly namespace: kplus.Namespace;
  /** The NetworkPolicy that denies all ingress to the namespace's pods. */
  public readonly defaultDeny: kplus.NetworkPolicy;
  /** The namespace's ResourceQuota. */
  public readonly quota: ApiObject;
  /** The namespace's LimitRange. */
  public readonly limitRange: ApiObject;
  /** The team's workspaces, in the order added. */
  public readonly workspaces: NotebookWorkspace[] = [];

  private readonly props: TeamProps;

  constructor(scope: Construct, id: string, props: TeamProps) {
    super(scope, id);
    checkProps(this, props, {
      members: aListOf(aString("'alice'")),
      quota: anImplementationOf('TeamQuota', [], '{ cpu: kplus.Cpu.units(8), memory: Size.gibibytes(32) }'),
    }, {
      platformNamespace: aNamespace("'mlops'"),
      bucket: AN_IBUCKET,
      tracking: anImplementationOf('IMlflowTracking', ['trackingUri'], 'mlflow'),
      volumeRetention: A_VOLUME_RETENTION,
    });
    checkProps(this, props.quota, {
      cpu: anInstanceOf(kplus.Cpu, 'kplus.Cpu.units(8)'),
      memory: aSize({ example: 'Size.gibibytes(32)', atLeast: Size.gibibytes(1) }),
    }, {
      memoryLimit: aSize({ example: 'Size.gibibytes(64)', atLeast: Size.gibibytes(1) }),
      storage: aSize({ example: 'Size.gibibytes(100)', atLeast: Size.gibibytes(1) }),
      gpuResourceName: aString("'nvidia.com/gpu'"),
    }, 'props.quota');
    const namespace = Chart.of(this).namespace;
    if (!namespace) {
      throw new MlopsValidationError(this, "the chart has no namespace: a Team is its chart's namespace; give the chart the team's name, "
        + "e.g. new Chart(app, 'vision', { namespace: 'vision' })");
    }
    this.name = namespace;
    this.props = props;
    if (props.members.length === 0) {
      throw new MlopsValidationError(this, "members is invalid: the team has nobody; give its members' user names, e.g. ['alice']");
    }
    for (const member of props.members) {
      const problems = dnsLabelProblems(member);
      if (problems.length > 0) {
        throw new MlopsValidationError(this, `members entry '${member}' is invalid: ${problems.join('; ')}; a member's user name names its `
          + "RoleBinding subjects and workspaces, so give it as a DNS label, e.g. 'alice' (map e-mail logins to such names in the authenticator)");
      }
    }
    const labels = { 'app.kubernetes.io/part-of': 'cdk8s-mlops', 'mlops.cdk8s.io/team': namespace };

    this.namespace = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: namespace,
        labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.28' },
      },
    });
    // A Namespace is cluster-scoped: it must not carry the chart's namespace like the objects inside it.
    ApiObject.of(this.namespace).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    this.defaultDeny = new kplus.NetworkPolicy(this, 'DefaultDenyIngress', {
      selector: kplus.Pods.all(this, 'AllPods'),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });

    const quota = props.quota;
    const gpuResource = quota.gpuResourceName ?? DEFAULT_GPU_RESOURCE;
    const gpus = gpuLimits(this, quota.gpus ?? 0, gpuResource);
    this.quota = new kplus.k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { labels },
      spec: {
        hard: {
          'requests.cpu': Q(quota.cpu.amount),
          'requests.memory': Q(sizeQuantity(quota.memory)),
          'limits.memory': Q(sizeQuantity(quota.memoryLimit ?? Size.mebibytes(quota.memory.toMebibytes() * 2))),
          'requests.storage': Q(sizeQuantity(quota.storage ?? Size.gibibytes(100))),
          [`requests.${gpuResource}`]: Q(gpus[gpuResource] ?? '0'),
        },
      },
    });
    const defaults = props.defaultResources ?? {
      cpu: { request: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
    };
    const defaultRequest: Record<string, kplus.k8s.Quantity> = {};
    const defaultLimit: Record<string, kplus.k8s.Quantity> = {};
    if (defaults.cpu?.request) defaultRequest.cpu = Q(defaults.cpu.request.amount);
    if (defaults.cpu?.limit) defaultLimit.cpu = Q(defaults.cpu.limit.amount);
    if (defaults.memory?.request) defaultRequest.memory = Q(`${defaults.memory.request.toMebibytes()}Mi`);
    if (defaults.memory?.limit) defaultLimit.memory = Q(`${defaults.memory.limit.toMebibytes()}Mi`);
    this.limitRange = new kplus.k8s.KubeLimitRange(this, 'Limits', {
      metadata: { labels },
      spec: { limits: [{ type: 'Container', defaultRequest, default: defaultLimit }] },
    });

    const members = props.members.map((member) => kplus.User.fromName(this, `Member-${member}`, member));
    const edit = new kplus.RoleBinding(this, 'MembersEdit', {
      metadata: { labels },
      role: kplus.ClusterRole.fromClusterRoleName(this, 'Edit', 'edit'),
    });
    edit.addSubjects(...members);
    if (props.platformNamespace !== undefined) {
      const view = new kplus.RoleBinding(this, 'MembersViewPlatform', {
        metadata: { labels, namespace: props.platformNamespace },
        role: kplus.ClusterRole.fromClusterRoleName(this, 'View', 'view'),
      });
      view.addSubjects(...members);
    }
  }

  /**
   * A JupyterLab workspace in the team's namespace, writing the team's bucket, logging to the team's `tracking` and
   * keeping its home by the team's `volumeRetention`. Refused when the team's workspaces together would request more
   * cpu or memory than the quota holds.
   */
  public addNotebook(id: string, props: NotebookWorkspaceProps): NotebookWorkspace {
    const given = props ?? ({} as NotebookWorkspaceProps);
    const bucket = this.props.bucket;
    const writeBuckets = Array.isArray(given.writeBuckets) ? given.writeBuckets : [];
    const workspace = new NotebookWorkspace(this, id, {
      ...given,
      tracking: given.tracking ?? this.props.tracking,
      volumeRetention: given.volumeRetention ?? this.props.volumeRetention,
      writeBuckets: bucket && !writeBuckets.includes(bucket) ? [...writeBuckets, bucket] : given.writeBuckets,
    });
    this.workspaces.push(workspace);
    const quota = this.props.quota;
    const cpu = this.workspaces.reduce((sum, each) => sum + each.requests.cpuMillis, 0);
    const memory = this.workspaces.reduce((sum, each) => sum + each.requests.memory.toMebibytes(), 0);
    const others = this.workspaces.length > 1 ? ', with the team\'s other workspaces' : '';
    if (cpu > cpuMillis(quota.cpu)) {
      throw new MlopsValidationError(this, `addNotebook('${id}'): the workspaces request ${cpu}m cpu${others}, more than quota.cpu `
        + `'${quota.cpu.amount}' allows, and the namespace's ResourceQuota would refuse the pod; raise quota.cpu or give the workspace smaller resources`);
    }
    if (memory > quota.memory.toMebibytes()) {
      throw new MlopsValidationError(this, `addNotebook('${id}'): the workspaces request ${memory}Mi memory${others}, more than quota.memory `
        + `'${sizeQuantity(quota.memory)}' allows, and the namespace's ResourceQuota would refuse the pod; raise quota.memory or give the workspace smaller resources`);
    }
    return workspace;
  }
}
