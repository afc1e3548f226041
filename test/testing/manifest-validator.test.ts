import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { deployment, object, restrictedContainer, service } from './fixtures';
import { ManifestValidator, ValidationFinding } from '../../src/testing';

describe('ManifestValidator', () => {
  test('no manifests, no findings', () => {
    expect(new ManifestValidator().validateManifests([])).toEqual([]);
  });

  test('findings come rule by rule: schema, unknown-kind, reference, pod-security, resources, secret-literal', () => {
    const broken = deployment('app', {
      serviceAccountName: 'missing',
      containers: [{ name: 'main', image: 'app:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: true } }],
    });
    broken.spec.paused = 'yes';
    const findings = new ManifestValidator().validateManifests([
      broken,
      object('example.com/v1', 'Gadget', 'g'),
      object('v1', 'Secret', 'literal', { stringData: { token: 't' } }),
    ]);
    expect(ManifestValidator.format(findings)).toEqual([
      '[schema] Deployment app: spec.paused must be boolean (found "yes")',
      '[unknown-kind] Gadget g: apiVersion "example.com/v1" kind "Gadget" is neither a Kubernetes 1.28 kind nor served by a CRD in imports/ or additionalCrdFiles',
      '[reference] Deployment app: spec.template.spec.serviceAccountName: ServiceAccount "missing" is not in the output and not declared in externalObjects',
      '[pod-security] Deployment app: spec.template.spec.containers[0].securityContext.privileged must not be true',
      '[resources] Deployment app: spec.template.spec.containers[0].resources.requests.cpu must be set (container "main")',
      '[resources] Deployment app: spec.template.spec.containers[0].resources.requests.memory must be set (container "main")',
      '[resources] Deployment app: spec.template.spec.containers[0].resources.limits.memory must be set (container "main")',
      '[secret-literal] Secret literal: stringData holds literal values (keys: token); reference an existing Secret or generate it in the cluster instead',
    ].join('\n'));
  });

  test('format of no findings is an empty string', () => {
    expect(ManifestValidator.format([])).toEqual('');
  });

  test('validateApp checks the charts of an app together; validateChart one chart alone', () => {
    const app = Testing.app();
    const workloads = new Chart(app, 'workloads', { namespace: 'ml' });
    const web = new kplus.Deployment(workloads, 'web', { containers: [restrictedContainer({ ports: [{ number: 8080, name: 'http' }] })] });
    const network = new Chart(app, 'network', { namespace: 'ml' });
    const svc = new kplus.Service(network, 'web', { selector: web, ports: [{ port: 80, targetPort: 8080 }] });
    const validator = new ManifestValidator();
    expect(validator.validateApp(app)).toEqual([]);
    const findings: ValidationFinding[] = validator.validateChart(network);
    expect(findings).toEqual([{
      rule: 'reference',
      object: `Service ml/${svc.name}`,
      message: `spec.selector cdk8s.io/metadata.addr=${web.matchLabels['cdk8s.io/metadata.addr']} selects no pod template in namespace "ml"`,
    }]);
  });

  test('a typical chart of ~30 objects validates well under a second once the schemas are compiled', () => {
    const chart = new Chart(Testing.app(), 'platform', { namespace: 'ml' });
    for (let i = 0; i < 10; i++) {
      const name = `app${i}`;
      new ApiObject(chart, `${name}-deployment`, deployment(name, {}, 'ml'));
      new ApiObject(chart, `${name}-service`, service(name, name, 'http', 'ml'));
      new ApiObject(chart, `${name}-config`, { ...object('v1', 'ConfigMap', name, { data: { key: 'value' } }), metadata: { name, namespace: 'ml' } });
    }
    const validator = new ManifestValidator();
    expect(validator.validateChart(chart)).toEqual([]);
    const start = process.hrtime.bigint();
    const findings = validator.validateChart(chart);
    const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    expect(findings).toEqual([]);
    expect(elapsedMs).toBeLessThan(500);
  });
});
