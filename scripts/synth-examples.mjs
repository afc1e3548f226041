/**
 * Synthesizes every example app under examples/ into dist/<example>/ (or only the examples named as arguments).
 *
 * Speed matters here (it is the command users run most), and most of a plain run would go to finding, reading and
 * compiling a few hundred modules. So esbuild bundles each example with the library's sources and its dependencies
 * into one CommonJS file, cached under node_modules/.cache/cdk8s-mlops/synth/<digest of every input>/, and each
 * bundle runs with a V8 code cache next to it: an unchanged tree neither bundles nor compiles again. Each output
 * folder is emptied first so that an object removed from the code disappears from dist/ too. Type-checking is
 * `npx projen compile`'s job.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = join(root, 'examples');
const only = process.argv.slice(2);

const allExamples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(examplesDir, entry.name, 'main.ts')))
  .map((entry) => entry.name)
  .sort();
const unknown = only.filter((name) => !allExamples.includes(name));
if (unknown.length > 0) {
  console.error(`no example named ${unknown.join(', ')}; the examples are ${allExamples.join(', ')}`);
  process.exit(1);
}
const examples = only.length > 0 ? allExamples.filter((name) => only.includes(name)) : allExamples;

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * A digest of everything a bundle is made from: the sources, the tsconfig path mapping, package-lock.json for the
 * bundled dependencies and esbuild itself, and this script's build options.
 */
function inputDigest() {
  const hash = createHash('sha256').update(`${process.version}\n`);
  const inputs = [
    ...filesUnder(join(root, 'src')),
    ...filesUnder(examplesDir),
    join(root, 'test', 'tsconfig.json'),
    join(root, 'package-lock.json'),
    fileURLToPath(import.meta.url),
  ];
  for (const file of inputs.sort()) {
    hash.update(`${relative(root, file)}\n`).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The bundle of each example to synthesize; all examples are bundled together, so any selection shares one cache. */
async function bundles() {
  const cacheDir = join(root, 'node_modules', '.cache', 'cdk8s-mlops', 'synth');
  const digest = inputDigest();
  const outdir = join(cacheDir, digest);
  const main = (name) => join(outdir, name, 'main.js');
  if (!allExamples.every((name) => existsSync(main(name)))) {
    // Bundles of earlier sources are never used again.
    for (const stale of existsSync(cacheDir) ? readdirSync(cacheDir).filter((entry) => entry !== digest) : []) {
      rmSync(join(cacheDir, stale), { recursive: true, force: true });
    }
    const { build } = await import('esbuild');
    await build({
      entryPoints: allExamples.map((name) => join(examplesDir, name, 'main.ts')),
      outbase: examplesDir,
      outdir,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      tsconfig: join(examplesDir, 'tsconfig.json'),
      minifyWhitespace: true,
      minifySyntax: true,
      logLevel: 'error',
    });
  }
  return examples.map(main);
}

/** Runs a CommonJS bundle as `require` would, compiling it from (and then into) the V8 code cache beside it. */
function runBundle(file) {
  const codeCache = `${file}.v8-cache`;
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), {
    filename: file,
    cachedData: existsSync(codeCache) ? readFileSync(codeCache) : undefined,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  // Taken after the run, the cache also holds every function the synthesis compiled on the way.
  if (script.cachedDataRejected !== false) {
    writeFileSync(codeCache, script.createCachedData());
  }
}

try {
  const mains = await bundles();
  examples.forEach((name, i) => {
    const outdir = join(root, 'dist', name);
    rmSync(outdir, { recursive: true, force: true });
    // cdk8s's App takes its output directory from CDK8S_OUTDIR, as it does under `cdk8s synth`.
    process.env.CDK8S_OUTDIR = outdir;
    runBundle(mains[i]);
    console.log(`synthesized examples/${name} -> dist/${name}/`);
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
