import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The Python in docs/python.md parses, and every name it takes from cdk8s_mlops (classes, their methods and
// properties, keyword arguments) exists in the Python package jsii-pacmak generates (`npx projen package:python`,
// which .ci/run runs before the tests).

const root = join(__dirname, '..', '..');
const document = readFileSync(join(root, 'docs', 'python.md'), 'utf8');
const blocks = [...document.matchAll(/^```python\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
const generated = join(root, 'build', 'python-sources', 'python', 'src', 'cdk8s_mlops', '__init__.py');

/** Python that prints, as JSON, the syntax error of a block or the cdk8s_mlops names it uses that the package lacks. */
const CHECK = `
import ast, json, re, sys
source, module_path = sys.argv[1], sys.argv[2]
try:
    tree = ast.parse(source)
except SyntaxError as error:
    print(json.dumps({"syntax": f"line {error.lineno}: {error.msg}"})); sys.exit()
module = open(module_path).read() if module_path else None
imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "cdk8s_mlops" for alias in node.names}
missing = []
if module is not None:
    for name in sorted(imported):
        if not re.search(rf"^class {name}\\b", module, re.M): missing.append(name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and not re.search(rf"def {node.attr}\\(", module):
            missing.append(node.attr)
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg and not re.search(rf"\\b{keyword.arg}: ", module): missing.append(keyword.arg + "=")
print(json.dumps({"missing": sorted(set(missing)) if module is not None else None}))
`;

const hasGenerated = existsSync(generated);
if (!hasGenerated) {
  const why = `${generated} is missing (run \`npx projen compile && npx projen post-compile && npx projen package:python\`)`;
  if (process.env.CI === 'true') throw new Error(`${why}; .ci/run builds it before the tests`);
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED: the names in docs/python.md are not checked against the Python package: ${why}; CI checks them`);
}

test('docs/python.md has Python to check', () => {
  expect(blocks.length).toBeGreaterThan(0);
});

describe.each(blocks.map((block, index) => [index + 1, block]))('docs/python.md block %d', (_, block) => {
  test('parses, and uses only names the generated Python package has', () => {
    const result = spawnSync('python3', ['-c', CHECK, block, hasGenerated ? generated : ''], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.syntax).toBeUndefined();
    if (hasGenerated) expect(report.missing).toEqual([]);
  });
});
