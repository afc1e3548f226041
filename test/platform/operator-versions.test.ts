import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterOperator } from '../../src';
import { OPERATOR_VERSION_SETS, releaseOf } from '../../src/platform/operator-versions';

/** The version table is the one source: the README's tables and imports/SOURCES.md must say the same. */
const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SOURCES = readFileSync(join(ROOT, 'imports', 'SOURCES.md'), 'utf8');
const [SET_1_28, NEWEST] = OPERATOR_VERSION_SETS;

/** Per operator: how its row of the README's prerequisites table starts, its label in the ClusterPrerequisites table, its imports/ folder. */
const OPERATORS: Array<[ClusterOperator, string, string, string]> = [
  [ClusterOperator.CERT_MANAGER, '| [cert-manager]', 'cert-manager', 'cert-manager'],
  [ClusterOperator.TRUST_MANAGER, '| [trust-manager]', 'trust-manager', 'trust-manager'],
  [ClusterOperator.KSERVE, '| [KServe]', 'KServe', 'kserve'],
  [ClusterOperator.PROMETHEUS_OPERATOR, '| prometheus-operator', 'prometheus-operator', 'prometheus-operator'],
  [ClusterOperator.TRAINING_OPERATOR, '| [Kubeflow training-operator]', 'training-operator', 'kubeflow-training-operator'],
  [ClusterOperator.SPARK_OPERATOR, '| [spark-operator]', 'spark-operator', 'spark-operator'],
  [ClusterOperator.SELDON_CORE, '| [Seldon Core]', 'Seldon Core', 'seldon-core-v2'],
  [ClusterOperator.ISTIO, '| [Istio]', 'Istio', 'istio'],
];

/** The lines of one README section, up to the next heading of its level. */
function section(heading: string): string[] {
  const lines = README.split('\n');
  const start = lines.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((line, index) => index > start && /^#{1,3} /.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The one line among `lines` that starts with `prefix` (after indentation). */
function row(lines: string[], prefix: string): string {
  const rows = lines.filter((line) => line.trimStart().startsWith(prefix));
  expect(rows).toHaveLength(1);
  return rows[0];
}

/** Versions in a text (`v1.16.5`, `1.24.6`, `88.3.0`). */
function versionsIn(text: string): string[] {
  return [...text.matchAll(/\bv?\d+\.\d+\.\d+\b/g)].map((match) => match[0]);
}

/** The rows of imports/SOURCES.md for the files of one folder: [file, tag]. */
function sourceRows(folder: string): Array<[string, string]> {
  return SOURCES.split('\n')
    .filter((line) => line.startsWith(`| \`imports/${folder}/`))
    .map((line) => {
      const cells = line.split('|').map((cell) => cell.trim());
      return [cells[1].replace(/`/g, ''), /^`([^`]+)`/.exec(cells[4])![1]];
    });
}

describe.each(OPERATORS)('%s', (operator, readmeRow, label, folder) => {
  const old = releaseOf(SET_1_28, operator);
  const newest = releaseOf(NEWEST, operator);

  test('the README\'s prerequisites table gives the versions of both sets', () => {
    const text = row(section('### Cluster prerequisites'), readmeRow);
    expect(text).toContain(old.version);
    expect(text).toContain(newest.version === old.version ? 'both sets' : `newest set: ${newest.version}`);
    const chartVersions = [...old.applications, ...newest.applications].map((application) => application.source.version);
    expect(versionsIn(text).filter((version) => ![old.version, newest.version, ...chartVersions].includes(version))).toEqual([]);
  });

  test('the ClusterPrerequisites table gives the versions and the namespace of both sets', () => {
    const cells = row(section('### Operators as Argo CD apps: `ClusterPrerequisites`'), `| ${label} |`).split('|').map((cell) => cell.trim());
    expect(cells[3]).toBe(`\`${old.namespace}\``);
    expect(versionsIn(cells[4])).toEqual([old.version]);
    expect(versionsIn(cells[5])).toEqual([newest.version]);
    expect(newest.namespace).toBe(old.namespace);
  });

  test('the 1.28 set is the release the CRDs of imports/ come from', () => {
    const rows = sourceRows(folder);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map(([, tag]) => tag)).toEqual(rows.map(() => old.crdVersion));
  });

  test('the newest set\'s CRDs are in imports/newest/ where they differ, byte for byte from upstream', () => {
    const rows = sourceRows(`newest/${folder}`);
    if (newest.crdVersion === old.crdVersion) {
      expect(rows).toEqual([]);
      return;
    }
    expect(rows.length).toBeGreaterThan(0);
    for (const [file, tag] of rows) {
      expect(tag).toBe(newest.crdVersion);
      const content = readFileSync(join(ROOT, file));
      const blob = createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
      expect(SOURCES).toContain(`\`${file}\` |`);
      expect(SOURCES.split('\n').find((line) => line.startsWith(`| \`${file}\``))).toContain(`blob \`${blob.slice(0, 12)}\``);
    }
    expect(existsSync(join(ROOT, 'imports', 'newest', folder, 'LICENSE'))).toBe(true);
  });
});

test('Argo CD: the CRD of imports/ is the 1.28 set\'s, that of imports/newest/ the newest set\'s', () => {
  expect(sourceRows('argo-cd').map(([, tag]) => tag)).toEqual([SET_1_28.argoCdVersion]);
  expect(sourceRows('newest/argo-cd').map(([, tag]) => tag)).toEqual([NEWEST.argoCdVersion]);
  const text = row(section('### Cluster prerequisites'), '| Argo CD');
  expect(text).toContain(`${SET_1_28.argoCdVersion} (newest set: ${NEWEST.argoCdVersion})`);
});

test('the kubernetesVersion ranges of the sets do not overlap', () => {
  expect(SET_1_28.kubernetesVersions.filter((version) => NEWEST.kubernetesVersions.includes(version))).toEqual([]);
});
