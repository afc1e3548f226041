/**
 * An on-disk cache of compiled validators, so that a new process (every jest test file runs in one) does not parse the
 * big schemas and compile their validators again: each validator is stored as ajv standalone code, and the small index
 * of each CRD file (which kinds it serves) as JSON, under `node_modules/.cache/cdk8s-mlops/`.
 *
 * An entry's name is a hash of everything its content depends on: the caller's inputs (schema text, kind), ajv's
 * version and the source of the modules that turn schemas into validators. Entries are written to a temporary file and
 * renamed, so concurrent processes never see a partial one; an entry that does not end with its own name is ignored.
 *
 * The environment variable `CDK8S_MLOPS_SCHEMA_CACHE` sets another directory, or `off` for no cache. Without a cache
 * (no `node_modules`, not writable) validators are compiled in memory, with the same results.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';

/** The modules whose code decides what a cached entry contains: the schema transforms, the compiler and this cache. */
const SOURCE_MODULES = ['kubernetes-schemas', 'crd-schemas', 'strict-schema', 'shared-subschemas', 'validator-cache'];

let directory: string | null | undefined;
let environmentDigest: string | undefined;

/** The sha256 of a text, hex. */
export function digest(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** The name of the entry for `parts` (e.g. a kind and the digest of its schema's text) in this environment. */
export function cacheKey(parts: readonly string[]): string {
  environmentDigest ??= digest(JSON.stringify([ajvVersion(), ...SOURCE_MODULES.flatMap(moduleSources)]));
  return digest(JSON.stringify([environmentDigest, ...parts]));
}

/** The validator stored under `key`, or else `compile(compiler())`'s, stored for the next process. */
export function cachedValidator(key: string, compiler: () => Ajv, compile: (ajv: Ajv) => ValidateFunction): ValidateFunction {
  const stored = readEntry(`${key}.js`);
  const loaded = stored === undefined ? undefined : evaluate(stored);
  if (loaded) return loaded;
  const ajv = compiler();
  const validate = compile(ajv);
  writeEntry(`${key}.js`, () => standaloneCode(ajv, validate));
  return validate;
}

/** The JSON value stored under `key`, or else `compute()`'s, stored for the next process. */
export function cachedJson<T>(key: string, compute: () => T): T {
  const stored = readEntry(`${key}.json`);
  if (stored !== undefined) {
    try {
      return JSON.parse(stored);
    } catch {
      // unreadable: computed again below
    }
  }
  const value = compute();
  writeEntry(`${key}.json`, () => JSON.stringify(value));
  return value;
}

/** The cache directory, created if needed; null if there is none or it cannot be written. */
function cacheDirectory(): string | null {
  if (directory === undefined) {
    const configured = process.env.CDK8S_MLOPS_SCHEMA_CACHE;
    directory = configured === 'off' ? null : writable(configured ? path.resolve(configured) : defaultDirectory());
  }
  return directory;
}

/**
 * `.cache/cdk8s-mlops` in the app's `node_modules`: the one this package is installed in (not the package's own, which
 * holds its bundled dependencies), or in this repository the nearest one above.
 */
function defaultDirectory(): string | undefined {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (path.basename(dir) === 'node_modules') return path.join(dir, '.cache', 'cdk8s-mlops');
  }
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const nodeModules = path.join(dir, 'node_modules');
    if (fs.existsSync(nodeModules)) return path.join(nodeModules, '.cache', 'cdk8s-mlops');
    if (path.dirname(dir) === dir) return undefined;
  }
}

function writable(dir: string | undefined): string | null {
  if (!dir) return null;
  try {
    makeDirectory(dir);
    fs.accessSync(dir, fs.constants.W_OK);
    return dir;
  } catch {
    return null;
  }
}

/** `mkdir -p`, by hand: Node's `mkdirSync(dir, { recursive: true })` loops forever where mkdir says ENOENT, e.g. under /proc. */
function makeDirectory(dir: string): void {
  if (fs.existsSync(dir)) return;
  makeDirectory(path.dirname(dir));
  try {
    fs.mkdirSync(dir);
  } catch (error) {
    // Another process may have just created it.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** An entry's text, if it is complete: it ends with a line naming the entry, written last. */
function readEntry(name: string): string | undefined {
  const dir = cacheDirectory();
  if (!dir) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, name), 'utf8');
  } catch {
    return undefined;
  }
  const trailer = trailerOf(name);
  return text.endsWith(trailer) ? text.slice(0, -trailer.length) : undefined;
}

/** Writes an entry atomically (a temporary file renamed); any failure only means it is not cached. */
function writeEntry(name: string, content: () => string): void {
  const dir = cacheDirectory();
  if (!dir) return;
  const file = path.join(dir, name);
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temporary, content() + trailerOf(name));
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}

function trailerOf(name: string): string {
  return `\n// ${name}\n`;
}

/** Runs a standalone validator module; its `require`s are ajv's runtime helpers, resolved from this module. */
function evaluate(code: string): ValidateFunction | undefined {
  try {
    const module = { exports: {} as unknown };
    new Function('module', 'exports', 'require', code)(module, module.exports, require);
    return typeof module.exports === 'function' ? module.exports as ValidateFunction : undefined;
  } catch {
    return undefined;
  }
}

function ajvVersion(): string {
  return JSON.parse(fs.readFileSync(require.resolve('ajv/package.json'), 'utf8')).version;
}

/** The text of a module next to this one: `.ts` under ts-jest or tsx, `.js` once compiled (both if both exist). */
function moduleSources(name: string): string[] {
  return ['.ts', '.js']
    .map((extension) => path.join(__dirname, `${name}${extension}`))
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file, 'utf8'));
}
