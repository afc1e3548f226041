/**
 * Rule `secret-literal`: no Secret carries its values in the manifests. Credentials come from an existing Secret, an
 * ExternalSecret, or a Secret generated in the cluster (an empty Secret with the `mlops.cdk8s.io/generated-keys`
 * annotation, filled by a Job). The one exception holds nothing secret: an Argo CD repository Secret (label
 * `argocd.argoproj.io/secret-type: repository`) whose `stringData` only says where and what the repository is.
 */
import { asObject, finding, isObject } from './manifest-object';
import { groupKind } from './pod-specs';
import { ValidationFinding } from './validation-finding';

/** The keys of an Argo CD repository Secret that are no credential (Argo CD's declarative setup; util/db/repository_secrets.go). */
const REPOSITORY_DESCRIPTION_KEYS = ['name', 'url', 'type', 'enableOCI', 'project'];

/** Reports every Secret with non-empty `data` or `stringData`, except an Argo CD repository Secret without credentials. */
export function checkSecretLiterals(manifests: readonly unknown[]): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  for (const obj of manifests) {
    if (!isObject(obj) || groupKind(obj) !== '/Secret' || describesRepository(obj)) continue;
    for (const field of ['data', 'stringData']) {
      const keys = Object.keys(asObject(obj[field]));
      if (keys.length > 0) {
        findings.push(finding('secret-literal', obj, `${field} holds literal values (keys: ${keys.join(', ')}); reference an existing Secret or generate it in the cluster instead`));
      }
    }
  }
  return findings;
}

function describesRepository(secret: Record<string, any>): boolean {
  return asObject(asObject(secret.metadata).labels)['argocd.argoproj.io/secret-type'] === 'repository'
    && Object.keys(asObject(secret.data)).length === 0
    && Object.keys(asObject(secret.stringData)).every((key) => REPOSITORY_DESCRIPTION_KEYS.includes(key));
}
