/**
 * Small helpers shared by the checks: reading loosely-typed manifest objects and naming things in messages.
 * Manifests may be malformed (that is what the schema check reports), so every reader here tolerates any input.
 */
import { ValidationFinding } from './validation-finding';

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value if it is a JSON object, else an empty object. */
export function asObject(value: unknown): Record<string, any> {
  return isObject(value) ? value : {};
}

/** The value if it is an array, else an empty array. */
export function asArray(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** The keys and string values of a string map (labels, selectors); other values are skipped. No prototype keys. */
export function stringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = Object.create(null);
  for (const [key, item] of Object.entries(asObject(value))) {
    if (typeof item === 'string') result[key] = item;
  }
  return result;
}

/** The namespace of a manifest object; '' when it has none (all such objects share one namespace). */
export function namespaceOf(obj: unknown): string {
  const namespace = asObject(asObject(obj).metadata).namespace;
  return typeof namespace === 'string' ? namespace : '';
}

/** The name of a manifest object, or undefined. */
export function nameOf(obj: unknown): string | undefined {
  const name = asObject(asObject(obj).metadata).name;
  return typeof name === 'string' ? name : undefined;
}

/** `Kind namespace/name`, or `Kind name` for an object without a namespace. */
export function describeObject(obj: unknown): string {
  const kind = asObject(obj).kind;
  const namespace = namespaceOf(obj);
  const name = nameOf(obj) ?? '(unnamed)';
  return `${typeof kind === 'string' ? kind : '(no kind)'} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** `Kind "name"` or `Kind "namespace/name"` for a referenced object. */
export function describeRef(kind: string, namespace: string, name: string): string {
  return `${kind} "${namespace ? `${namespace}/` : ''}${name}"`;
}

/**
 * Appends segments to a JSON path: `jsonPath('spec', 'containers', 0, 'env')` is `spec.containers[0].env`;
 * keys that are not plain identifiers are quoted: `metadata.labels["app.kubernetes.io/name"]`.
 */
export function jsonPath(base: string, ...segments: Array<string | number>): string {
  let path = base;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      path += `[${segment}]`;
    } else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) {
      path += path ? `.${segment}` : segment;
    } else {
      path += `[${JSON.stringify(segment)}]`;
    }
  }
  return path;
}

/** A finding of `rule` about the manifest object `obj`. */
export function finding(rule: string, obj: unknown, message: string): ValidationFinding {
  return { rule, object: describeObject(obj), message };
}
