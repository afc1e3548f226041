/**
 * Turns the Kubernetes and CRD schemas into strict JSON schemas that ajv can compile, as kubeconform's strict mode does:
 * an object schema that lists `properties` and says nothing about other fields rejects unknown fields.
 */
import { shareRepeatedSubschemas } from './shared-subschemas';

/** The definition every CRD object's `metadata` is checked against (CRD schemas leave it a bare object). */
export const OBJECT_META_REF = 'k8s#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

interface WalkState {
  /** Under `x-kubernetes-preserve-unknown-fields: true`: unknown fields are kept, so nothing is closed. */
  readonly open: boolean;
  /** Inside allOf/anyOf/oneOf/not: those branches only restate fields of their parent, so they stay open. */
  readonly inJunctor: boolean;
  /** A CRD schema: the `x-kubernetes-*` extensions apply. */
  readonly crd: boolean;
}

/** Closes every object schema of the Kubernetes definitions, in place. */
export function closeKubernetesDefinitions(definitions: Record<string, any>): void {
  for (const definition of Object.values(definitions)) {
    normalize(definition, { open: false, inJunctor: false, crd: false });
  }
}

/**
 * A strict copy of a CRD version's `openAPIV3Schema` whose `metadata` is checked as an ObjectMeta, with repeated
 * subschemas shared so that it compiles fast.
 */
export function strictCrdSchema(openApiV3Schema: unknown): any {
  const schema: any = structuredClone(openApiV3Schema ?? {});
  normalize(schema, { open: false, inJunctor: false, crd: true });
  if (isObjectSchema(schema) && isObjectSchema(schema.properties)) {
    schema.properties.apiVersion ??= { type: 'string' };
    schema.properties.kind ??= { type: 'string' };
    schema.properties.metadata = { $ref: OBJECT_META_REF };
  }
  shareRepeatedSubschemas(schema);
  return schema;
}

function normalize(schema: any, state: WalkState): void {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return;
  let open = state.open;
  if (state.crd && schema['x-kubernetes-preserve-unknown-fields'] === true) open = true;
  if (state.crd && schema['x-kubernetes-int-or-string'] === true && !schema.anyOf && !schema.oneOf) {
    delete schema.type;
    schema.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  convertDraft04Exclusive(schema, 'exclusiveMinimum', 'minimum');
  convertDraft04Exclusive(schema, 'exclusiveMaximum', 'maximum');
  if (typeof schema.pattern === 'string') {
    const pattern = javaScriptPattern(schema.pattern);
    if (pattern === undefined) delete schema.pattern;
    else schema.pattern = pattern;
  }
  if (isObjectSchema(schema.properties) && schema.additionalProperties === undefined && !open && !state.inJunctor) {
    schema.additionalProperties = false;
  }

  const child: WalkState = { ...state, open };
  for (const property of Object.values(schema.properties ?? {})) normalize(property, child);
  for (const item of Array.isArray(schema.items) ? schema.items : [schema.items]) normalize(item, child);
  normalize(schema.additionalProperties, child);
  const branch: WalkState = { ...child, inJunctor: true };
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    for (const sub of Array.isArray(schema[keyword]) ? schema[keyword] : []) normalize(sub, branch);
  }
  normalize(schema.not, branch);
}

function isObjectSchema(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Draft-04 `exclusiveMinimum: true` + `minimum: n` becomes draft-06+ `exclusiveMinimum: n`. */
function convertDraft04Exclusive(schema: any, exclusive: string, bound: string): void {
  if (typeof schema[exclusive] !== 'boolean') return;
  if (schema[exclusive] && typeof schema[bound] === 'number') {
    schema[exclusive] = schema[bound];
    delete schema[bound];
  } else {
    delete schema[exclusive];
  }
}

/**
 * CRD patterns are Go (RE2) regular expressions. Most are valid JavaScript too; Go's `(?i)` is rewritten as
 * `[aA]` classes. A pattern JavaScript cannot express is dropped (not checked) rather than failing the compile.
 */
export function javaScriptPattern(pattern: string): string | undefined {
  if (compiles(pattern)) return pattern;
  if (pattern.includes('(?i)')) {
    const folded = foldCase(pattern.split('(?i)').join(''));
    if (folded !== undefined && compiles(folded)) return folded;
  }
  return undefined;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** Makes every ASCII letter outside character classes case-insensitive; undefined if a class contains letters. */
function foldCase(pattern: string): string | undefined {
  let result = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      result += char + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (/[A-Za-z]/.test(char)) return undefined;
      if (char === ']') inClass = false;
      result += char;
    } else if (char === '[') {
      inClass = true;
      result += char;
    } else {
      result += /[A-Za-z]/.test(char) ? `[${char.toLowerCase()}${char.toUpperCase()}]` : char;
    }
  }
  return result;
}
