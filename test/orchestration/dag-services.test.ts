import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Redis, WorkloadPlacement } from '../../src';
import { container, envOf, expandEnvLikeKubelet, objectNamed, objectsOfKind, podSpec } from '../util';
import { airflow, deployment, fixture, synthValidWithTaskPod, taskPod } from './fixtures';

describe('GitSyncAirflow: what DAGs see', () => {
  test('variables, a bucket, Redis and the MLflow tracking URI reach the task pods and the components', () => {
    // GIVEN
    const f = fixture();
    const redis = new Redis(f.chart, 'Redis');
    const models = f.minio.addBucket('models');
    const af = airflow(f, { variables: { environment: 'staging' } });
    // WHEN
    af.addVariable('FEATURE_TABLE', 'sales_daily');
    af.addS3Connection('models_s3', models, { readOnly: true });
    af.addRedisConnection('task_values', redis, { database: 2 });
    af.useMlflowTracking({ trackingUri: 'http://mlflow.mlops.svc:5000' });
    // THEN
    const { manifests, pod } = synthValidWithTaskPod(f.chart);
    const redisSecret = objectNamed(manifests, 'Secret', 'redis-password').metadata.name;
    const redisService = objectNamed(manifests, 'Service', 'redis-service').metadata.name;
    for (const main of [pod.spec.containers[0], container(deployment(manifests, 'dagprocessor'), 'dag-processor')]) {
      const env = envOf(main);
      expect(env.AIRFLOW_VAR_ENVIRONMENT).toEqual({ value: 'staging' });
      expect(env.AIRFLOW_VAR_FEATURE_TABLE).toEqual({ value: 'sales_daily' });
      expect(env.MLFLOW_TRACKING_URI).toEqual({ value: 'http://mlflow.mlops.svc:5000' });
      const expanded = expandEnvLikeKubelet(main);
      expect(JSON.parse(expanded.AIRFLOW_CONN_MODELS_S3)).toMatchObject({
        conn_type: 'aws', extra: { endpoint_url: 'http://test-minio-service-c83250d4.mlops.svc:9000' },
      });
      expect(JSON.parse(expanded.AIRFLOW_CONN_TASK_VALUES)).toEqual({
        conn_type: 'redis', host: `${redisService}.mlops.svc`, port: 6379, password: `<secret:${redisSecret}/password>`, extra: { db: 2 },
      });
    }
    // The grant is read-only, and Redis lets Airflow's pods in.
    const grant = container(objectNamed(manifests, 'Job', 'models-grant-tes-airflow-airflowpods'), 'mc');
    expect(JSON.parse(envOf(grant).POLICY.value).Statement[1].Action).toEqual(['s3:GetObject']);
    const redisPolicy = objectNamed(manifests, 'NetworkPolicy', 'redis-allowfrom-test-airflow-airflowpods');
    expect(redisPolicy.spec.ingress[0].ports).toEqual([{ port: 6379, protocol: 'TCP' }]);
    // The Jobs get none of it.
    expect(Object.keys(envOf(container(objectNamed(manifests, 'Job', 'airflow-migrate'), 'migrate')))).not.toContain('AIRFLOW_VAR_ENVIRONMENT');
  });

  test('task pods run on chosen nodes (workerPlacement) with their own resources', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f, {
      workerResources: { cpu: { request: kplus.Cpu.units(2) }, memory: { request: Size.gibibytes(4), limit: Size.gibibytes(8) } },
      placement: WorkloadPlacement.of({ imagePullSecrets: ['registry-credentials'] }),
      workerPlacement: WorkloadPlacement.of({
        nodeSelector: { 'node-role.example.com/batch': 'true' },
        tolerations: [kplus.NodeTaintQuery.is('nvidia.com/gpu', 'true', { effect: kplus.TaintEffect.NO_SCHEDULE })],
        nodeAffinity: [kplus.NodeLabelQuery.in('topology.kubernetes.io/zone', ['zone-a', 'zone-b'])],
        imagePullSecrets: ['registry-credentials'],
      }),
    });
    // THEN
    const { manifests, pod } = synthValidWithTaskPod(f.chart, [{ kind: 'Secret', name: 'registry-credentials' }]);
    expect(pod.spec.containers[0].resources).toEqual({ requests: { cpu: '2', memory: '4096Mi' }, limits: { memory: '8192Mi' } });
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    // The components have the placement of `placement`, not the task pods'.
    const scheduler = podSpec(objectNamed(manifests, 'Deployment', 'airflow-scheduler'));
    expect([scheduler.imagePullSecrets, scheduler.nodeSelector]).toEqual([[{ name: 'registry-credentials' }], undefined]);
    expect(pod.spec.nodeSelector).toEqual({ 'node-role.example.com/batch': 'true' });
    expect(pod.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-a', 'zone-b'] }] },
    ]);
  });

  test('the task pod template is a Pod with a `base` container that never restarts, and the scheduler rolls when it changes', () => {
    // GIVEN
    const render = (image?: string) => {
      const f = fixture();
      airflow(f, { workerImage: image });
      return Testing.synth(f.chart);
    };
    // WHEN
    const manifests = render();
    const changed = render('registry.example.com/airflow-ml:3.1.8');
    // THEN
    const pod = taskPod(manifests);
    expect(pod.kind).toBe('Pod');
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.containers.map((c: any) => c.name)).toEqual(['base']);
    expect(pod.metadata.labels['cdk8s.io/metadata.addr']).toBeUndefined();
    expect(envOf(pod.spec.containers[0]).AIRFLOW__CORE__EXECUTOR).toEqual({ value: 'LocalExecutor' });
    const checksum = (m: any[]) => deployment(m, 'scheduler').spec.template.metadata.annotations['mlops.cdk8s.io/pod-template-checksum'];
    expect(checksum(manifests)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(changed)).not.toBe(checksum(manifests));
    expect(objectsOfKind(manifests, 'Pod')).toEqual([]);
  });
});
