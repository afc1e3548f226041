import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart } from 'cdk8s';
import * as ts from 'typescript';
import * as library from '../../src';
import { ManifestValidator } from '../../src/testing';

// Every TypeScript block in the README and the examples' READMEs compiles as written: as a module of its own, or, as
// jsii-rosetta does it, inside a fixture named on its fence (```ts fixture=<name>, rosetta/<name>.ts-fixture, whose
// `/// here` line the block replaces; a fixture's `declare const` of a name the block declares itself is dropped).
// `cdk8s-mlops` resolves to src/, the rest to node_modules/.

const root = join(__dirname, '..', '..');
const documents = ['README.md', ...readdirSync(join(root, 'examples')).map((name) => join('examples', name, 'README.md'))]
  .filter((file) => existsSync(join(root, file)));

interface DocBlock {
  /** `README.md:148`: where the fence opens. */
  readonly where: string;
  /** A virtual file path for the compiler. */
  readonly file: string;
  readonly source: string;
  /** ```ts validate: the block makes a `chart`; run, its objects must pass the ManifestValidator. */
  readonly validate: boolean;
}

function docBlocks(): DocBlock[] {
  return documents.flatMap((document) => {
    const lines = readFileSync(join(root, document), 'utf8').split('\n');
    const blocks: DocBlock[] = [];
    for (let start = 0; start < lines.length; start++) {
      const fence = /^```(ts|typescript)\b(.*)$/.exec(lines[start]);
      if (!fence) continue;
      const end = lines.indexOf('```', start + 1);
      const code = lines.slice(start + 1, end).join('\n');
      const fixtureName = /\bfixture=([\w-]+)/.exec(fence[2])?.[1];
      const source = fixtureName === undefined ? code : withFixture(readFixture(fixtureName, `${document}:${start + 1}`), code);
      blocks.push({
        where: `${document}:${start + 1}`,
        file: join(root, 'test', 'docs', '__blocks__', `${document.replace(/[/.]/g, '-')}-${start + 1}.ts`),
        // A module of its own, so that blocks declaring the same names do not clash.
        source: `${source}\nexport {};\n`,
        validate: /\bvalidate\b/.test(fence[2]),
      });
      start = end;
    }
    return blocks;
  });
}

/** The block in its fixture's `/// here` line; the fixture's `declare const x` of a name the block declares is dropped. */
function withFixture(fixture: string, code: string): string {
  const declared = new Set([...code.matchAll(/^(?:const|let|class|function)\s+(\w+)/gm)].map((match) => match[1]));
  return fixture
    .split('\n')
    .filter((line) => !declared.has(/^declare const (\w+):/.exec(line)?.[1] ?? ''))
    .join('\n')
    .replace(/^\/\/\/ here$/m, code);
}

function readFixture(name: string, where: string): string {
  const file = join(root, 'rosetta', `${name}.ts-fixture`);
  if (!existsSync(file)) throw new Error(`${where}: fixture '${name}' names no file rosetta/${name}.ts-fixture`);
  const fixture = readFileSync(file, 'utf8');
  if (!/^\/\/\/ here$/m.test(fixture)) throw new Error(`rosetta/${name}.ts-fixture has no '/// here' line for the block`);
  return fixture;
}

const blocks = docBlocks();

test('the documents have TypeScript blocks to check', () => {
  expect(blocks.length).toBeGreaterThan(10);
});

describe('every TypeScript block compiles as written', () => {
  const virtual = new Map(blocks.map((block) => [block.file, block.source]));
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    esModuleInterop: true,
    skipLibCheck: true,
    baseUrl: root,
    paths: { 'cdk8s-mlops': ['src/index.ts'] },
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError, create) => {
    const text = virtual.get(file);
    return text !== undefined ? ts.createSourceFile(file, text, language) : getSourceFile(file, language, onError, create);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => virtual.has(file) || fileExists(file);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => virtual.get(file) ?? readFile(file);
  let program: ts.Program;
  beforeAll(() => {
    program = ts.createProgram([...virtual.keys()], options, host);
  });

  test.each(blocks.map((block) => [block.where, block]))('%s', (_, block) => {
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(block.file)).map((diagnostic) => {
      const { line } = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0) ?? { line: 0 };
      return `block line ${line + 1}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
  });
});

describe('every block marked validate makes objects that pass the ManifestValidator', () => {
  test.each(blocks.filter((block) => block.validate).map((block) => [block.where, block]))('%s', (_, block) => {
    // The block as CommonJS, run with this repository's cdk8s-mlops; it writes no files (`app.synth()` is left out).
    const code = `${block.source.replace(/^app\.synth\(\);$/m, '').replace(/^export \{\};$/m, '')}\nmodule.exports = { chart };\n`;
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    const js = ts.transpileModule(code, { compilerOptions }).outputText;
    const module = { exports: {} as { chart?: Chart } };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = (name: string): unknown => (name === 'cdk8s-mlops' ? library : require(name));
    new Function('require', 'module', 'exports', js)(load, module, module.exports);
    expect(module.exports.chart).toBeDefined();
    expect(ManifestValidator.format(new ManifestValidator().validateChart(module.exports.chart!))).toBe('');
  });
});
