/**
 * Rule `secret-literal`: no Secret carries its values in the manifests. Credentials come from an existing Secret, an
 * ExternalSecret, or a Secret generated in the cluster (an empty Secret with the `mlops.cdk8s.io/generated-keys`
 * annotation, filled by a Job).
 */
import { asObject, finding, isObject } from './manifest-object';
import { groupKind } from './pod-specs';
import { ValidationFinding } from './validation-finding';

/** Reports every Secret with non-empty `data` or `stringData`. */
export function checkSecretLiterals(manifests: readonly unknown[]): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  for (const obj of manifests) {
    if (!isObject(obj) || groupKind(obj) !== '/Secret') continue;
    for (const field of ['data', 'stringData']) {
      const keys = Object.keys(asObject(obj[field]));
      if (keys.length > 0) {
        findings.push(finding('secret-literal', obj, `${field} holds literal values (keys: ${keys.join(', ')}); reference an existing Secret or generate it in the cluster instead`));
      }
    }
  }
  return findings;
}
