/**
 * Rule `unique`: no two objects claim one name, and no two Services one NodePort. `kubectl apply` would silently let
 * the second object of a kind, namespace and name replace the first, and the API server refuses a NodePort that
 * another Service of the cluster holds (NodePorts are cluster-wide, whatever the namespace).
 */
import { asArray, asObject, describeObject, finding, isObject, nameOf, namespaceOf } from './manifest-object';
import { groupKind } from './pod-specs';
import { ValidationFinding } from './validation-finding';

/** Reports the second and later objects of a kind, namespace and name, and every Service after the first on a NodePort. */
export function checkUnique(manifests: readonly unknown[]): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  const names = new Map<string, unknown>();
  const nodePorts = new Map<number, unknown>();
  for (const obj of manifests) {
    if (!isObject(obj) || nameOf(obj) === undefined) continue;
    const key = `${groupKind(obj)}\n${namespaceOf(obj)}\n${nameOf(obj)}`;
    const first = names.get(key);
    if (first !== undefined) {
      findings.push(finding('unique', obj, `another object has this kind, namespace and name (${describeObject(first)}); the one applied last `
        + 'would replace the other: give one of them another name'));
    } else {
      names.set(key, obj);
    }
    if (groupKind(obj) !== '/Service') continue;
    for (const [index, port] of asArray(asObject(obj.spec).ports).entries()) {
      const nodePort = asObject(port).nodePort;
      if (typeof nodePort !== 'number') continue;
      const holder = nodePorts.get(nodePort);
      if (holder !== undefined) {
        findings.push(finding('unique', obj, `spec.ports[${index}].nodePort ${nodePort} is taken by ${describeObject(holder)}: NodePorts are `
          + 'cluster-wide; give each Service its own port'));
      } else {
        nodePorts.set(nodePort, obj);
      }
    }
  }
  return findings;
}
