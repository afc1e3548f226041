/**
 * The on-disk validator cache (src/testing/validator-cache.ts): the findings are the same whether the validators were
 * compiled in the process or loaded from the cache, a broken entry is compiled again, and an entry's key follows the
 * schema's text. Each run loads the library afresh (jest.isolateModules), as a new process would.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { deployment, object, service } from './fixtures';
import type { ValidationFinding } from '../../src/testing';
import { cacheKey, digest } from '../../src/testing/validator-cache';

const CACHE_VARIABLE = 'CDK8S_MLOPS_SCHEMA_CACHE';

interface Run {
  readonly findings: ValidationFinding[];
  /** How many times a CRD file was parsed. */
  readonly parses: number;
  /** How many times ajv was asked for a validator. */
  readonly compiles: number;
}

/** Validates `manifests` with freshly loaded modules and the cache `cache` (a directory or `off`). */
function freshRun(cache: string, manifests: any[], crdFile: string): Run {
  const previous = process.env[CACHE_VARIABLE];
  process.env[CACHE_VARIABLE] = cache;
  try {
    let run: Run | undefined;
    jest.isolateModules(() => {
      const parse = jest.spyOn(jest.requireActual<typeof import('yaml')>('yaml'), 'parseAllDocuments');
      const ajv = jest.requireActual<typeof import('ajv')>('ajv').default.prototype;
      const compile = jest.spyOn(ajv, 'compile');
      const getSchema = jest.spyOn(ajv, 'getSchema');
      const { ManifestValidator } = jest.requireActual<typeof import('../../src/testing')>('../../src/testing');
      const findings = new ManifestValidator({ additionalCrdFiles: [crdFile] }).validateManifests(manifests);
      run = { findings, parses: parse.mock.calls.length, compiles: compile.mock.calls.length + getSchema.mock.calls.length };
    });
    return run!;
  } finally {
    if (previous === undefined) delete process.env[CACHE_VARIABLE];
    else process.env[CACHE_VARIABLE] = previous;
  }
}

const widget = (spec: Record<string, any>, metadata: Record<string, any> = { name: 'w' }) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata, spec });

describe('validator cache', () => {
  const fixture = path.join(__dirname, 'fixtures', 'widgets-crd.yaml');
  let dir: string;
  let cache: string;
  let crdFile: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mlops-cache-'));
    cache = path.join(dir, 'cache');
    crdFile = path.join(dir, 'widgets-crd.yaml');
    fs.copyFileSync(fixture, crdFile);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // A built-in kind with a big $ref graph, an int-or-string anyOf, a CRD (recursive JSONSchemaProps), a custom
  // resource with a pattern, a oneOf and a bad ObjectMeta, and an unknown kind.
  const web = deployment('web');
  web.spec.replicas = 'two';
  web.spec.template.spec.containers[0].imagePullPolicy = 7;
  const manifests = [
    web,
    service('web', 'web', true as any),
    object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'gadgets.example.com', {
      spec: { group: 'example.com', names: { kind: 'Gadget', plural: 'gadgets' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 5 } } } } }] },
    }),
    widget({ size: 0, port: 1.5, color: 'blue', source: {}, shape: 'round' }, { name: 'w', labels: 'none' }),
    object('example.com/v2', 'Widget', 'w2'),
  ];
  const expected = [
    'Deployment web: spec.replicas must be integer (found "two")',
    'Deployment web: spec.template.spec.containers[0].imagePullPolicy must be string (found 7)',
    'Service web: spec.ports[0].targetPort must be string or integer (found true)',
    'CustomResourceDefinition gadgets.example.com: spec.versions[0].schema.openAPIV3Schema.properties.spec.type must be string (found 5)',
    'Widget w: metadata.labels must be object (found "none")',
    'Widget w: unknown field spec.shape',
    'Widget w: spec.size must be >= 1',
    'Widget w: spec.port must be integer or string (found 1.5)',
    'Widget w: spec.color must match pattern "^([rR][eE][dD]|[gG][rR][eE][eE][nN])$"',
    'Widget w: spec.source must match exactly one schema in oneOf: spec.source.git is required, or spec.source.bucket is required',
  ];
  const schemaMessages = (findings: ValidationFinding[]) => findings.filter((f) => f.rule === 'schema').map((f) => `${f.object}: ${f.message}`);

  test('findings are the same compiled in process, stored on disk and loaded from disk', () => {
    const inProcess = freshRun('off', manifests, crdFile);
    expect(schemaMessages(inProcess.findings)).toEqual(expected);
    expect(inProcess.findings.filter((f) => f.rule === 'unknown-kind').map((f) => f.object)).toEqual(['Widget w2']);
    expect(inProcess.parses).toBe(1);
    expect(inProcess.compiles).toBeGreaterThan(0);
    expect(fs.existsSync(cache)).toBe(false);

    const storing = freshRun(cache, manifests, crdFile);
    expect(storing.findings).toEqual(inProcess.findings);
    const entries = fs.readdirSync(cache);
    expect(entries.filter((name) => name.endsWith('.js'))).toHaveLength(4); // Deployment, Service, CRD, Widget
    expect(entries.filter((name) => name.endsWith('.json'))).toHaveLength(1); // the index of the widgets file
    expect(entries.filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const loading = freshRun(cache, manifests, crdFile);
    expect(loading.findings).toEqual(inProcess.findings);
    expect({ parses: loading.parses, compiles: loading.compiles }).toEqual({ parses: 0, compiles: 0 });
  });

  test('a partial or corrupt entry is compiled again and rewritten', () => {
    const expectedFindings = freshRun(cache, manifests, crdFile).findings;
    for (const name of fs.readdirSync(cache)) {
      const file = path.join(cache, name);
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, name.endsWith('.js') ? text.slice(0, text.length / 2) : `${text.slice(0, -2)}}\n`);
    }
    const recompiled = freshRun(cache, manifests, crdFile);
    expect(recompiled.findings).toEqual(expectedFindings);
    expect(recompiled.parses).toBeGreaterThan(0);
    expect(recompiled.compiles).toBeGreaterThan(0);
    expect(freshRun(cache, manifests, crdFile)).toEqual({ findings: expectedFindings, parses: 0, compiles: 0 });
  });

  test('a changed schema text is a new entry', () => {
    const valid = [widget({ size: 3 })];
    expect(freshRun(cache, valid, crdFile).findings).toEqual([]);
    const entries = fs.readdirSync(cache).length;
    fs.writeFileSync(crdFile, fs.readFileSync(crdFile, 'utf8').replace('minimum: 1', 'minimum: 5'));
    expect(schemaMessages(freshRun(cache, valid, crdFile).findings)).toEqual(['Widget w: spec.size must be >= 5']);
    expect(fs.readdirSync(cache).length).toBe(entries + 2); // a new index and a new validator

    const key = (text: string) => cacheKey(['crd', 'definitions digest', digest(text), 'example.com/v1/Widget']);
    expect(key('minimum: 1')).toBe(key('minimum: 1'));
    expect(key('minimum: 1')).not.toBe(key('minimum: 5'));
  });
});
