/**
 * The Kubernetes 1.28 JSON schema (`schemas/k8s-1.28/_definitions.json`), made strict, and one ajv instance that
 * compiles validators lazily: a kind's validator is compiled the first time an object of that kind is checked, and
 * kept for the life of the process and in the on-disk cache (`validator-cache.ts`). The ajv instance is only created
 * when a validator is not in that cache.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { closeKubernetesDefinitions } from './strict-schema';
import { cachedValidator, cacheKey, digest } from './validator-cache';

/** The package root: this file is `src/testing/*.ts` under ts-jest and `lib/testing/*.js` once compiled. */
export const PACKAGE_ROOT = path.join(__dirname, '..', '..');

/** `schemas/` in this repository; in the npm package, `lib/schemas/`: the same definitions without descriptions. */
const DEFINITIONS_FILE = [PACKAGE_ROOT, path.join(PACKAGE_ROOT, 'lib')]
  .map((base) => path.join(base, 'schemas', 'k8s-1.28', '_definitions.json'))
  .find((file) => fs.existsSync(file)) ?? path.join(PACKAGE_ROOT, 'schemas', 'k8s-1.28', '_definitions.json');

interface KubernetesSchemas {
  /** The parsed definitions file; made strict in place when the ajv instance is created. */
  readonly document: any;
  /** The digest of the definitions file's text, part of the cache keys of the validators. */
  readonly digest: string;
  /** `group/version/Kind` (group '' for the core group) to definition name. */
  readonly definitionsByGvk: Map<string, string>;
}

let loaded: KubernetesSchemas | undefined;
let compiler: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** The key of a group/version/kind in the indexes. */
export function gvkKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

/** Splits `apps/v1` into group `apps` and version `v1`; `v1` is the core group ''. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The shared ajv instance; the Kubernetes definitions are registered in it as schema `k8s`. */
export function schemaCompiler(): Ajv {
  if (compiler) return compiler;
  const { document } = load();
  closeKubernetesDefinitions(document.definitions);
  // strict: false lets the x-kubernetes-* keywords through; formats (int32, date-time...) are not checked.
  // Not inlining $refs and not optimizing the generated code make compiling the big schemas several times faster.
  // code.source keeps the generated code, for the on-disk cache.
  compiler = new Ajv({
    strict: false, validateFormats: false, allErrors: true, validateSchema: false, inlineRefs: false, code: { optimize: false, source: true },
  });
  compiler.addSchema(document, 'k8s');
  return compiler;
}

/** The digest of the Kubernetes definitions' text: validators that `$ref` them depend on it. */
export function kubernetesDefinitionsDigest(): string {
  return load().digest;
}

/** The validator of a built-in kind, or undefined if Kubernetes 1.28 has no such apiVersion and kind. */
export function kubernetesValidator(apiVersion: string, kind: string): ValidateFunction | undefined {
  const { group, version } = parseApiVersion(apiVersion);
  const key = gvkKey(group, version, kind);
  const cached = validators.get(key);
  if (cached) return cached;
  const schemas = load();
  const definition = schemas.definitionsByGvk.get(key);
  if (definition === undefined) return undefined;
  const validate = cachedValidator(cacheKey(['kubernetes', schemas.digest, key]), schemaCompiler, (ajv) => {
    const compiled = ajv.getSchema(`k8s#/definitions/${definition}`);
    if (!compiled) throw new Error(`ManifestValidator: cannot compile the schema of ${definition}`);
    return compiled;
  });
  validators.set(key, validate);
  return validate;
}

/** The apiVersions Kubernetes 1.28 serves a kind under, e.g. `['apps/v1']` for Deployment. */
export function kubernetesApiVersionsOf(kind: string): string[] {
  const versions: string[] = [];
  for (const key of load().definitionsByGvk.keys()) {
    const [group, version, keyKind] = key.split('/');
    if (keyKind === kind) versions.push(group ? `${group}/${version}` : version);
  }
  return versions;
}

function load(): KubernetesSchemas {
  if (loaded) return loaded;
  const text = fs.readFileSync(DEFINITIONS_FILE, 'utf8');
  const document = JSON.parse(text);
  const definitionsByGvk = new Map<string, string>();
  for (const [name, definition] of Object.entries<any>(document.definitions)) {
    for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
      definitionsByGvk.set(gvkKey(gvk.group ?? '', gvk.version, gvk.kind), name);
    }
  }
  loaded = { document, digest: digest(text), definitionsByGvk };
  return loaded;
}
