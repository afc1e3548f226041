import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// eslint 9 keeps the .eslintrc engine, which projen generates the project's configuration for, under this entry point.
import { LegacyESLint } from 'eslint/use-at-your-own-risk';

/**
 * The layer rules of .eslintrc.json (generated from .projenrc.ts), run against a miniature source tree: they must
 * accept the imports the architecture allows and reject the others, so that `npx projen eslint` bites.
 */
const REPOSITORY = join(__dirname, '..', '..');
const ESLINTRC = JSON.parse(readFileSync(join(REPOSITORY, '.eslintrc.json'), 'utf8').replace(/^\/\/.*\n/, ''));
const LAYER_RULES = ['import/no-restricted-paths', 'import/no-cycle'];

const TREE: Record<string, string> = {
  'src/imports/crd.ts': 'export const crd = 1;\n',
  'src/core/contract.ts': "import { crd } from '../imports/crd';\nexport const contract = crd;\n",
  'src/core/uses-a-component.ts': "import { server } from '../data/server';\nexport const wrong = server;\n",
  'src/data/server.ts': "import { contract } from '../core/contract';\nexport const server = contract;\n",
  'src/serving/uses-core.ts': "import { contract } from '../core/contract';\nexport const fine = contract;\n",
  'src/serving/uses-another-component.ts': "import { server } from '../data/server';\nexport const wrong = server;\n",
  'src/serving/uses-platform.ts': "import { platform } from '../platform/platform';\nexport const wrong = platform;\n",
  'src/training/uses-another-component.ts': "import { fine } from '../serving/uses-core';\nexport const wrong = fine;\n",
  'src/platform/platform.ts': "import { server } from '../data/server';\nimport { fine } from '../serving/uses-core';\nexport const platform = [server, fine];\n",
  'src/platform/uses-testing.ts': "import { check } from '../testing/check';\nexport const wrong = check;\n",
  'src/testing/check.ts': 'export const check = 1;\n',
  'src/testing/uses-core.ts': "import { contract } from '../core/contract';\nexport const wrong = contract;\n",
  'src/storage/circle-a.ts': "import { b } from './circle-b';\nexport const a = () => b;\n",
  'src/storage/circle-b.ts': "import { a } from './circle-a';\nexport const b = () => a;\n",
};

let root: string;
let findings: Map<string, string[]>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'layer-rules-'));
  for (const [file, text] of Object.entries(TREE)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  const [restrictedLevel, restrictedOptions] = ESLINTRC.rules['import/no-restricted-paths'];
  const eslint = new LegacyESLint({
    cwd: root,
    useEslintrc: false,
    resolvePluginsRelativeTo: REPOSITORY,
    overrideConfig: {
      root: true,
      parser: require.resolve('@typescript-eslint/parser'),
      plugins: ['import'],
      settings: {
        'import/parsers': { [require.resolve('@typescript-eslint/parser')]: ['.ts'] },
        'import/resolver': { node: { extensions: ['.ts'] } },
      },
      rules: {
        'import/no-restricted-paths': [restrictedLevel, { ...restrictedOptions, basePath: root }],
        'import/no-cycle': ESLINTRC.rules['import/no-cycle'],
      },
    },
  });
  const results = await eslint.lintFiles(['src/**/*.ts']);
  findings = new Map(results.map((result) => [
    result.filePath.slice(root.length + 1),
    result.messages.map((message) => `${message.ruleId}: ${message.message}`),
  ]));
}, 30_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the project configures both layer rules as errors', () => {
  for (const rule of LAYER_RULES) {
    expect([ESLINTRC.rules[rule]].flat()[0]).toBe('error');
  }
});

test.each([
  'src/core/contract.ts',
  'src/data/server.ts',
  'src/serving/uses-core.ts',
  'src/platform/platform.ts',
  'src/testing/check.ts',
])('%s: an allowed import passes', (file) => {
  expect(findings.get(file)).toEqual([]);
});

test.each([
  ['src/core/uses-a-component.ts', 'core/ builds on src/imports/ only'],
  ['src/serving/uses-another-component.ts', 'a component builds on core/ and imports/ only; compose components in platform/'],
  ['src/serving/uses-platform.ts', 'a component builds on core/ and imports/ only; compose components in platform/'],
  ['src/training/uses-another-component.ts', 'a component builds on core/ and imports/ only; compose components in platform/'],
  ['src/platform/uses-testing.ts', "testing/ is for users' CI, not part of a platform"],
  ['src/testing/uses-core.ts', 'testing/ stands alone'],
])('%s: a forbidden import fails with the rule\'s reason', (file, reason) => {
  const messages = findings.get(file) ?? [];
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatch(/^import\/no-restricted-paths: /);
  expect(messages[0]).toContain(reason);
});

test('an import cycle fails in both files', () => {
  for (const file of ['src/storage/circle-a.ts', 'src/storage/circle-b.ts']) {
    expect(findings.get(file)).toEqual(['import/no-cycle: Dependency cycle detected.']);
  }
});
