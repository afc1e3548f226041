import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestValidator } from '../../src/testing';

const repository = (stringData: Record<string, string>, labels: Record<string, string> = { 'argocd.argoproj.io/secret-type': 'repository' }) => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ghcr-io-kserve-charts', namespace: 'argocd', labels }, stringData,
});

describe('secret-literal: Argo CD repository Secrets', () => {
  test('one that only says where and what the repository is passes', () => {
    expect(new ManifestValidator().validateManifests([repository({ name: 'kserve', url: 'ghcr.io/kserve/charts', type: 'helm', enableOCI: 'true' })])).toEqual([]);
  });

  test('one with a credential is a literal secret', () => {
    expect(ManifestValidator.format(new ManifestValidator().validateManifests([
      repository({ url: 'ghcr.io/org/charts', type: 'helm', username: 'ci', password: 'hunter2' }),
    ]))).toBe('[secret-literal] Secret argocd/ghcr-io-kserve-charts: stringData holds literal values (keys: url, type, username, password); '
      + 'reference an existing Secret or generate it in the cluster instead');
  });

  test('one without the repository label is a literal secret', () => {
    expect(new ManifestValidator().validateManifests([repository({ url: 'ghcr.io/kserve/charts' }, {})]).map((f) => f.rule)).toEqual(['secret-literal']);
  });
});

describe('crdDirectories', () => {
  const widgetCrd = (served: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com }
spec:
  group: example.com
  names: { kind: Widget, plural: widgets }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: { type: object, properties: { ${served}: { type: string } } }
`;
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { size: 'large' } };

  test('a CRD in a folder comes before the additional CRD files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crds-'));
    writeFileSync(join(dir, 'old.yaml'), widgetCrd('colour'));
    const newer = mkdtempSync(join(tmpdir(), 'crds-'));
    writeFileSync(join(newer, 'widget.yaml'), widgetCrd('size'));
    expect(new ManifestValidator({ additionalCrdFiles: [join(dir, 'old.yaml')] }).validateManifests([widget]).map((f) => f.rule)).toEqual(['schema']);
    expect(new ManifestValidator({ additionalCrdFiles: [join(dir, 'old.yaml')], crdDirectories: [newer] }).validateManifests([widget])).toEqual([]);
  });

  test('a folder that does not exist', () => {
    expect(() => new ManifestValidator({ crdDirectories: ['/nonexistent/crds'] })).toThrow(
      'ManifestValidator: crdDirectories: /nonexistent/crds is not a folder; give the path of a folder of CustomResourceDefinition YAML files');
  });
});
