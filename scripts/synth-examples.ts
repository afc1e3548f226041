/**
 * Synthesizes every example app under examples/ into dist/<example>/.
 *
 * All examples run in this one process (transpiled, not type-checked: `npm run compile` type-checks them), and each
 * output folder is emptied first so that an object removed from the code disappears from dist/ too.
 */
import { readdirSync, rmSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const examplesDir = join(root, 'examples');
const only = process.argv.slice(2);

async function main(): Promise<void> {
  const examples = readdirSync(examplesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(examplesDir, entry.name, 'main.ts')))
    .map((entry) => entry.name)
    .filter((name) => only.length === 0 || only.includes(name))
    .sort();
  for (const name of examples) {
    const outdir = join(root, 'dist', name);
    rmSync(outdir, { recursive: true, force: true });
    // cdk8s's App takes its output directory from CDK8S_OUTDIR, as it does under `cdk8s synth`.
    process.env.CDK8S_OUTDIR = outdir;
    await import(join(examplesDir, name, 'main.ts'));
    console.log(`synthesized examples/${name} -> dist/${name}/`);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
