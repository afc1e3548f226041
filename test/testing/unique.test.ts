import { deployment, ofRule, service } from './fixtures';
import { ManifestValidator } from '../../src/testing';

const validator = new ManifestValidator();

describe('unique', () => {
  test('two objects of one kind, namespace and name: the second is reported, naming the first', () => {
    const findings = ofRule(validator.validateManifests([deployment('api', {}, 'ml'), deployment('api', {}, 'ml')]), 'unique');
    expect(findings).toEqual([{
      rule: 'unique',
      object: 'Deployment ml/api',
      message: 'another object has this kind, namespace and name (Deployment ml/api); the one applied last would replace the other: '
        + 'give one of them another name',
    }]);
  });

  test('one name in two namespaces, or for two kinds, is fine', () => {
    const manifests = [deployment('api', {}, 'ml'), deployment('api', {}, 'serving'), service('api', 'api', 'http', 'ml')];
    expect(ofRule(validator.validateManifests(manifests), 'unique')).toEqual([]);
  });

  test('two Services on one NodePort, in any namespaces', () => {
    const nodePortService = (name: string, namespace: string, nodePort: number) => {
      const svc = service(name, name, 'http', namespace);
      return { ...svc, spec: { ...svc.spec, type: 'NodePort', ports: [{ ...svc.spec.ports[0], nodePort }] } };
    };
    const manifests = [nodePortService('airflow', 'team-a', 30007), nodePortService('airflow', 'team-b', 30007), nodePortService('mlflow', 'team-b', 30008)];
    expect(ofRule(validator.validateManifests(manifests), 'unique').map((f) => `${f.object}: ${f.message}`)).toEqual([
      'Service team-b/airflow: spec.ports[0].nodePort 30007 is taken by Service team-a/airflow: NodePorts are cluster-wide; give each Service its own port',
    ]);
  });
});
