import Ajv from 'ajv';
import { shareRepeatedSubschemas } from '../../src/testing/shared-subschemas';
import { closeKubernetesDefinitions, javaScriptPattern, OBJECT_META_REF, strictCrdSchema } from '../../src/testing/strict-schema';

describe('strictCrdSchema', () => {
  test('closes object schemas with properties, except under preserve-unknown-fields and inside junctors', () => {
    const schema = strictCrdSchema({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            closed: { type: 'object', properties: { a: { type: 'string' } } },
            open: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true, 'properties': { b: { type: 'object', properties: { c: { type: 'string' } } } } },
            map: { type: 'object', additionalProperties: { type: 'string' } },
            either: { anyOf: [{ properties: { d: { type: 'string' } } }] },
            port: { 'x-kubernetes-int-or-string': true },
            count: { type: 'integer', minimum: 0, exclusiveMinimum: true },
          },
        },
      },
    });
    const spec = schema.properties.spec;
    expect(schema.additionalProperties).toBe(false);
    expect(spec.additionalProperties).toBe(false);
    expect(spec.properties.closed.additionalProperties).toBe(false);
    expect(spec.properties.open.additionalProperties).toBeUndefined();
    expect(spec.properties.open.properties.b.additionalProperties).toBeUndefined();
    expect(spec.properties.map.additionalProperties).toEqual({ type: 'string' });
    expect(spec.properties.either.anyOf[0].additionalProperties).toBeUndefined();
    expect(spec.properties.port.anyOf).toEqual([{ type: 'integer' }, { type: 'string' }]);
    expect(spec.properties.count).toEqual({ type: 'integer', exclusiveMinimum: 0 });
    expect(schema.properties.metadata).toEqual({ $ref: OBJECT_META_REF });
    expect(schema.properties.apiVersion).toEqual({ type: 'string' });
  });

  test('closeKubernetesDefinitions leaves maps and schemas without properties open', () => {
    const definitions: Record<string, any> = {
      Obj: { type: 'object', properties: { labels: { type: 'object', additionalProperties: { type: 'string' } } } },
      Raw: { type: 'object' },
    };
    closeKubernetesDefinitions(definitions);
    expect(definitions.Obj.additionalProperties).toBe(false);
    expect(definitions.Obj.properties.labels.additionalProperties).toEqual({ type: 'string' });
    expect(definitions.Raw.additionalProperties).toBeUndefined();
  });
});

describe('javaScriptPattern', () => {
  test('keeps patterns JavaScript understands', () => {
    expect(javaScriptPattern('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')).toEqual('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$');
  });

  test("rewrites Go's (?i) as case classes", () => {
    expect(javaScriptPattern('^(?i)(abort|warn)?$')).toEqual('^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$');
    expect(javaScriptPattern('^(?i)\\d+h$')).toEqual('^\\d+[hH]$');
  });

  test('drops what it cannot express', () => {
    expect(javaScriptPattern('^(?i)[a-z]+$')).toBeUndefined();
    expect(javaScriptPattern('^\\z(?P<name>x)$')).toBeUndefined();
  });
});

describe('shareRepeatedSubschemas', () => {
  test('moves repeated subschemas to definitions without changing what validates', () => {
    const container = {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { type: 'string', description: 'x'.repeat(200) }, port: { type: 'integer' } },
    };
    const original = {
      type: 'object',
      additionalProperties: false,
      properties: { a: { type: 'array', items: container }, b: { type: 'array', maxItems: 3, items: structuredClone(container) } },
    };
    const shared: any = structuredClone(original);
    shareRepeatedSubschemas(shared);
    expect(shared.properties.a.items).toEqual({ $ref: '#/definitions/shared0' });
    expect(shared.properties.b.items).toEqual({ $ref: '#/definitions/shared0' });
    expect(shared.definitions.shared0).toEqual(container);

    const ajv = new Ajv({ allErrors: true });
    const before = ajv.compile(original);
    const after = ajv.compile(shared);
    for (const data of [{ a: [{ name: 'x' }] }, { b: [{ name: 'x', port: 'p' }] }, { a: [{ nme: 'x' }] }, { c: 1 }]) {
      expect(after(data)).toEqual(before(data));
      expect(after.errors?.map((e) => [e.instancePath, e.keyword])).toEqual(before.errors?.map((e) => [e.instancePath, e.keyword]));
    }
  });
});
