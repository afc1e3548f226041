/**
 * Makes the compiled package small (runs after jsii, as part of `npx projen post-compile`):
 *
 * - lib/imports/*.js, the generated CRD bindings (none of them is part of the public API), are minified in place.
 *   Their declarations are left out of the package by .npmignore: no public declaration refers to them.
 * - lib/crds/ receives each vendored CRD of imports/ as JSON without its `description` texts: all the
 *   ManifestValidator needs, at a sixth of the size, with the upstream LICENSE and NOTICE files and SOURCES.md. The
 *   package ships these instead of imports/.
 * - lib/schemas/ receives the Kubernetes definitions of schemas/ the same way, instead of schemas/.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import YAML from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function filesUnder(dir, suffix) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path, suffix);
    return entry.name.endsWith(suffix) ? [path] : [];
  }).sort();
}

/** Drops documentation: `description` keys whose value is text (a property named `description` is an object). */
function withoutDescriptions(value) {
  if (Array.isArray(value)) return value.map(withoutDescriptions);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value)
    .filter(([key, child]) => !(key === 'description' && typeof child === 'string'))
    .map(([key, child]) => [key, withoutDescriptions(child)]));
}

const bindingsDir = join(root, 'lib', 'imports');
if (!existsSync(bindingsDir)) {
  console.error('slim-package: lib/imports/ is missing; run `npx projen compile` first');
  process.exit(1);
}
for (const file of filesUnder(bindingsDir, '.js')) {
  const { code } = transformSync(readFileSync(file, 'utf8'), { loader: 'js', format: 'cjs', minify: true, keepNames: true, target: 'node20' });
  writeFileSync(file, code);
}

const importsDir = join(root, 'imports');
const crdsDir = join(root, 'lib', 'crds');
rmSync(crdsDir, { recursive: true, force: true });
// imports/newest/ (the CRDs of the newest operator versions) is for this repository's tests only.
const newestDir = join(importsDir, 'newest');
for (const file of filesUnder(importsDir, '').filter((path) => !path.startsWith(`${newestDir}/`))) {
  const target = join(crdsDir, relative(importsDir, file));
  mkdirSync(dirname(target), { recursive: true });
  if (file.endsWith('.yaml')) writeFileSync(target.replace(/\.yaml$/, '.json'), compactCrds(file));
  else copyFileSync(file, target);
}

/** The CustomResourceDefinitions of a file as JSON documents without descriptions. */
function compactCrds(file) {
  const documents = YAML.parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => document.toJS({ maxAliasCount: -1 }))
    .filter((document) => document?.kind === 'CustomResourceDefinition')
    .map(withoutDescriptions);
  // JSON documents are YAML documents, so the validator reads these files like the originals.
  return documents.map((document) => JSON.stringify(document)).join('\n---\n');
}

const definitions = join(root, 'schemas', 'k8s-1.28', '_definitions.json');
const compactDefinitions = join(root, 'lib', 'schemas', 'k8s-1.28', '_definitions.json');
mkdirSync(dirname(compactDefinitions), { recursive: true });
writeFileSync(compactDefinitions, JSON.stringify(withoutDescriptions(JSON.parse(readFileSync(definitions, 'utf8')))));
