import { Testing } from 'cdk8s';
import { QuickstartChart } from '../../examples/quickstart/quickstart-chart';
import { objectsOfKind, synthValid } from '../util';

describe('examples/quickstart', () => {
  test('every object passes the validation harness', () => {
    const chart = new QuickstartChart(Testing.app(), 'quickstart');
    const manifests = synthValid(chart);
    expect(manifests.length).toBeGreaterThan(0);
  });

  test('the namespace enforces Pod Security restricted and holds everything else', () => {
    const manifests = synthValid(new QuickstartChart(Testing.app(), 'quickstart'));
    const [namespace] = objectsOfKind(manifests, 'Namespace');
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const namespaced = manifests.filter((m) => m.kind !== 'Namespace');
    expect(new Set(namespaced.map((m) => m.metadata.namespace))).toEqual(new Set([namespace.metadata.name]));
  });

  test('no secret value is synthesized', () => {
    const manifests = synthValid(new QuickstartChart(Testing.app(), 'quickstart'));
    for (const secret of objectsOfKind(manifests, 'Secret')) {
      expect(secret.data).toBeUndefined();
      expect(secret.stringData).toBeUndefined();
      expect(secret.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBeDefined();
    }
  });

  test('synthesizes byte-identical YAML every time', () => {
    const first = Testing.app();
    new QuickstartChart(first, 'quickstart');
    const second = Testing.app();
    new QuickstartChart(second, 'quickstart');
    expect(first.synthYaml()).toBe(second.synthYaml());
  });
});
