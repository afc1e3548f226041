import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { container, deployment, object, ofRule, restrictedContainer } from './fixtures';
import { ManifestValidator } from '../../src/testing';

const validator = new ManifestValidator();

describe('resources', () => {
  test('containers with cpu and memory requests and a memory limit pass (no cpu limit needed)', () => {
    expect(ofRule(validator.validateManifests([deployment('app')]), 'resources')).toEqual([]);
  });

  test('a missing memory limit', () => {
    const app = deployment('app', { containers: [container({ resources: { requests: { cpu: '100m', memory: '128Mi' } } })] });
    expect(validator.validateManifests([app])).toEqual([{
      rule: 'resources',
      object: 'Deployment app',
      message: 'spec.template.spec.containers[0].resources.limits.memory must be set (container "main")',
    }]);
  });

  test('init containers need resources too; a container without any gets three findings', () => {
    const app = deployment('app', { initContainers: [container({ name: 'migrate', resources: undefined })] });
    expect(ofRule(validator.validateManifests([app]), 'resources').map((f) => f.message)).toEqual([
      'spec.template.spec.initContainers[0].resources.requests.cpu must be set (container "migrate")',
      'spec.template.spec.initContainers[0].resources.requests.memory must be set (container "migrate")',
      'spec.template.spec.initContainers[0].resources.limits.memory must be set (container "migrate")',
    ]);
  });

  test('a kplus container whose resources leave out the cpu request', () => {
    const chart = new Chart(Testing.app(), 'test');
    const web = new kplus.Deployment(chart, 'web', {
      containers: [restrictedContainer({ resources: { memory: { request: Size.mebibytes(128) } } })],
    });
    const messages = ofRule(validator.validateChart(chart), 'resources').map((f) => `${f.object}: ${f.message}`);
    expect(messages).toEqual([
      `Deployment ${web.name}: spec.template.spec.containers[0].resources.requests.cpu must be set (container "main")`,
      `Deployment ${web.name}: spec.template.spec.containers[0].resources.limits.memory must be set (container "main")`,
    ]);
  });
});

describe('secret-literal', () => {
  test('a Secret with stringData', () => {
    const secret = object('v1', 'Secret', 'db', { stringData: { password: 'hunter2' } });
    secret.metadata.namespace = 'ml';
    expect(validator.validateManifests([secret])).toEqual([{
      rule: 'secret-literal',
      object: 'Secret ml/db',
      message: 'stringData holds literal values (keys: password); reference an existing Secret or generate it in the cluster instead',
    }]);
  });

  test('a kplus Secret with data', () => {
    const chart = new Chart(Testing.app(), 'test');
    const secret = new kplus.Secret(chart, 'creds', { stringData: { user: 'admin' } });
    expect(ofRule(validator.validateChart(chart), 'secret-literal')).toEqual([{
      rule: 'secret-literal',
      object: `Secret ${secret.name}`,
      message: 'stringData holds literal values (keys: user); reference an existing Secret or generate it in the cluster instead',
    }]);
  });

  test('an empty generated Secret is fine, and so are empty data maps', () => {
    const generated = object('v1', 'Secret', 'db', { metadata: { name: 'db', annotations: { 'mlops.cdk8s.io/generated-keys': 'password' } } });
    expect(validator.validateManifests([generated, object('v1', 'Secret', 'empty', { data: {}, stringData: {} })])).toEqual([]);
  });
});
