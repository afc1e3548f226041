import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, MinioBucket, ServiceEndpoint, Team, TeamProps } from '../../src';
import { ExternalObject } from '../../src/testing';
import { container, envOf, objectNamed, objectsOfKind, synthValid, testChart } from '../util';

const QUOTA = { cpu: kplus.Cpu.units(4), memory: Size.gibibytes(16) };
const CLUSTER_ROLES: ExternalObject[] = [{ kind: 'ClusterRole', name: 'edit' }, { kind: 'ClusterRole', name: 'view' }];

function team(props: Partial<TeamProps> = {}, chart = testChart('vision')): Team {
  return new Team(chart, 'Team', { members: ['alice', 'bob'], platformNamespace: 'mlops', quota: QUOTA, ...props });
}

describe('Team', () => {
  test('a restricted namespace with a default deny, a quota and default limits', () => {
    const t = team();
    const manifests = synthValid(t.node.scope as any, CLUSTER_ROLES);
    const [namespace] = objectsOfKind(manifests, 'Namespace');
    expect(namespace.metadata.name).toBe('vision');
    expect(namespace.metadata.namespace).toBeUndefined();
    expect(namespace.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    const denyAll = objectsOfKind(manifests, 'NetworkPolicy').find((p) => JSON.stringify(p.spec.podSelector) === '{}');
    expect(denyAll.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(objectsOfKind(manifests, 'ResourceQuota')[0].spec.hard).toEqual({
      'requests.cpu': '4', 'requests.memory': '16Gi', 'limits.memory': '32Gi', 'requests.storage': '100Gi', 'requests.nvidia.com/gpu': '0',
    });
    expect(objectsOfKind(manifests, 'LimitRange')[0].spec.limits).toEqual([{
      type: 'Container', defaultRequest: { cpu: '100m', memory: '256Mi' }, default: { memory: '1024Mi' },
    }]);
  });

  test('members edit their namespace and view the platform: ClusterRoles edit and view, bound per namespace', () => {
    const manifests = synthValid(team().node.scope as any, CLUSTER_ROLES);
    const bindings = objectsOfKind(manifests, 'RoleBinding').map((b) => ({ namespace: b.metadata.namespace, roleRef: b.roleRef, subjects: b.subjects }));
    const subjects = ['alice', 'bob'].map((name) => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' }));
    expect(bindings).toEqual([
      { namespace: 'vision', roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects },
      { namespace: 'mlops', roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects },
    ]);
    expect(objectsOfKind(manifests, 'Role')).toEqual([]);
  });

  test('its workspaces live in its namespace and write the team bucket with the team user', () => {
    const chart = testChart('vision');
    const teamUser = Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'TeamUser', 'vision-s3'));
    const bucket = MinioBucket.fromBucketAttributes(chart, 'Bucket', {
      bucketName: 'team-vision', endpoint: ServiceEndpoint.fromHost('minio.mlops.svc', 9000, 'http'), credentials: teamUser,
    });
    const t = team({ bucket }, chart);
    t.addNotebook('Alice', { owner: 'alice' });
    const manifests = synthValid(chart, [...CLUSTER_ROLES, { kind: 'Secret', name: 'vision-s3', namespace: 'vision', keys: ['username', 'password'] }]);
    const lab = container(objectNamed(manifests, 'Deployment', 'alice'), 'jupyterlab');
    expect(objectNamed(manifests, 'Deployment', 'alice').metadata.namespace).toBe('vision');
    expect(envOf(lab).AWS_ACCESS_KEY_ID).toEqual({ valueFrom: { secretKeyRef: { name: 'vision-s3', key: 'username' } } });
    expect(t.workspaces).toHaveLength(1);
  });

  test('refuses a workspace above the quota, alone or with the others', () => {
    const t = team({ quota: { cpu: kplus.Cpu.millis(800), memory: Size.gibibytes(16) } });
    t.addNotebook('Alice', { owner: 'alice' });
    expect(() => t.addNotebook('Bob', { owner: 'bob' })).toThrow("Team 'test/Team': addNotebook('Bob'): the workspaces request 1000m cpu, with the "
      + "team's other workspaces, more than quota.cpu '800m' allows, and the namespace's ResourceQuota would refuse the pod; raise quota.cpu or "
      + 'give the workspace smaller resources');
    const small = team({ quota: { cpu: kplus.Cpu.units(4), memory: Size.gibibytes(1) } });
    expect(() => small.addNotebook('Alice', { owner: 'alice' })).toThrow("Team 'test/Team': addNotebook('Alice'): the workspaces request 2048Mi memory, "
      + "more than quota.memory '1Gi' allows, and the namespace's ResourceQuota would refuse the pod; raise quota.memory or give the workspace smaller resources");
  });

  test.each<[string, Partial<TeamProps>, string]>([
    ['a member that is not a DNS label', { members: ['alice@example.com'] },
      "members entry 'alice@example.com' is invalid: must contain only lowercase letters, digits and '-'; a member's user name names its "
      + "RoleBinding subjects and workspaces, so give it as a DNS label, e.g. 'alice' (map e-mail logins to such names in the authenticator)"],
    ['no members', { members: [] }, "members is invalid: the team has nobody; give its members' user names, e.g. ['alice']"],
    ['a quota without memory', { quota: { cpu: kplus.Cpu.units(4) } as any },
      'props.quota.memory is missing: give a Size, e.g. Size.gibibytes(32)'],
  ])('refuses %s', (_, props, message) => {
    expect(() => team(props)).toThrow(`Team 'test/Team': ${message}`);
  });

  test('refuses a chart without a namespace', () => {
    expect(() => team({}, testChart())).toThrow("Team 'test/Team': the chart has no namespace");
  });
});
