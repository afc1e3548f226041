import { Testing } from 'cdk8s';
import { DagSource, MultiClusterPlatform, ServiceEndpoint } from '../../src';
import { taskPod } from '../orchestration/fixtures';
import { container, envOf, objectNamed, objectsOfKind, validManifests } from '../util';

const dags = DagSource.fromGit({ repository: 'https://github.com/example/dags.git', subPath: 'dags' });

function platformWithDeployer(): MultiClusterPlatform {
  const platform = new MultiClusterPlatform({ outdir: '/nonexistent' });
  platform.addPrimary({
    clusterName: 'primary', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000), egressCidr: '198.51.100.0/24',
  }).addPlatform({ dags });
  platform.addServingCluster({
    clusterName: 'serving-eu',
    prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.serving-eu.example.com', 9090),
    egressCidr: '203.0.113.0/24',
    deployer: { connectionId: 'serving_eu' },
  });
  return platform;
}

describe('cross-cluster deployer', () => {
  test('the serving cluster gets a ServiceAccount whose Role covers only serving objects', () => {
    const manifests = validManifests(Testing.synth(platformWithDeployer().chartOf('serving-eu')), [
      { kind: 'Secret', name: 'primary-models-credentials', namespace: 'mlops' },
    ]);
    const account = objectNamed(manifests, 'ServiceAccount', 'airflow-deployer');
    expect(account.metadata).toMatchObject({ name: 'airflow-deployer', namespace: 'mlops' });
    const binding = objectsOfKind(manifests, 'RoleBinding').find((b) => b.subjects.some((s: any) => s.name === 'airflow-deployer'));
    const role = objectsOfKind(manifests, 'Role').find((r) => r.metadata.name === binding.roleRef.name);
    expect(role.rules.flatMap((r: any) => r.resources.map((resource: string) => `${r.apiGroups[0]}/${resource}`)))
      .toEqual(['serving.kserve.io/inferenceservices', 'serving.kserve.io/inferencegraphs', 'networking.istio.io/virtualservices']);
    expect(Object.keys(role.metadata.annotations ?? {})).toContain('argocd.argoproj.io/sync-wave');
  });

  test('the primary\'s Airflow gets the kubernetes connection from the Secret you create, and starts without it', () => {
    const manifests = validManifests(Testing.synth(platformWithDeployer().primaryChart));
    const expected = { valueFrom: { secretKeyRef: { name: 'serving-eu-deployer-connection', key: 'connection', optional: true } } };
    expect(envOf(taskPod(manifests).spec.containers[0]).AIRFLOW_CONN_SERVING_EU).toEqual(expected);
    expect(envOf(container(objectNamed(manifests, 'Deployment', 'airflow-scheduler'), 'scheduler')).AIRFLOW_CONN_SERVING_EU).toEqual(expected);
  });
});
