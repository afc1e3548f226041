/**
 * Large CRD schemas repeat the same subschemas many times (KServe's InferenceService embeds the container schema in
 * every predictor, transformer and explainer runtime). ajv generates code for every copy, which takes seconds; moving
 * each repeated subschema to `definitions` once and `$ref`-ing it makes compiling ~10 times faster.
 */

/** Subschemas shorter than this (as JSON) stay where they are. */
const MIN_SHARED_LENGTH = 200;

/** Replaces, in place, every repeated subschema of `schema` of some size by a `$ref` to one copy in `definitions`. */
export function shareRepeatedSubschemas(schema: any): void {
  const json = new Map<object, string>();
  const counts = new Map<string, number>();
  const count = (node: unknown): void => {
    for (const [, , child] of subschemas(node)) {
      const text = JSON.stringify(child);
      json.set(child, text);
      if (text.length < MIN_SHARED_LENGTH) continue; // neither it nor anything in it is shared
      const seen = counts.get(text) ?? 0;
      counts.set(text, seen + 1);
      // A repeat becomes a $ref to the first copy: what is inside it must not count twice.
      if (seen === 0) count(child);
    }
  };
  count(schema);

  const definitions: Record<string, unknown> = {};
  const names = new Map<string, string>();
  const share = (node: unknown): void => {
    for (const [container, key, child] of subschemas(node)) {
      const text = json.get(child);
      if (text === undefined || (counts.get(text) ?? 0) < 2) {
        share(child);
        continue;
      }
      let name = names.get(text);
      if (name === undefined) {
        name = `shared${names.size}`;
        names.set(text, name);
        definitions[name] = child;
        share(child);
      }
      container[key] = { $ref: `#/definitions/${name}` };
    }
  };
  share(schema);
  if (names.size > 0) schema.definitions = { ...schema.definitions, ...definitions };
}

/** The direct subschemas of a schema, each as [the object or array holding it, its key there, the subschema]. */
function subschemas(schema: unknown): Array<[any, string | number, object]> {
  const result: Array<[any, string | number, object]> = [];
  if (!isSchema(schema)) return result;
  const s: any = schema;
  if (isSchema(s.properties)) {
    for (const [name, property] of Object.entries(s.properties)) if (isSchema(property)) result.push([s.properties, name, property]);
  }
  for (const keyword of ['items', 'additionalProperties', 'not']) {
    if (isSchema(s[keyword])) result.push([s, keyword, s[keyword]]);
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(s[keyword])) s[keyword].forEach((sub: unknown, i: number) => isSchema(sub) && result.push([s[keyword], i, sub]));
  }
  return result;
}

function isSchema(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
