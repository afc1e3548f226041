/**
 * Rules `schema` and `unknown-kind`: every object is a known kind (Kubernetes 1.28, or a served version of a CRD) and
 * matches its strict schema.
 */
import { ValidateFunction } from 'ajv';
import { crdValidator, findCrdVersion } from './crd-schemas';
import { kubernetesApiVersionsOf, kubernetesValidator, parseApiVersion } from './kubernetes-schemas';
import { finding, isObject, nameOf } from './manifest-object';
import { schemaErrorMessages } from './schema-errors';
import { ValidationFinding } from './validation-finding';

/**
 * Checks every manifest against its schema. A custom kind is looked up in the groups of CRD files in order: the first
 * group with a CRD that serves it decides.
 */
export function checkSchemas(manifests: readonly unknown[], crdFileGroups: string[][]): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  manifests.forEach((obj, index) => {
    if (!isObject(obj)) {
      findings.push({ rule: 'schema', object: `manifest #${index}`, message: `(object) must be an object (found ${JSON.stringify(obj)})` });
      return;
    }
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
      findings.push(finding('schema', obj, 'apiVersion and kind must be non-empty strings'));
      return;
    }
    const validate = validatorFor(apiVersion, kind, crdFileGroups);
    if (!validate) {
      findings.push(finding('unknown-kind', obj, unknownKindMessage(apiVersion, kind)));
      return;
    }
    if (!validate(obj)) {
      for (const message of schemaErrorMessages(validate.errors ?? [], obj)) findings.push(finding('schema', obj, message));
    }
    if (nameOf(obj) === undefined && typeof obj.metadata?.generateName !== 'string') {
      findings.push(finding('schema', obj, 'metadata.name is required'));
    }
  });
  return findings;
}

function validatorFor(apiVersion: string, kind: string, crdFileGroups: string[][]): ValidateFunction | undefined {
  const builtIn = kubernetesValidator(apiVersion, kind);
  if (builtIn) return builtIn;
  const { group, version } = parseApiVersion(apiVersion);
  for (const crdFiles of crdFileGroups) {
    const crd = findCrdVersion(crdFiles, group, version, kind);
    if (crd) return crdValidator(crd);
  }
  return undefined;
}

function unknownKindMessage(apiVersion: string, kind: string): string {
  const builtInVersions = kubernetesApiVersionsOf(kind);
  const hint = builtInVersions.length > 0 ? ` (Kubernetes 1.28 serves ${kind} as ${builtInVersions.join(', ')})` : '';
  return `apiVersion "${apiVersion}" kind "${kind}" is neither a Kubernetes 1.28 kind nor served by a CRD in imports/ or additionalCrdFiles${hint}`;
}
