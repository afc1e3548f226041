import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ClusterOperator, ClusterPrerequisites } from '../../src';
import { ManifestValidator } from '../../src/testing';

/**
 * What the library emits also fits the CRDs of the newest version set (imports/newest/: cert-manager v1.21.1, KServe
 * v0.20.0, Istio 1.30.3, Argo CD v3.5.1); the kinds of the other operators keep the CRDs of imports/.
 */
const ROOT = join(__dirname, '..', '..');
const NEWEST = new ManifestValidator({ crdDirectories: [join(ROOT, 'imports', 'newest')] });
const DIST = join(ROOT, 'dist');
const EXAMPLES = readdirSync(DIST, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();

/** The schema findings only: references and the rest do not depend on the CRDs, and the example tests check them. */
function schemaFindings(manifests: any[]): string {
  return ManifestValidator.format(NEWEST.validateManifests(manifests).filter((f) => f.rule === 'schema' || f.rule === 'unknown-kind'));
}

function manifestsOf(folder: string): any[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(join(folder, file), 'utf8')).map((document) => document.toJS()))
    .filter((object) => object !== null);
}

test('every example is found', () => {
  expect(EXAMPLES).toEqual(expect.arrayContaining(['quickstart', 'serving', 'seldon', 'multicluster']));
});

test.each(EXAMPLES)('dist/%s fits the newest CRDs', (example) => {
  const manifests = manifestsOf(join(DIST, example));
  expect(manifests.length).toBeGreaterThan(0);
  expect(schemaFindings(manifests)).toBe('');
});

test('ClusterPrerequisites\' newest set fits Argo CD v3.5.1\'s Application CRD', () => {
  const chart = new Chart(Testing.app(), 'argocd', { namespace: 'argocd' });
  new ClusterPrerequisites(chart, 'Operators', { kubernetesVersion: '1.35', include: ClusterOperator.all() });
  const manifests = Testing.synth(chart);
  expect(manifests.filter((m) => m.kind === 'Application')).toHaveLength(12);
  expect(schemaFindings(manifests)).toBe('');
});

test('the newest CRDs are the ones checked: a field Argo CD v2.14 lacks is only known to the newest Application CRD', () => {
  const application = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'a', namespace: 'argocd' },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc' },
      source: { repoURL: 'https://github.com/org/gitops.git', path: 'apps', targetRevision: 'HEAD', kustomize: { ignoreMissingComponents: true } },
    },
  };
  expect(schemaFindings([application])).toBe('');
  expect(new ManifestValidator().validateManifests([application]).map((f) => f.rule)).toContain('schema');
});
