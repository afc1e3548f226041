import { Chart, Testing } from 'cdk8s';
import { ExternalObject } from '../../src/testing';
import { objectsOfKind, validManifests } from '../util';
import { NAMESPACE, platform, podsOf } from './mlops-core-fixtures';

const PROFILE_SECRETS: ExternalObject[] = [
  { kind: 'Secret', name: 'team-a-s3-credentials', namespace: NAMESPACE, keys: ['username', 'password'] },
  { kind: 'Secret', name: 'team-a-s3-credentials', namespace: 'team-a', keys: ['username', 'password'] },
];

function kubeflowPlatform(): { manifests: any[]; profile: any[]; core: any } {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace: NAMESPACE });
  const core = platform({
    kubeflowGateway: { host: 'kubeflow.example.com' },
    sharedVolume: { server: 'nfs.example.com', path: '/exports/mlops' },
  }, chart);
  const profileChart = new Chart(app, 'team-a', { namespace: 'team-a' });
  core.addKubeflowProfile(profileChart);
  const manifests = Testing.synth(chart);
  const profile = Testing.synth(profileChart);
  validManifests([...manifests, ...profile], PROFILE_SECRETS);
  return { manifests, profile, core };
}

describe('MlopsCore and Kubeflow', () => {
  test('MLflow under /mlflow of the Kubeflow gateway: static prefix, allowed host, VirtualService, the gateway pods let in', () => {
    const { manifests, core } = kubeflowPlatform();
    const mlflow = objectsOfKind(manifests, 'Deployment').find((d) => d.metadata.name.includes('mlflow'));
    const args: string[] = mlflow.spec.template.spec.containers[0].args;
    expect(args[args.indexOf('--static-prefix') + 1]).toBe('/mlflow');
    expect(args[args.indexOf('--allowed-hosts') + 1].split(',')).toContain('kubeflow.example.com');
    const [virtualService] = objectsOfKind(manifests, 'VirtualService');
    expect(virtualService.spec).toEqual({
      hosts: ['*'],
      gateways: ['kubeflow/kubeflow-gateway'],
      http: [{ name: 'mlflow', match: [{ uri: { prefix: '/mlflow/' } }], route: [{ destination: { host: `${core.mlflow.endpoint.host}.cluster.local`, port: { number: 5000 } } }] }],
    });
    const mlflowPods = podsOf(manifests, 'Deployment', 'platform-mlflow');
    const fromNamespace = (name: string) => objectsOfKind(manifests, 'NetworkPolicy').filter((p) =>
      Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) => mlflowPods[k] === v)
      && p.spec.ingress?.some((rule: any) => rule.from?.some((peer: any) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === name)));
    expect(fromNamespace('istio-system')).toHaveLength(1);
    expect(fromNamespace('team-a')).toHaveLength(1);
  });

  test('a profile gets PodDefaults for MLflow, its S3 user, the share and pipelines; its MinIO user is made from the Secret in both namespaces', () => {
    const { manifests, profile, core } = kubeflowPlatform();
    const podDefaults = Object.fromEntries(objectsOfKind(profile, 'PodDefault').map((p) => [p.metadata.name, p.spec]));
    expect(Object.keys(podDefaults)).toEqual(['access-mlflow', 'access-s3', 'access-shared-volume', 'access-ml-pipeline']);
    expect(podDefaults['access-mlflow'].env).toEqual([{ name: 'MLFLOW_TRACKING_URI', value: core.mlflow.trackingUri }]);
    expect(podDefaults['access-s3'].env[0]).toEqual({ name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'team-a-s3-credentials', key: 'username' } } });
    const [pv] = objectsOfKind(profile, 'PersistentVolume');
    expect(pv.spec.nfs).toEqual({ server: 'nfs.example.com', path: '/exports/mlops' });
    const grantJobs = objectsOfKind(manifests, 'Job').filter((j) => JSON.stringify(j).includes('team-a-s3-credentials'));
    expect(grantJobs.length).toBeGreaterThan(0);
    expect(objectsOfKind(profile, 'NetworkPolicy')).toEqual([]);
  });

  test('refuses the platform namespace as a profile and a gateway with a scheme', () => {
    const core = platform();
    expect(() => core.addKubeflowProfile(Chart.of(core))).toThrow("MlopsCore 'test/Platform': addKubeflowProfile: namespace 'mlops' is invalid: it is "
      + "the platform's, which enforces Pod Security restricted; give the chart of a Kubeflow profile's namespace");
    expect(() => platform({ kubeflowGateway: { host: 'https://kubeflow.example.com' } })).toThrow("MlopsCore 'test/Platform': props.kubeflowGateway.host "
      + "'https://kubeflow.example.com' is invalid: must be a DNS name, without a scheme, credentials, port, path or whitespace, e.g. 'kubeflow.example.com'");
  });
});
