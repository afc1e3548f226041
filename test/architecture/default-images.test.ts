import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Every default image a construct falls back to goes through `defaultImage(scope, ...)`, so that an `ImageRegistry`
 * mirror reaches it; the pull policy, which depends on the tag alone, may read the constant itself.
 */
const SRC = join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'imports' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `DefaultImages.X` in code: not in comments, and not in the quoted examples of prop kinds. */
function unresolvedUses(text: string): string[] {
  return text.split('\n').flatMap((line, index) => {
    if (/^\s*(\*|\/\/|\/\*)/.test(line)) return [];
    const code = line.replace(/'[^']*'/g, "''");
    return [...code.matchAll(/(defaultImage\([^,()]+, |imagePullPolicy\([^()]*)?DefaultImages\.[A-Z_]+/g)]
      .filter((match) => match[1] === undefined)
      .map((match) => `${index + 1}: ${match[0]}`);
  });
}

test('every default image is picked through defaultImage', () => {
  const offenders = sourceFiles(SRC)
    .filter((file) => !file.endsWith(join('core', 'images.ts')))
    .flatMap((file) => unresolvedUses(readFileSync(file, 'utf8')).map((use) => `${relative(SRC, file)}:${use}`));
  expect(offenders).toEqual([]);
});

test('the rule finds a default image picked without it', () => {
  expect(unresolvedUses('    const image = props.image ?? DefaultImages.GRAFANA;\n    image: defaultImage(this, DefaultImages.PYTHON),')).toEqual([
    '1: DefaultImages.GRAFANA',
  ]);
});
