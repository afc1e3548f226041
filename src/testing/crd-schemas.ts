/**
 * The schemas of custom resources, read from CustomResourceDefinition YAML (or JSON) files: every vendored CRD plus the
 * user's own files. In this repository the vendored CRDs are `imports/`; the npm package carries them as `lib/crds/`,
 * the same schemas without their descriptions (scripts/slim-package.mjs).
 *
 * Some CRD files are large (KServe's InferenceService is ~1 MB of YAML, half a second to parse), so nothing is parsed
 * up front: when an object of a kind that is not built in shows up, only the files that look like they define that kind
 * are indexed (which kinds they serve), and the indexes and compiled validators are kept for the life of the process
 * and in the on-disk cache (`validator-cache.ts`): with both cached, a file is not parsed at all.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ValidateFunction } from 'ajv';
import * as YAML from 'yaml';
import { gvkKey, kubernetesDefinitionsDigest, PACKAGE_ROOT, schemaCompiler } from './kubernetes-schemas';
import { strictCrdSchema } from './strict-schema';
import { cachedJson, cachedValidator, cacheKey, digest } from './validator-cache';

/** The vendored CRDs: `imports/` in the repository, `lib/crds/` in the package. */
export const IMPORTS_DIR = [path.join(PACKAGE_ROOT, 'imports'), path.join(PACKAGE_ROOT, 'lib', 'crds')].find(fs.existsSync)
  ?? path.join(PACKAGE_ROOT, 'imports');

/**
 * `imports/newest/`: the CRDs of the newest operator versions (imports/SOURCES.md), which a validator only reads when
 * given the folder in `crdDirectories`. Not in the package.
 */
const NEWEST_CRDS_DIR = path.join(IMPORTS_DIR, 'newest');

/** One served version of a custom resource. */
export interface CrdVersion {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly file: string;
}

interface ParsedCrdVersion {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly openApiV3Schema: unknown;
}

const texts = new Map<string, string>();
const digests = new Map<string, string>();
const indexes = new Map<string, Map<string, CrdVersion>>();
const parsed = new Map<string, Map<string, ParsedCrdVersion>>();
const lookups = new Map<string, CrdVersion | null>();
const validators = new Map<CrdVersion, ValidateFunction>();
let importFiles: string[] | undefined;

/** Every `*.yaml` / `*.yml` / `*.json` file of the vendored CRDs, recursively, sorted; not those of `imports/newest/`. */
export function importedCrdFiles(): string[] {
  importFiles ??= fs.existsSync(IMPORTS_DIR)
    ? crdFilesUnder(IMPORTS_DIR).filter((file) => !file.startsWith(`${NEWEST_CRDS_DIR}${path.sep}`))
    : [];
  return importFiles;
}

/** The served CRD version of `group/version` `kind` defined in one of `files`, or undefined. */
export function findCrdVersion(files: string[], group: string, version: string, kind: string): CrdVersion | undefined {
  const key = gvkKey(group, version, kind);
  const lookupKey = `${files.join('\n')}\n${key}`;
  const known = lookups.get(lookupKey);
  if (known !== undefined) return known ?? undefined;

  // A CRD's group has a dot: `apps/v1beta1` is never a custom resource. Else look in the files already indexed, then
  // the files with a `kind: <Kind>` line, then any file that mentions both the group and the kind.
  const kindLine = new RegExp(`^\\s*["']?kind["']?\\s*:\\s*["']?${escapeRegExp(kind)}["']?\\s*,?\\s*$`, 'm');
  const passes: Array<(file: string) => boolean> = group.includes('.') ? [
    (file) => indexes.has(file),
    (file) => kindLine.test(readText(file)),
    (file) => readText(file).includes(group) && readText(file).includes(kind),
  ] : [];
  let found: CrdVersion | undefined;
  for (const pass of passes) {
    for (const file of files) {
      found = pass(file) ? crdIndex(file).get(key) : undefined;
      if (found) break;
    }
    if (found) break;
  }
  lookups.set(lookupKey, found ?? null);
  return found;
}

/** The compiled validator of a CRD version (compiled on first use). */
export function crdValidator(crd: CrdVersion): ValidateFunction {
  let validate = validators.get(crd);
  if (!validate) {
    const key = gvkKey(crd.group, crd.version, crd.kind);
    // The schema's metadata is a $ref to the Kubernetes ObjectMeta: the validator depends on both files.
    const cacheParts = ['crd', kubernetesDefinitionsDigest(), fileDigest(crd.file), key];
    validate = cachedValidator(cacheKey(cacheParts), schemaCompiler, (ajv) => {
      try {
        return ajv.compile(strictCrdSchema(parseCrdFile(crd.file).get(key)?.openApiV3Schema));
      } catch (error) {
        throw new Error(`ManifestValidator: cannot compile the schema of ${crd.kind} ${crd.group}/${crd.version} in ${crd.file}: ${(error as Error).message}`);
      }
    });
    validators.set(crd, validate);
  }
  return validate;
}

/** The served versions a file defines, by `group/version/Kind`: from the on-disk cache, or parsed. */
function crdIndex(file: string): Map<string, CrdVersion> {
  let index = indexes.get(file);
  if (!index) {
    const served = cachedJson(cacheKey(['crd-index', fileDigest(file)]),
      () => [...parseCrdFile(file).values()].map(({ group, version, kind }) => [group, version, kind]));
    index = new Map(served.map(([group, version, kind]) => [gvkKey(group, version, kind), { group, version, kind, file }]));
    indexes.set(file, index);
  }
  return index;
}

/** Parses a file once: every served version of every CustomResourceDefinition in it, by `group/version/Kind`. */
function parseCrdFile(file: string): Map<string, ParsedCrdVersion> {
  const cached = parsed.get(file);
  if (cached) return cached;
  const versions = new Map<string, ParsedCrdVersion>();
  for (const document of YAML.parseAllDocuments(readText(file))) {
    if (document.errors.length > 0) {
      throw new Error(`ManifestValidator: ${file} is not valid YAML: ${document.errors[0].message}`);
    }
    const crd = document.toJS({ maxAliasCount: -1 });
    if (crd?.kind !== 'CustomResourceDefinition' || typeof crd.spec !== 'object') continue;
    const group = crd.spec.group ?? '';
    const kind = crd.spec.names?.kind;
    for (const version of crd.spec.versions ?? []) {
      if (version?.served === false || typeof kind !== 'string') continue;
      versions.set(gvkKey(group, version.name, kind), {
        group, version: version.name, kind, openApiV3Schema: version.schema?.openAPIV3Schema ?? {},
      });
    }
  }
  parsed.set(file, versions);
  return versions;
}

function readText(file: string): string {
  let text = texts.get(file);
  if (text === undefined) {
    text = fs.readFileSync(file, 'utf8');
    texts.set(file, text);
  }
  return text;
}

function fileDigest(file: string): string {
  let hash = digests.get(file);
  if (hash === undefined) {
    hash = digest(readText(file));
    digests.set(file, hash);
  }
  return hash;
}

/** Every `*.yaml` / `*.yml` / `*.json` file under `dir`, recursively, sorted. */
export function crdFilesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...crdFilesUnder(full));
    else if (/\.(ya?ml|json)$/.test(entry.name)) files.push(full);
  }
  return files.sort();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
