/**
 * Turns ajv errors into one readable sentence each, starting with the JSON path of the field:
 * `unknown field spec.template.spec.containers[0].foo`, `spec.replicas must be integer (found "2")`.
 */
import { ErrorObject } from 'ajv';
import { jsonPath } from './manifest-object';

/** Readable, de-duplicated messages for the errors ajv reported about `data`. */
export function schemaErrorMessages(errors: readonly ErrorObject[], data: unknown): string[] {
  // A failed anyOf/oneOf (IntOrString, Quantity, x-kubernetes-int-or-string) also reports each branch's failure;
  // those become one message: `spec.ports[0].targetPort must be string or integer`.
  // Other failed branches are listed: `... must match exactly one schema in oneOf: a is required, or b is required`.
  const junctors = errors.filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf');
  const branchErrors = new Set<ErrorObject>();
  const branches = new Map<ErrorObject, ErrorObject[]>();
  for (const junctor of junctors) {
    const inside = errors.filter((error) => error !== junctor
      && error.schemaPath.startsWith(`${junctor.schemaPath}/`) && error.instancePath.startsWith(junctor.instancePath));
    inside.forEach((error) => branchErrors.add(error));
    branches.set(junctor, inside);
  }

  const messages = new Set<string>();
  for (const error of errors) {
    if (!branchErrors.has(error)) messages.add(describe(error, data, branches));
  }
  return [...messages];
}

function describe(error: ErrorObject, data: unknown, branches: Map<ErrorObject, ErrorObject[]>): string {
  const { path, value } = locate(data, error.instancePath);
  const where = path || '(object)';
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field ${jsonPath(path, String(error.params.additionalProperty))}`;
    case 'required':
      return `${jsonPath(path, String(error.params.missingProperty))} is required`;
    case 'type':
      return `${where} must be ${error.params.type} (found ${found(value)})`;
    case 'enum':
      return `${where} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (found ${found(value)})`;
    case 'anyOf':
    case 'oneOf': {
      const inside = branches.get(error) ?? [];
      const types = inside.filter((e) => e.keyword === 'type' && e.instancePath === error.instancePath).map((e) => String(e.params.type));
      if (types.length > 0 && types.length === inside.length) return `${where} must be ${types.join(' or ')} (found ${found(value)})`;
      const reasons = [...new Set(inside.map((e) => describe(e, data, branches)))];
      return `${where} ${error.message}${reasons.length > 0 ? `: ${reasons.join(', or ')}` : ''}`;
    }
    default:
      return `${where} ${error.message}`;
  }
}

function found(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Follows a JSON pointer through the data: the readable path (array indexes as [n]) and the value there. */
function locate(data: unknown, pointer: string): { path: string; value: unknown } {
  let path = '';
  let value: any = data;
  if (pointer === '') return { path, value };
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      path = jsonPath(path, Number(segment));
      value = value[Number(segment)];
    } else {
      path = jsonPath(path, segment);
      value = typeof value === 'object' && value !== null ? value[segment] : undefined;
    }
  }
  return { path, value };
}
