import { Chart, Duration, Size } from 'cdk8s';
import { DefaultImages, WorkloadPlacement } from '../../src';
import { taskPod } from '../orchestration/fixtures';
import { objectsOfKind, podSpec, synthValid } from '../util';
import { NAMESPACE, platform } from './mlops-core-fixtures';

const POOL = WorkloadPlacement.of({ nodeSelector: { 'node-pool.example.com/ml': 'true' } });
const GPU = WorkloadPlacement.of({ nodeSelector: { 'nvidia.com/gpu.present': 'true' } });

function claims(manifests: any[]): Record<string, { size: string; storageClassName?: string }> {
  const result: Record<string, { size: string; storageClassName?: string }> = {};
  for (const set of objectsOfKind(manifests, 'StatefulSet')) {
    for (const claim of set.spec.volumeClaimTemplates ?? []) {
      result[set.metadata.labels['app.kubernetes.io/name']] = { size: claim.spec.resources.requests.storage, storageClassName: claim.spec.storageClassName };
    }
  }
  for (const claim of objectsOfKind(manifests, 'PersistentVolumeClaim')) {
    result[claim.metadata.labels?.['app.kubernetes.io/name'] ?? claim.metadata.name] = { size: claim.spec.resources.requests.storage, storageClassName: claim.spec.storageClassName };
  }
  for (const prometheus of objectsOfKind(manifests, 'Prometheus')) {
    const spec = prometheus.spec.storage.volumeClaimTemplate.spec;
    result.prometheus = { size: spec.resources.requests.storage, storageClassName: spec.storageClassName };
  }
  return result;
}

describe('MlopsCore settings', () => {
  test("a platform-wide StorageClass and placement, each piece's size, image and resources, and a piece's own placement", () => {
    const core = platform({
      storageClassName: 'fast-ssd',
      placement: POOL,
      settings: {
        minio: { storageSize: Size.gibibytes(500), storageClassName: 'bulk-hdd' },
        redis: { storageSize: Size.gibibytes(2) },
        postgres: { image: 'harbor.example.com/mirror/postgres:17.6', resources: { memory: { request: Size.gibibytes(2), limit: Size.gibibytes(4) } } },
        prometheus: { retention: Duration.days(30), storageSize: Size.gibibytes(50) },
        airflow: { image: 'registry.example.com/airflow:3.1.8-custom', workerPlacement: GPU },
        mlflow: { replicas: 3 },
      },
    });
    const manifests = synthValid(Chart.of(core));
    const volumes = claims(manifests);
    expect(volumes.minio).toEqual({ size: '500Gi', storageClassName: 'bulk-hdd' });
    expect(volumes.postgres.storageClassName).toBe('fast-ssd');
    expect(volumes.redis).toEqual({ size: '2Gi', storageClassName: 'fast-ssd' });
    expect(volumes.prometheus).toEqual({ size: '50Gi', storageClassName: 'fast-ssd' });
    expect(objectsOfKind(manifests, 'Prometheus')[0].spec.retention).toBe('30d');

    const postgres = objectsOfKind(manifests, 'StatefulSet').find((s) => s.metadata.labels['app.kubernetes.io/name'] === 'postgres');
    const server = podSpec(postgres).containers[0];
    expect(server.image).toBe('harbor.example.com/mirror/postgres:17.6');
    expect(server.resources.limits.memory).toBe('4096Mi');

    // Every pod the platform runs in the cluster lands on the pool; Airflow's tasks on the GPU nodes.
    const workloads = ['Deployment', 'StatefulSet'].flatMap((kind) => objectsOfKind(manifests, kind));
    expect(workloads.length).toBeGreaterThan(5);
    for (const workload of workloads) {
      expect([workload.metadata.name, podSpec(workload).nodeSelector]).toEqual([workload.metadata.name, { 'node-pool.example.com/ml': 'true' }]);
    }
    expect(taskPod(manifests).spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    const apiServer = workloads.find((w) => w.metadata.labels['app.kubernetes.io/component'] === 'api-server');
    expect(podSpec(apiServer).containers.map((c: any) => c.image)).toContain('registry.example.com/airflow:3.1.8-custom');
    const mlflow = workloads.find((w) => w.metadata.labels['app.kubernetes.io/name'] === 'mlflow' && w.kind === 'Deployment');
    expect(mlflow.spec.replicas).toBe(3);
  });

  test('left out, every piece keeps its default', () => {
    const manifests = synthValid(Chart.of(platform()));
    const postgres = objectsOfKind(manifests, 'StatefulSet').find((s) => s.metadata.labels['app.kubernetes.io/name'] === 'postgres');
    expect(podSpec(postgres).containers[0].image).toBe(DefaultImages.POSTGRES);
    expect(podSpec(postgres).nodeSelector).toBeUndefined();
    expect(claims(manifests).postgres.storageClassName).toBeUndefined();
    expect(claims(manifests).redis).toBeUndefined();
  });

  test('common labels on every object, annotations on the objects of the kinds named', () => {
    const core = platform({
      commonLabels: { team: 'ml-platform' },
      annotations: { Service: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' } },
    });
    const manifests = synthValid(Chart.of(core));
    expect(manifests.filter((m) => m.metadata.labels?.team !== 'ml-platform').map((m) => `${m.kind} ${m.metadata.name}`)).toEqual([]);
    const services = objectsOfKind(manifests, 'Service');
    expect(services.every((s) => s.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-internal'] === 'true')).toBe(true);
    expect(objectsOfKind(manifests, 'Deployment').some((d) => d.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-internal'])).toBe(false);
    expect(objectsOfKind(manifests, 'Namespace')[0].metadata.name).toBe(NAMESPACE);
  });

  test.each([
    [{ settings: { minio: { storageSize: '500Gi' } } }, "MlopsCore 'test/Platform': settings.minio.storageSize is invalid: expected a Size, got a string (\"500Gi\"); give e.g. Size.gibibytes(10)"],
    [{ settings: { airflow: { workerPlacement: { nodeSelector: {} } } } }, "MlopsCore 'test/Platform': settings.airflow.workerPlacement is invalid: expected a WorkloadPlacement, got a plain object"],
    [{ commonLabels: { 'bad key!': 'x' } }, "MlopsCore 'test/Platform': commonLabels key 'bad key!' is invalid"],
    [{ annotations: { service: { a: 'b' } } }, "MlopsCore 'test/Platform': annotations key 'service' is invalid: give an object kind as Kubernetes spells it, e.g. 'Service' or 'Ingress'"],
    [{ storageClassName: 42 }, "MlopsCore 'test/Platform': props.storageClassName is invalid: expected a StorageClass name, got a number (42); give e.g. 'fast-ssd'"],
  ])('refuses %j', (props, message) => {
    expect(() => platform(props as any)).toThrow(message);
  });
});

