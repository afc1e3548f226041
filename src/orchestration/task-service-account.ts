import { Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { TaskPermission } from './task-permission';
import { A_NAMESPACES, grantTaskPermission } from './task-role-grant';
import { anObjectName } from '../core/prop-kinds';
import { aListOf, anInstanceOf, checkProps } from '../core/props-check';

/** Where a task permission applies. */
export interface TaskGrantOptions {
  /**
   * The namespaces the permission applies in: one Role and RoleBinding in each.
   *
   * @default - the chart's namespace (Airflow's own)
   */
  readonly namespaces?: string[];
}

/** What the tasks running as a `TaskServiceAccount` may do, and where. */
export interface TaskServiceAccountOptions extends TaskGrantOptions {
  /**
   * What tasks running as it may do, in `namespaces`; the same as calling `grant(permission)` for each.
   *
   * @default - nothing until `grant` is called
   */
  readonly permissions?: TaskPermission[];
}

/** Properties of a `TaskServiceAccount`. */
export interface TaskServiceAccountProps extends TaskServiceAccountOptions {
  /**
   * The ServiceAccount's name, which a task selects with `pod_override` (`service_account_name`), e.g. `airflow-trainer`.
   *
   * @default - derived from the construct path
   */
  readonly name?: string;
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
      name: anObjectName("'airflow-trainer'"),
      permissions: aListOf(anInstanceOf(TaskPermission, 'TaskPermission.LAUNCH_PODS')),
      namespaces: A_NAMESPACES,
    });
    const given = props ?? {};
    this.serviceAccountName = given.name ?? Names.toDnsLabel(this);
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
