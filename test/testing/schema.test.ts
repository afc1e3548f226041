import * as path from 'path';
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { deployment, object, ofRule, restrictedContainer, service } from './fixtures';
import { ManifestValidator } from '../../src/testing';

const validator = new ManifestValidator();
const schemaFindings = (manifests: any[]) => ofRule(validator.validateManifests(manifests), 'schema');

describe('schema: Kubernetes 1.28 kinds', () => {
  test('a valid Deployment and Service have no schema findings', () => {
    expect(validator.validateManifests([deployment('web'), service('web', 'web')])).toEqual([]);
  });

  test('an unknown field in a Deployment spec', () => {
    const web = deployment('web');
    web.spec.replica = 2;
    expect(schemaFindings([web])).toEqual([{ rule: 'schema', object: 'Deployment web', message: 'unknown field spec.replica' }]);
  });

  test('an unknown field in a Deployment spec of a chart (a raw ApiObject)', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const { apiVersion, kind, metadata, spec } = deployment('web');
    new ApiObject(chart, 'web', { apiVersion, kind, metadata, spec: { ...spec, replica: 2 } });
    expect(validator.validateChart(chart)).toEqual([{ rule: 'schema', object: 'Deployment ml/web', message: 'unknown field spec.replica' }]);
  });

  test('a wrong type in a kplus Deployment, patched in', () => {
    // kplus' typed objects drop unknown fields when they synthesize, so the typo has to be a wrong value here.
    const chart = new Chart(Testing.app(), 'test');
    const web = new kplus.Deployment(chart, 'web', { containers: [restrictedContainer()] });
    ApiObject.of(web).addJsonPatch(JsonPatch.replace('/spec/replicas', 'two'));
    expect(validator.validateChart(chart)).toEqual([{ rule: 'schema', object: `Deployment ${web.name}`, message: 'spec.replicas must be integer (found "two")' }]);
  });

  test('unknown fields are reported everywhere, metadata included; labels and annotations are free maps', () => {
    const web = deployment('web');
    web.metadata.label = { app: 'web' };
    web.metadata.annotations = { 'example.com/any-key': 'value' };
    web.spec.template.metadata.labels['app.kubernetes.io/name'] = 'web';
    web.spec.template.spec.securityContext.seccomp = 'RuntimeDefault';
    expect(schemaFindings([web]).map((f) => f.message)).toEqual([
      'unknown field metadata.label',
      'unknown field spec.template.spec.securityContext.seccomp',
    ]);
  });

  test('wrong types and missing required fields', () => {
    const web = deployment('web', { containers: [{ image: 'app:1' }] });
    web.spec.replicas = '2';
    expect(schemaFindings([web]).map((f) => f.message)).toEqual([
      'spec.replicas must be integer (found "2")',
      'spec.template.spec.containers[0].name is required',
    ]);
  });

  test('targetPort is an int-or-string: a number and a name pass, anything else fails', () => {
    expect(schemaFindings([service('by-number', 'web', 8080), service('by-name', 'web', 'http')])).toEqual([]);
    expect(schemaFindings([service('by-bool', 'web', true as any), service('by-float', 'web', 80.5)])).toEqual([
      { rule: 'schema', object: 'Service by-bool', message: 'spec.ports[0].targetPort must be string or integer (found true)' },
      { rule: 'schema', object: 'Service by-float', message: 'spec.ports[0].targetPort must be string or integer (found 80.5)' },
    ]);
  });

  test('quantities are strings or numbers', () => {
    const ok = deployment('ok', { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: 1, memory: '1Gi' } } }] });
    const bad = deployment('bad', { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: true } } }] });
    expect(schemaFindings([ok])).toEqual([]);
    expect(schemaFindings([bad]).map((f) => f.message)).toEqual([
      'spec.template.spec.containers[0].resources.requests.cpu must be string or number (found true)',
    ]);
  });

  test('an object needs apiVersion, kind and metadata.name', () => {
    expect(schemaFindings([{ kind: 'ConfigMap', metadata: { name: 'x' } }, object('v1', 'ConfigMap', 'y', { metadata: {} }), 'text'])).toEqual([
      { rule: 'schema', object: 'ConfigMap x', message: 'apiVersion and kind must be non-empty strings' },
      { rule: 'schema', object: 'ConfigMap (unnamed)', message: 'metadata.name is required' },
      { rule: 'schema', object: 'manifest #2', message: '(object) must be an object (found "text")' },
    ]);
  });
});

describe('unknown-kind', () => {
  test('a kind Kubernetes 1.28 does not serve under that apiVersion', () => {
    const old = deployment('web');
    old.apiVersion = 'apps/v1beta1';
    expect(validator.validateManifests([old])).toContainEqual({
      rule: 'unknown-kind',
      object: 'Deployment web',
      message: 'apiVersion "apps/v1beta1" kind "Deployment" is neither a Kubernetes 1.28 kind nor served by a CRD in imports/ or additionalCrdFiles (Kubernetes 1.28 serves Deployment as apps/v1)',
    });
  });

  test('a custom kind without a CRD', () => {
    expect(validator.validateManifests([object('example.com/v1', 'Widget', 'w', { spec: { size: 1 } })])).toEqual([{
      rule: 'unknown-kind',
      object: 'Widget w',
      message: 'apiVersion "example.com/v1" kind "Widget" is neither a Kubernetes 1.28 kind nor served by a CRD in imports/ or additionalCrdFiles',
    }]);
  });
});

