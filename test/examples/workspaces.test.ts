import { Testing } from 'cdk8s';
import { PLATFORM_NAMESPACE, TEAM_NAMESPACE, TEAM_S3_SECRET, workspacesApp } from '../../examples/workspaces/workspaces-app';
import { ExternalObject } from '../../src/testing';
import { container, envOf, objectNamed, objectsOfKind, validManifests } from '../util';

const EXTERNALS: ExternalObject[] = [
  { kind: 'Secret', name: TEAM_S3_SECRET, namespace: PLATFORM_NAMESPACE, keys: ['username', 'password'] },
  { kind: 'Secret', name: TEAM_S3_SECRET, namespace: TEAM_NAMESPACE, keys: ['username', 'password'] },
  { kind: 'ClusterRole', name: 'edit' },
  { kind: 'ClusterRole', name: 'view' },
];

describe('examples/workspaces', () => {
  let platform: any[];
  let team: any[];
  let built: ReturnType<typeof workspacesApp>;
  beforeAll(() => {
    built = workspacesApp(Testing.app());
    platform = Testing.synth(built.platformChart);
    team = Testing.synth(built.teamChart);
    validManifests([...platform, ...team], EXTERNALS);
  });

  test('Alice\'s workspace on the platform: MLflow, the share, at /notebooks/alice on the platform host', () => {
    const lab = container(objectNamed(platform, 'Deployment', 'platform-alice'), 'jupyterlab');
    expect(envOf(lab).MLFLOW_TRACKING_URI).toEqual({ value: built.platform.mlflow.trackingUri });
    expect(lab.volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(['/home/jovyan', '/shared', '/tmp']));
    const ingress = objectsOfKind(platform, 'Ingress').find((i) => i.spec.rules[0].http.paths[0].path === '/notebooks/alice');
    expect(ingress.spec.rules[0].host).toBe('mlops.example.com');
  });

  test('the team: quota, members, and Bob writing the team bucket with the team user, reaching MLflow across namespaces', () => {
    expect(objectsOfKind(team, 'ResourceQuota')[0].spec.hard['requests.cpu']).toBe('8');
    const lab = container(objectNamed(team, 'Deployment', 'bob'), 'jupyterlab');
    expect(envOf(lab).MLFLOW_TRACKING_URI).toEqual({ value: built.platform.mlflow.trackingUri });
    expect(envOf(lab).AWS_SECRET_ACCESS_KEY).toEqual({ valueFrom: { secretKeyRef: { name: TEAM_S3_SECRET, key: 'password' } } });
    const toMlflow = objectsOfKind(platform, 'NetworkPolicy').find((p) => p.metadata.name.includes('allowfrom-platform-platform-team-vision'));
    expect(toMlflow.spec.ingress[0].from[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': TEAM_NAMESPACE } });
  });
});
