import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as YAML from 'yaml';

// Every example is a starter a user copies out of the repository: its own package.json names everything its code and
// its cdk8s.yaml use, and `cdk8s synth` type-checks. One starter is copied out, installed from the package tarball
// (`npx projen package:js`; .ci/run builds it before the tests) and synthesized as a user would.

const root = join(__dirname, '..', '..');
const examplesDir = join(root, 'examples');
const examples = readdirSync(examplesDir).filter((name) => existsSync(join(examplesDir, name, 'main.ts'))).sort();
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path, suffix);
    return entry.name.endsWith(suffix) ? [path] : [];
  });
}

/** The packages a folder's TypeScript imports (`cdk8s-plus-28`, `@scope/name`), without Node's own modules. */
function importedPackages(dir: string): string[] {
  const packages = new Set<string>();
  for (const file of filesUnder(dir, '.ts')) {
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '([^'.][^']*)'/g)) {
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      if (!builtinModules.includes(name) && !name.startsWith('node:')) packages.add(name);
    }
  }
  return [...packages].sort();
}

/** The lowest version a `^x.y.z` / `~x.y.z` / `x.y.z` range admits. */
function lowest(range: string): string {
  return range.replace(/^[\^~]/, '');
}

describe.each(examples)('examples/%s as a starter', (example) => {
  const dir = join(examplesDir, example);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const dependencies = { ...manifest.dependencies, ...manifest.devDependencies };

  test('its package.json names every package its code imports and what its cdk8s.yaml runs', () => {
    const needed = new Set([...importedPackages(dir), 'cdk8s-mlops', ...Object.keys(rootPackage.peerDependencies)]);
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...needed].sort());
    const config = YAML.parse(readFileSync(join(dir, 'cdk8s.yaml'), 'utf8'));
    expect(config).toEqual({ language: 'typescript', app: 'npx ts-node main.ts' });
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(['@types/node', 'cdk8s-cli', 'ts-node', 'typescript']);
    expect(manifest.scripts).toEqual({ synth: 'cdk8s synth' });
  });

  test("its version ranges admit the versions this repository is built and tested with, and this package's version", () => {
    expect(dependencies['cdk8s-mlops']).toBe(`^${rootPackage.version}`);
    for (const name of ['cdk8s', 'cdk8s-plus-28', 'constructs', 'cdk8s-cli', 'typescript', '@types/node']) {
      expect([name, lowest(dependencies[name])]).toEqual([name, lowest(rootPackage.devDependencies[name])]);
    }
  });

  test('its tsconfig.json stands alone and checks strictly, declaration files included', () => {
    const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.extends).toBeUndefined();
    expect(tsconfig.compilerOptions).toMatchObject({ strict: true, skipLibCheck: false });
  });
});

const tarballDir = join(root, 'build', 'packages', 'js');

/** The package tarball, when it is newer than every source file; in CI a missing or stale one fails. */
function packageTarball(): string | undefined {
  const tarball = existsSync(tarballDir) ? readdirSync(tarballDir).find((name) => name.endsWith('.tgz')) : undefined;
  const newestSource = Math.max(...filesUnder(join(root, 'src'), '.ts').map((file) => statSync(file).mtimeMs));
  const problem = tarball === undefined ? `there is no package tarball in ${tarballDir}`
    : statSync(join(tarballDir, tarball)).mtimeMs < newestSource ? `${tarball} is older than src/` : undefined;
  if (problem === undefined) return join(tarballDir, tarball!);
  const fix = 'run `npx projen compile && npx projen post-compile && npx projen package:js`';
  if (process.env.CI === 'true') throw new Error(`${problem}; .ci/run builds it before the tests (${fix})`);
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED: the starter test: ${problem}; ${fix}; CI runs it`);
  return undefined;
}

function run(command: string, args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: 'true' } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const tarball = packageTarball();
(tarball ? describe : describe.skip)('examples/quickstart copied out of the repository', () => {
  let dir: string;
  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'starter-')), 'quickstart');
    cpSync(join(examplesDir, 'quickstart'), dir, { recursive: true });
    // From npm's cache, which `npm ci` of this repository filled with the same packages: no registry round-trips.
    const install = run('npm', ['install', '--offline', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', tarball!], dir);
    expect(install).toMatchObject({ status: 0 });
  }, 180_000);
  afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  test("`cdk8s synth` writes what `npm run synth` writes in the repository, and the package's validator accepts it", () => {
    const synth = run('npx', ['cdk8s', 'synth'], dir);
    expect(synth).toMatchObject({ status: 0 });
    const yaml = readFileSync(join(dir, 'dist', 'quickstart.k8s.yaml'), 'utf8');
    expect(yaml).toBe(readFileSync(join(root, 'dist', 'quickstart', 'quickstart.k8s.yaml'), 'utf8'));

    // The package's own ManifestValidator, with the CRDs it ships (lib/crds/), not this repository's imports/.
    const check = run('node', ['-e', `
      const { ManifestValidator } = require('cdk8s-mlops');
      const findings = new ManifestValidator().validateYaml(require('fs').readFileSync('dist/quickstart.k8s.yaml', 'utf8'));
      console.log(JSON.stringify(findings));`], dir);
    expect(check.status).toBe(0);
    expect(JSON.parse(check.output)).toEqual([]);
    // Its compiled schemas are cached where the README says: the app's node_modules/.cache/cdk8s-mlops/.
    expect(readdirSync(join(dir, 'node_modules', '.cache', 'cdk8s-mlops')).length).toBeGreaterThan(0);
  }, 120_000);

  test('a type error fails the synth', () => {
    writeFileSync(join(dir, 'main.ts'), "const replicas: number = 'two';\nexport default replicas;\n");
    const synth = run('npx', ['cdk8s', 'synth'], dir);
    expect(synth.status).not.toBe(0);
    expect(synth.output).toContain("error TS2322: Type 'string' is not assignable to type 'number'");
  }, 60_000);
});
