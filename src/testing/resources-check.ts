/**
 * Rule `resources`: every container and init container requests cpu and memory and limits memory, in the pods of the
 * output and in those an operator renders from its configuration (a Seldon SeldonConfig's components, ServerConfigs).
 */
import { asObject, finding, jsonPath } from './manifest-object';
import { operatorConfigPodTemplates } from './operator-pods';
import { containersOf, podTemplatesIn } from './pod-specs';
import { ValidationFinding } from './validation-finding';

const REQUIRED: Array<[string, string]> = [['requests', 'cpu'], ['requests', 'memory'], ['limits', 'memory']];

/** Checks the resources of every container of every pod spec in the manifests. */
export function checkResources(manifests: readonly unknown[]): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  for (const pod of [...podTemplatesIn(manifests), ...operatorConfigPodTemplates(manifests)]) {
    for (const { container, path } of containersOf(pod)) {
      if (path.includes('.ephemeralContainers[')) continue; // ephemeral containers may not set resources
      const resources = asObject(container.resources);
      for (const [group, resource] of REQUIRED) {
        const value = asObject(resources[group])[resource];
        if (value === undefined || value === null || value === '') {
          const name = typeof container.name === 'string' ? ` (container "${container.name}")` : '';
          findings.push(finding('resources', pod.owner, `${jsonPath(path, 'resources', group, resource)} must be set${name}`));
        }
      }
    }
  }
  return findings;
}
