/**
 * Synthesizes every example app under examples/ into dist/<example>/ (or only the examples named as arguments).
 *
 * Speed matters here (it is the command users run most): instead of transpiling module by module at run time,
 * esbuild bundles each example with the library's sources into one CommonJS file, cached under
 * node_modules/.cache/cdk8s-mlops/synth/<hash of every input>/, so an unchanged tree skips even that. Each output
 * folder is emptied first so that an object removed from the code disappears from dist/ too. Type-checking is
 * `npx projen compile`'s job.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, version as esbuildVersion } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = join(root, 'examples');
const only = process.argv.slice(2);

const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(examplesDir, entry.name, 'main.ts')))
  .map((entry) => entry.name)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** A digest of everything a bundle is made from: the sources, the tsconfig path mapping, esbuild itself. */
function inputDigest() {
  const hash = createHash('sha256').update(`esbuild ${esbuildVersion}\n${examples.join(',')}\n`);
  const inputs = [...filesUnder(join(root, 'src')), ...filesUnder(examplesDir), join(root, 'test', 'tsconfig.json')];
  for (const file of inputs.sort()) {
    hash.update(`${relative(root, file)}\n`).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

async function bundles() {
  const outdir = join(root, 'node_modules', '.cache', 'cdk8s-mlops', 'synth', inputDigest());
  const mains = examples.map((name) => join(outdir, name, 'main.js'));
  if (!mains.every((main) => existsSync(main))) {
    await build({
      entryPoints: examples.map((name) => join(examplesDir, name, 'main.ts')),
      outbase: examplesDir,
      outdir,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      tsconfig: join(examplesDir, 'tsconfig.json'),
      logLevel: 'error',
    });
  }
  return mains;
}

try {
  const require = createRequire(import.meta.url);
  const mains = await bundles();
  examples.forEach((name, i) => {
    const outdir = join(root, 'dist', name);
    rmSync(outdir, { recursive: true, force: true });
    // cdk8s's App takes its output directory from CDK8S_OUTDIR, as it does under `cdk8s synth`.
    process.env.CDK8S_OUTDIR = outdir;
    require(mains[i]);
    console.log(`synthesized examples/${name} -> dist/${name}/`);
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
