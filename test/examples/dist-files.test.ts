import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ManifestValidator } from '../../src/testing';
import { checkYaml11 } from '../../src/testing/yaml-1-1-check';
import { podSpec } from '../util';

/** Every manifest file `npm run synth` wrote, as users and their tools read it. */
const DIST = join(__dirname, '..', '..', 'dist');
const FILES = readdirSync(DIST, { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.ya?ml$/.test(file))
  .sort()
  .map((file) => join(DIST, file));

const PYYAML = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;
if (!PYYAML) {
  // eslint-disable-next-line no-console
  console.warn('SKIPPED: python3 with PyYAML is not installed here, so dist/ is not loaded with PyYAML (CI installs it)');
}

/** The number of documents PyYAML loads from each file (or its error), in one python process for all files. */
let loaded: Record<string, number | string> | undefined;
function pyyamlLoads(): Record<string, number | string> {
  loaded ??= JSON.parse(spawnSync('python3', ['-c', `
import json, sys, yaml
# libyaml's safe loader where PyYAML was built with it (Ansible uses it too): the same YAML 1.1 rules, faster.
loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
result = {}
for path in sys.argv[1:]:
    try:
        result[path] = len(list(yaml.load_all(open(path), Loader=loader)))
    except Exception as error:
        result[path] = str(error)
print(json.dumps(result))
`, ...FILES], { encoding: 'utf8' }).stdout);
  return loaded!;
}

test('dist/ holds the examples\' manifests', () => {
  expect(FILES.length).toBeGreaterThan(0);
});

describe.each(FILES.map((file) => [relative(DIST, file), file]))('dist/%s', (_name, file) => {
  test('reads the same in YAML 1.1 parsers as in YAML 1.2 ones', () => {
    expect(ManifestValidator.format(checkYaml11(readFileSync(file, 'utf8')))).toBe('');
  });

  test('every container of a pinned image is pulled IfNotPresent', () => {
    const workloads = parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS())
      .filter((object) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'].includes(object?.kind));
    const containers = workloads.flatMap((workload) => {
      const spec = podSpec(workload);
      return [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => [`${workload.kind} ${workload.metadata.name} ${c.name}`, c]);
    });
    const pulledOtherwise = containers.filter(([, c]) => /:(?!latest$)[^/]+$|@sha256:/.test(c.image) && c.imagePullPolicy !== 'IfNotPresent');
    expect(pulledOtherwise.map(([where, c]) => `${where}: ${c.image} ${c.imagePullPolicy}`)).toEqual([]);
  });

  (PYYAML ? test : test.skip)('loads with PyYAML (safe_load_all), as Ansible and Python tooling do', () => {
    expect(pyyamlLoads()[file]).toBeGreaterThan(0);
  });
});
