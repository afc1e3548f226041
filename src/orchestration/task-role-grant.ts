import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { TaskPermission } from './task-permission';
import { MlopsValidationError } from '../core/errors';
import { aNamespace } from '../core/prop-kinds';
import { aListOf, checkArgument } from '../core/props-check';

// How task permissions become RBAC objects, for the task pods' own ServiceAccount and for a `TaskServiceAccount`.

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
  if (namespaces !== undefined) {
    checkArgument(scope, 'namespaces', namespaces, A_NAMESPACES);
  }
}

/** The namespaces of a task permission. */
export const A_NAMESPACES = aListOf(aNamespace("'mlops'"));
