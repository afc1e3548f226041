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

/** Checks every manifest against its schema; `crdFiles` are the CRD files to look custom kinds up in. */
export function checkSchemas(manifests: readonly unknown[], crdFiles: string[]): ValidationFinding[] {
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
    const validate = validatorFor(apiVersion, kind, crdFiles);
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

function validatorFor(apiVersion: string, kind: string, crdFiles: string[]): ValidateFunction | undefined {
  const builtIn = kubernetesValidator(apiVersion, kind);
  if (builtIn) return builtIn;
  const { group, version } = parseApiVersion(apiVersion);
  const crd = findCrdVersion(crdFiles, group, version, kind);
  return crd ? crdValidator(crd) : undefined;
}

function unknownKindMessage(apiVersion: string, kind: string): string {
  const builtInVersions = kubernetesApiVersionsOf(kind);
  const hint = builtInVersions.length > 0 ? ` (Kubernetes 1.28 serves ${kind} as ${builtInVersions.join(', ')})` : '';
  return `apiVersion "${apiVersion}" kind "${kind}" is neither a Kubernetes 1.28 kind nor served by a CRD in imports/ or additionalCrdFiles${hint}`;
}
