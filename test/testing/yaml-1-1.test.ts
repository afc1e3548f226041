import { ManifestValidator } from '../../src/testing';

const CONFIG_MAP = (data: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: mlops
  labels:
    app.kubernetes.io/name: settings
data:
${data}`;

describe('ManifestValidator.validateYaml, rule yaml-1.1', () => {
  test('accepts a file that reads the same in YAML 1.1 and 1.2', () => {
    const text = CONFIG_MAP('  quoted: "yes"\n  mode: "0777"\n  equals: "="\n  plain: text\n');
    expect(new ManifestValidator().validateYaml(text)).toEqual([]);
  });

  test('reports a plain = (the value tag PyYAML cannot load) and scalars YAML 1.1 reads as booleans or numbers', () => {
    const text = CONFIG_MAP('  equals: =\n  enabled: yes\n  mode: 0777\n  duration: 1:30\n');
    const findings = new ManifestValidator().validateYaml(text).filter((f) => f.rule === 'yaml-1.1');
    expect(findings.map((f) => `${f.rule} ${f.object}: ${f.message}`)).toEqual([
      "yaml-1.1 ConfigMap mlops/settings: data.equals is a plain '=', YAML 1.1's value tag, which PyYAML cannot load; quote it",
      'yaml-1.1 ConfigMap mlops/settings: data.enabled is "yes" in YAML 1.2 but true in YAML 1.1; quote it',
      'yaml-1.1 ConfigMap mlops/settings: data.mode is 777 in YAML 1.2 but 511 in YAML 1.1; quote it',
      'yaml-1.1 ConfigMap mlops/settings: data.duration is "1:30" in YAML 1.2 but 90 in YAML 1.1; quote it',
    ]);
  });

  test('also validates the objects of the file', () => {
    const text = CONFIG_MAP('  a: b\n').replace('kind: ConfigMap', 'kind: ConfigMap\nunknownField: 1');
    expect(new ManifestValidator().validateYaml(text).map((f) => f.rule)).toEqual(['schema']);
  });
});

describe('ManifestValidator.validateManifests, rule yaml-1.1', () => {
  const configMap = (data: Record<string, string>) => [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'mlops' }, data }];

  test('reports a string that cdk8s writes as a plain =, which YAML 1.1 loaders refuse', () => {
    expect(new ManifestValidator().validateManifests(configMap({ matchType: '=' })).map((f) => `${f.rule} ${f.object}: ${f.message}`)).toEqual([
      'yaml-1.1 ConfigMap mlops/settings: data.matchType is the string "=", which cdk8s writes so that YAML 1.1 parsers (PyYAML, Ansible) read '
      + 'something else or refuse it; choose a value that is not a YAML 1.1 boolean, number or tag',
    ]);
  });

  test('accepts the strings cdk8s quotes for YAML 1.1: yes, on, 0777, 1:30, ~', () => {
    expect(new ManifestValidator().validateManifests(configMap({ a: 'yes', b: 'on', c: '0777', d: '1:30', e: '~', f: '100m' }))).toEqual([]);
  });
});

