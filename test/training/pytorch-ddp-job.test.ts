import { Duration, Size, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { fixture, synthValidWithTemplates, TRACKING, TrainingFixture } from './fixtures';
import { CleanPodPolicy, JobSubmission, PyTorchDdpJob, PyTorchDdpJobProps, WorkloadPlacement } from '../../src';
import { envOf, objectNamed, objectsOfKind } from '../util';

const IMAGE = 'registry.example.com/ml/mnist-ddp:1.0';

function job(f: TrainingFixture, props: Partial<PyTorchDdpJobProps> = {}): PyTorchDdpJob {
  return new PyTorchDdpJob(f.chart, 'Mnist', { image: IMAGE, script: '/workspace/train.py', ...props });
}

/** The one PyTorchJob of the manifests, or of the job templates. */
function pytorchJob(props: Partial<PyTorchDdpJobProps> = {}, f: TrainingFixture = fixture()): any {
  job(f, props);
  const { manifests, templates } = synthValidWithTemplates(f.chart);
  const [found] = [...objectsOfKind(manifests, 'PyTorchJob'), ...objectsOfKind(templates, 'PyTorchJob')];
  return found;
}

function container(replicaSpec: any): any {
  return replicaSpec.template.spec.containers[0];
}

describe('PyTorchDdpJob', () => {
  test('one Master and N Workers, each running the script in the container named pytorch, nprocPerNode set explicitly', () => {
    const resource = pytorchJob({ workers: 3, args: ['--epochs=5'] });
    expect(resource.apiVersion).toBe('kubeflow.org/v1');
    expect(resource.spec.nprocPerNode).toBe('1');
    expect(Object.keys(resource.spec.pytorchReplicaSpecs)).toEqual(['Master', 'Worker']);
    const { Master: master, Worker: worker } = resource.spec.pytorchReplicaSpecs;
    expect([master.replicas, worker.replicas]).toEqual([1, 3]);
    expect([master.restartPolicy, worker.restartPolicy]).toEqual(['OnFailure', 'OnFailure']);
    for (const replica of [master, worker]) {
      expect(container(replica).name).toBe('pytorch');
      // One process per pod: the operator's RANK is the global rank, and plain python runs the script.
      expect(container(replica).command).toEqual(['python', '/workspace/train.py', '--epochs=5']);
      expect(container(replica).image).toBe(IMAGE);
      expect(container(replica).imagePullPolicy).toBe('IfNotPresent');
    }
    expect(resource.spec.elasticPolicy).toBeUndefined();
    expect(resource.spec.runPolicy).toEqual({ backoffLimit: 3, cleanPodPolicy: 'Running' });
  });

  test('GPUs: a limit on the vendor resource, one process per GPU under torchrun, and the toleration of the GPU taint', () => {
    const resource = pytorchJob({ gpus: 4, gpuResourceName: 'amd.com/gpu' });
    expect(resource.spec.nprocPerNode).toBe('4');
    const pod = resource.spec.pytorchReplicaSpecs.Worker.template.spec;
    expect(pod.containers[0].command).toEqual(['torchrun', '/workspace/train.py']);
    expect(pod.containers[0].resources).toEqual({
      requests: { cpu: '1', memory: '2048Mi' },
      limits: { 'memory': '4096Mi', 'amd.com/gpu': '4' },
    });
    expect(pod.tolerations).toEqual([{ key: 'amd.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('GPU nodes chosen by the placement keep its node selector and tolerations; the GPU toleration is not added twice', () => {
    const placement = WorkloadPlacement.of({
      nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' },
      tolerations: [kplus.NodeTaintQuery.exists('nvidia.com/gpu', { effect: kplus.TaintEffect.NO_SCHEDULE }),
        kplus.NodeTaintQuery.is('pool', 'training', { effect: kplus.TaintEffect.NO_SCHEDULE })],
    });
    const pod = pytorchJob({ gpus: 1, placement }).spec.pytorchReplicaSpecs.Master.template.spec;
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' });
    expect(pod.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'pool', operator: 'Equal', value: 'training', effect: 'NoSchedule' },
    ]);
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
  });

  test('without GPUs there is no GPU limit and no toleration', () => {
    const pod = pytorchJob().spec.pytorchReplicaSpecs.Master.template.spec;
    expect(pod.tolerations).toBeUndefined();
    expect(Object.keys(pod.containers[0].resources.limits)).toEqual(['memory']);
  });

  test('more processes than one per pod without GPUs run under torchrun', () => {
    const resource = pytorchJob({ nprocPerNode: 4 });
    expect(resource.spec.nprocPerNode).toBe('4');
    expect(container(resource.spec.pytorchReplicaSpecs.Master).command[0]).toBe('torchrun');
  });

  test('a memory-backed /dev/shm, /tmp as HOME on an emptyDir and a read-only root filesystem, as uid 1000 under restricted', () => {
    const pod = pytorchJob({ sharedMemorySize: Size.gibibytes(2), resources: { memory: { request: Size.gibibytes(8), limit: Size.gibibytes(16) } } })
      .spec.pytorchReplicaSpecs.Master.template.spec;
    expect(pod.volumes).toEqual([
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } },
      { name: 'tmp', emptyDir: {} },
    ]);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'dshm', mountPath: '/dev/shm' }, { name: 'tmp', mountPath: '/tmp' }]);
    expect(envOf(pod.containers[0])).toMatchObject({ HOME: { value: '/tmp' }, PYTHONUNBUFFERED: { value: '1' } });
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '1', memory: '8192Mi' }, limits: { memory: '16384Mi' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('the shared volume with CHECKPOINT_DIR on it, MLflow, and the buckets\' key pair from the grant\'s Secret', () => {
    const f = fixture();
    const resource = pytorchJob({
      name: 'mnist',
      sharedVolume: f.nfs,
      tracking: TRACKING,
      experimentName: 'mnist',
      readBuckets: [f.minio.bucket('datasets')],
      writeBuckets: [f.minio.bucket('models')],
      env: { EPOCHS: '10' },
    }, f);
    const pod = resource.spec.pytorchReplicaSpecs.Worker.template.spec;
    const shared = pod.volumes.find((v: any) => v.persistentVolumeClaim);
    expect(shared.persistentVolumeClaim).toEqual({ claimName: f.nfs.claim.name, readOnly: false });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: shared.name, mountPath: '/shared' });
    const env = envOf(pod.containers[0]);
    const secretName = env.AWS_ACCESS_KEY_ID.valueFrom.secretKeyRef.name;
    expect(env).toEqual({
      MLFLOW_TRACKING_URI: { value: 'http://mlflow.mlops.svc:5000/mlflow' },
      MLFLOW_EXPERIMENT_NAME: { value: 'mnist' },
      AWS_ACCESS_KEY_ID: { valueFrom: { secretKeyRef: { name: secretName, key: 'username' } } },
      AWS_SECRET_ACCESS_KEY: { valueFrom: { secretKeyRef: { name: secretName, key: 'password' } } },
      AWS_ENDPOINT_URL: { value: f.minio.endpoint.url() },
      AWS_DEFAULT_REGION: { value: 'us-east-1' },
      HOME: { value: '/tmp' },
      PYTHONUNBUFFERED: { value: '1' },
      CHECKPOINT_DIR: { value: '/shared/checkpoints/mnist' },
      EPOCHS: { value: '10' },
    });
  });

  test('the job\'s MinIO user may read the data sets and write the models, and the job\'s pods reach MinIO and each other', () => {
    const f = fixture();
    const ddp = job(f, { readBuckets: [f.minio.bucket('datasets')], writeBuckets: [f.minio.bucket('models')] });
    const { manifests } = synthValidWithTemplates(f.chart);
    const policyOf = (bucket: string) => JSON.parse(objectsOfKind(manifests, 'Job')
      .find((j) => j.metadata.name.includes(`minio-${bucket}-grant-`))!.spec.template.spec.containers[0].env.find((e: any) => e.name === 'POLICY').value);
    expect(policyOf('datasets').Statement[1].Action).toEqual(['s3:GetObject']);
    expect(policyOf('models').Statement[1].Action).toContain('s3:PutObject');
    const podLabel = ddp.pods.toPodSelectorConfig().labelSelector._toKube().matchLabels!;
    const within = objectNamed(manifests, 'NetworkPolicy', 'mnist-allowwithinjob');
    expect(within.spec.podSelector.matchLabels).toEqual(podLabel);
    expect(within.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: podLabel } }], ports: [] }]);
    const toMinio = objectsOfKind(manifests, 'NetworkPolicy').filter((p) => p.metadata.name.includes('minio-allowfrom-test-mnist'));
    expect(toMinio.map((p) => p.spec.ingress[0].from[0].podSelector.matchLabels)).toEqual([podLabel]);
    const resource = objectsOfKind(manifests, 'PyTorchJob')[0];
    expect(resource.spec.pytorchReplicaSpecs.Master.template.metadata.labels).toMatchObject(podLabel);
  });

  test('elastic: Workers only, between minReplicas and maxReplicas, under torchrun with the c10d rendezvous', () => {
    const resource = pytorchJob({ workers: 2, elastic: { minReplicas: 1, maxReplicas: 4 } });
    expect(Object.keys(resource.spec.pytorchReplicaSpecs)).toEqual(['Worker']);
    expect(resource.spec.pytorchReplicaSpecs.Worker.replicas).toBe(2);
    expect(resource.spec.elasticPolicy).toEqual({ minReplicas: 1, maxReplicas: 4, maxRestarts: 3, rdzvBackend: 'c10d' });
    expect(resource.spec.nprocPerNode).toBe('1');
    expect(container(resource.spec.pytorchReplicaSpecs.Worker).command[0]).toBe('torchrun');
  });

  test('as a manifest: named after a hash of its spec, so that a changed spec is a new run and an unchanged one re-applies as it is', () => {
    const name = (props: Partial<PyTorchDdpJobProps>) => pytorchJob({ name: 'mnist', ...props }).metadata.name;
    expect(name({})).toMatch(/^mnist-[0-9a-f]{10}$/);
    expect(name({})).toBe(name({}));
    expect(name({ args: ['--epochs=6'] })).not.toBe(name({}));
  });

  test('as a template: a ConfigMap holds the PyTorchJob with generateName, and nothing runs on apply', () => {
    const f = fixture();
    const ddp = job(f, { name: 'mnist', submission: JobSubmission.TEMPLATE, ttlAfterFinished: Duration.hours(2), cleanPodPolicy: CleanPodPolicy.ALL });
    const { manifests, templates } = synthValidWithTemplates(f.chart);
    expect(objectsOfKind(manifests, 'PyTorchJob')).toEqual([]);
    expect(ddp.resource).toBeUndefined();
    const configMap = objectNamed(manifests, 'ConfigMap', 'mnist-template');
    expect(configMap.metadata.name).toBe(ddp.template!.name);
    expect(Object.keys(configMap.data)).toEqual(['template.yaml']);
    const [template] = templates;
    expect(template.kind).toBe('PyTorchJob');
    expect(template.metadata).toMatchObject({ generateName: 'mnist-', namespace: 'mlops' });
    expect(template.spec.runPolicy).toEqual({ backoffLimit: 3, cleanPodPolicy: 'All', ttlSecondsAfterFinished: 7200 });
    expect(configMap.data['template.yaml']).not.toMatch(/[&*]a\d/);
  });

  test('synthesizes the same YAML every time', () => {
    const build = () => {
      const f = fixture();
      job(f, { sharedVolume: f.nfs, readBuckets: [f.minio.bucket('datasets')] });
      return Yaml.stringify(...Testing.synth(f.chart));
    };
    expect(build()).toBe(build());
  });
});