describe('schema: vendored CRDs', () => {
  const serviceMonitor = (endpoint: Record<string, any>, metadata: Record<string, any> = {}) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'web', namespace: 'ml', ...metadata },
    spec: { selector: { matchLabels: { app: 'web' } }, endpoints: [{ port: 'http', interval: '30s', ...endpoint }] },
  });

  test('a valid ServiceMonitor passes', () => {
    expect(validator.validateManifests([serviceMonitor({})])).toEqual([]);
  });

  test('an unknown field inside a ServiceMonitor', () => {
    expect(validator.validateManifests([serviceMonitor({ portt: 'http' })])).toEqual([
      { rule: 'schema', object: 'ServiceMonitor ml/web', message: 'unknown field spec.endpoints[0].portt' },
    ]);
  });

  test('the metadata of a custom resource is checked as an ObjectMeta', () => {
    expect(validator.validateManifests([serviceMonitor({}, { lables: { app: 'web' } })])).toEqual([
      { rule: 'schema', object: 'ServiceMonitor ml/web', message: 'unknown field metadata.lables' },
    ]);
  });

  test('x-kubernetes-int-or-string accepts an integer or a string, nothing else', () => {
    expect(validator.validateManifests([serviceMonitor({ targetPort: 8080 }), serviceMonitor({ targetPort: 'http' }, { name: 'other' })])).toEqual([]);
    expect(validator.validateManifests([serviceMonitor({ targetPort: false })])).toEqual([
      { rule: 'schema', object: 'ServiceMonitor ml/web', message: 'spec.endpoints[0].targetPort must be integer or string (found false)' },
    ]);
  });

  describe('AlertmanagerConfig (a large CRD)', () => {
    const config = (route: Record<string, any>, extra: Record<string, any> = {}) => object('monitoring.coreos.com/v1alpha1', 'AlertmanagerConfig', 'alerts', {
      spec: { receivers: [{ name: 'team' }], route: { receiver: 'team', ...route }, ...extra },
    });

    test('fields under x-kubernetes-preserve-unknown-fields (spec.route.routes[]) are accepted', () => {
      const routes = [{ receiver: 'team', matchers: [{ name: 'severity', value: 'critical' }], anything: { nested: true } }];
      expect(validator.validateManifests([config({ routes })])).toEqual([]);
    });

    test('fields outside it are not', () => {
      expect(validator.validateManifests([config({ groupByy: ['alertname'] })])).toEqual([
        { rule: 'schema', object: 'AlertmanagerConfig alerts', message: 'unknown field spec.route.groupByy' },
      ]);
    });

    test("Go's case-insensitive (?i) patterns are checked case-insensitively", () => {
      const interval = (weekdays: string[]) => ({ muteTimeIntervals: [{ name: 'weekend', timeIntervals: [{ weekdays }] }] });
      expect(validator.validateManifests([config({}, interval(['Saturday', 'sunday', 'monday:friday']))])).toEqual([]);
      const findings = validator.validateManifests([config({}, interval(['funday']))]);
      expect(findings).toHaveLength(1);
      expect(findings[0].message).toMatch(/^spec\.muteTimeIntervals\[0\]\.timeIntervals\[0\]\.weekdays\[0\] must match pattern /);
    });
  });
});

describe('schema: additionalCrdFiles', () => {
  const crdFile = path.join(__dirname, 'fixtures', 'widgets-crd.yaml');
  const withWidgets = new ManifestValidator({ additionalCrdFiles: [crdFile] });
  const widget = (spec: Record<string, any>, apiVersion = 'example.com/v1') => ({ apiVersion, kind: 'Widget', metadata: { name: 'w' }, spec });

  test('a valid custom resource passes', () => {
    expect(withWidgets.validateManifests([widget({ size: 3, port: 'http', color: 'RED', options: { verbose: true } })])).toEqual([]);
  });

  test('a schema with x-kubernetes-preserve-unknown-fields stays open, also below it; others are closed', () => {
    const findings = withWidgets.validateManifests([widget({
      size: 0,
      port: 1.5,
      color: 'blue',
      settings: { mode: 'fast', extra: 1, nested: { level: 2, more: true } },
      options: { verbose: true, loud: true },
      shape: 'round',
    })]);
    expect(findings.map((f) => f.message)).toEqual([
      'unknown field spec.shape',
      'spec.size must be >= 1',
      'spec.port must be integer or string (found 1.5)',
      'spec.color must match pattern "^([rR][eE][dD]|[gG][rR][eE][eE][nN])$"',
      'unknown field spec.options.loud',
    ]);
  });

  test('a oneOf that fails says why each branch failed', () => {
    expect(withWidgets.validateManifests([widget({ size: 1, source: {} }), widget({ size: 1, source: { git: 'g', bucket: 'b' } })]).filter((f) => f.rule === 'schema').map((f) => f.message)).toEqual([
      'spec.source must match exactly one schema in oneOf: spec.source.git is required, or spec.source.bucket is required',
      'spec.source must match exactly one schema in oneOf',
    ]);
  });

  test('a version that is not served is an unknown kind', () => {
    expect(withWidgets.validateManifests([widget({}, 'example.com/v1alpha1')]).map((f) => f.rule)).toEqual(['unknown-kind']);
  });

  test('a missing file is reported when the validator is created', () => {
    expect(() => new ManifestValidator({ additionalCrdFiles: ['no/such/crds.yaml'] })).toThrow(
      `ManifestValidator: additionalCrdFiles: ${path.resolve('no/such/crds.yaml')} does not exist; give the path of a YAML file with CustomResourceDefinitions`,
    );
  });
});
