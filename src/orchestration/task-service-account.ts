import { ApiObject, Chart, JsonPatch, Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { TaskPermission } from './task-permission';
import { MlopsValidationError } from '../core/errors';
import { dnsLabelProblems, dnsSubdomainProblems } from '../core/names';
import { aListOf, anInstanceOf, aString, checkProps } from '../core/props-check';

/** Where a task permission applies. */
export interface TaskGrantOptions {
  /**
   * The namespaces the permission applies in: one Role and RoleBinding in each.
   *
   * @default - the chart's namespace (Airflow's own)
   */
  readonly namespaces?: string[];
}

/** Properties of a `TaskServiceAccount`. */
export interface TaskServiceAccountProps extends TaskGrantOptions {
  /**
   * The ServiceAccount's name, which a task selects with `pod_override` (`service_account_name`), e.g. `airflow-trainer`.
   *
   * @default - derived from the construct path
   */
  readonly name?: string;

  /**
   * What tasks running as it may do, in `namespaces`; the same as calling `grant(permission)` for each.
   *
   * @default - nothing until `grant` is called
   */
  readonly permissions?: TaskPermission[];
}

/**
 * A ServiceAccount for the Airflow tasks of one purpose, with only the rights of its grants: a task selects it with
 * its `pod_override`, so that rights needed by a few tasks do not reach every task of every DAG. Its token is mounted
 * into the pods that run as it, so that in-cluster Kubernetes clients (`config.load_incluster_config()`,
 * `KubernetesPodOperator(in_cluster=True)`) work without a kubeconfig.
 *
 * ```ts
 * const trainer = airflow.addTaskServiceAccount('airflow-trainer', { permissions: [TaskPermission.SUBMIT_TRAINING_JOBS] });
 * ```
 */
export class TaskServiceAccount extends Construct {
  /** The ServiceAccount. */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** Its name, for `pod_override`. */
  public readonly serviceAccountName: string;

  private readonly namespaces?: string[];

  constructor(scope: Construct, id: string, props: TaskServiceAccountProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      name: aString("'airflow-trainer'"),
      permissions: aListOf(anInstanceOf(TaskPermission, 'TaskPermission.LAUNCH_PODS')),
      namespaces: aListOf(aString("'mlops'")),
    });
    const given = props ?? {};
    this.serviceAccountName = given.name ?? Names.toDnsLabel(this);
    const problems = dnsSubdomainProblems(this.serviceAccountName);
    if (problems.length > 0) {
      throw new MlopsValidationError(this, `name '${this.serviceAccountName}' is invalid: ${problems.join('; ')}; `
        + "give the ServiceAccount name tasks select with pod_override, e.g. 'airflow-trainer'");
    }
    this.namespaces = given.namespaces;
    this.serviceAccount = new kplus.ServiceAccount(this, 'Resource', {
      metadata: { name: this.serviceAccountName },
      automountToken: true,
    });
    for (const permission of given.permissions ?? []) {
      this.grant(permission);
    }
  }

  /**
   * Lets the tasks that run as this ServiceAccount do what `permission` allows, in `options.namespaces` (default: the
   * namespaces of the props, else the chart's). Returns the Roles, one per namespace.
   */
  public grant(permission: TaskPermission, options: TaskGrantOptions = {}): kplus.Role[] {
    return grantTaskPermission(this, this.serviceAccount, permission, options?.namespaces ?? this.namespaces);
  }
}

/**
 * A Role with `permission`'s rules in each of `namespaces` (the chart's when none), bound to `account`; granting the same
 * permission in the same namespace again returns the Role made before.
 */
export function grantTaskPermission(
  scope: Construct, account: kplus.ServiceAccount, permission: TaskPermission, namespaces: string[] | undefined,
): kplus.Role[] {
  checkPermission(scope, permission, namespaces);
  return (namespaces ?? [Chart.of(scope).namespace]).map((namespace) => {
    const id = `${permission.name}-${namespace ?? 'own-namespace'}`;
    const existing = scope.node.tryFindChild(id);
    if (existing instanceof kplus.Role) {
      return existing;
    }
    const role = new kplus.Role(scope, id, { metadata: { namespace }, rules: permission._rules });
    new kplus.RoleBinding(scope, `${id}-binding`, { metadata: { namespace }, role }).addSubjects(account);
    return role;
  });
}

/** Mounts the token of `account` into its pods, for in-cluster Kubernetes clients. */
export function mountServiceAccountToken(account: kplus.ServiceAccount): void {
  if (!account.automountToken) {
    ApiObject.of(account).addJsonPatch(JsonPatch.add('/automountServiceAccountToken', true));
  }
}

function checkPermission(scope: IConstruct, permission: TaskPermission, namespaces: string[] | undefined): void {
  if (!(permission instanceof TaskPermission)) {
    throw new MlopsValidationError(scope, 'permission is invalid: expected a TaskPermission; give e.g. TaskPermission.LAUNCH_PODS');
  }
  if (namespaces !== undefined && (!Array.isArray(namespaces) || namespaces.length === 0)) {
    throw new MlopsValidationError(scope, 'namespaces is invalid: expected a non-empty list of namespace names; give e.g. '
      + "['mlops'], or leave it out for the chart's namespace");
  }
  for (const namespace of namespaces ?? []) {
    const problems = typeof namespace === 'string' ? dnsLabelProblems(namespace) : ['must be a string'];
    if (problems.length > 0) {
      throw new MlopsValidationError(scope, `namespace '${namespace}' of ${permission.name} is invalid: ${problems.join('; ')}; `
        + "give the name of a namespace, e.g. 'mlops'");
    }
  }
}
