/**
 * Rule `reference`: every object a manifest names exists, in the output or among the external objects, in the same
 * namespace (objects without a namespace all share one).
 */
import { ExternalObject } from './external-object';
import { asArray, asObject, isObject, jsonPath, namespaceOf } from './manifest-object';
import { ObjectIndex } from './object-index';
import { operatorPodTemplates } from './operator-pods';
import { checkPodReferences } from './pod-reference-check';
import { groupKind, podTemplatesIn } from './pod-specs';
import { References } from './reference-context';
import { checkServiceReferences } from './service-reference-check';
import { ValidationFinding } from './validation-finding';

/** Checks every reference in the manifests. */
export function checkReferences(manifests: readonly unknown[], externalObjects: readonly ExternalObject[]): ValidationFinding[] {
  const refs = new References(new ObjectIndex(manifests, externalObjects));
  const pods = podTemplatesIn(manifests);
  for (const pod of pods) checkPodReferences(pod, refs);
  checkServiceReferences(manifests, [...pods, ...operatorPodTemplates(manifests)], refs);
  for (const obj of manifests) {
    if (!isObject(obj)) continue;
    const kind = groupKind(obj);
    if (kind === 'rbac.authorization.k8s.io/RoleBinding' || kind === 'rbac.authorization.k8s.io/ClusterRoleBinding') {
      checkBinding(obj, refs);
    } else if (kind === '/PersistentVolumeClaim' && asObject(obj.spec).volumeName) {
      refs.require(obj, 'spec.volumeName', 'PersistentVolume', '', obj.spec.volumeName);
    }
  }
  return refs.findings;
}

/** A (Cluster)RoleBinding's role and ServiceAccount subjects exist. */
function checkBinding(binding: Record<string, any>, refs: References): void {
  const namespace = namespaceOf(binding);
  const roleRef = asObject(binding.roleRef);
  if (roleRef.kind === 'Role' || roleRef.kind === 'ClusterRole') {
    refs.require(binding, 'roleRef', roleRef.kind, roleRef.kind === 'Role' ? namespace : '', roleRef.name);
  }
  asArray(binding.subjects).forEach((subject, index) => {
    const { kind, name, namespace: subjectNamespace } = asObject(subject);
    if (kind !== 'ServiceAccount') return;
    refs.require(binding, jsonPath('subjects', index), 'ServiceAccount', typeof subjectNamespace === 'string' ? subjectNamespace : namespace, name);
  });
}
