import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parse } from 'yaml';
import { Credentials, JobSubmission, MinioBucket, PlatformProfile, SecretSource, ServiceEndpoint, TaskPermission } from '../../src';
import { ExternalObject, ManifestValidator } from '../../src/testing';
import { taskPod } from '../orchestration/fixtures';
import { envOf, objectNamed, objectsOfKind, testChart } from '../util';
import { existingSecrets, NAMESPACE, platform, podsOf, policiesAllowing } from './mlops-core-fixtures';

const SHARED_VOLUME = { server: 'nfs.example.com', path: '/exports/mlops' };

/** The manifests, the task pod and the job templates (as a DAG task submits them) together through the harness. */
function synthValidAll(chart: Chart, externals: ExternalObject[] = []): { manifests: any[]; pod: any; templates: any[] } {
  const manifests = Testing.synth(chart);
  const pod = taskPod(manifests);
  const templates = objectsOfKind(manifests, 'ConfigMap').filter((c) => c.data?.['template.yaml']).map((c) => {
    const object = parse(c.data['template.yaml']);
    return { ...object, metadata: { ...object.metadata, name: `${object.metadata.generateName}abcde` } };
  });
  const findings = new ManifestValidator({ externalObjects: externals }).validateManifests([...manifests, pod, ...templates]);
  if (findings.length > 0) {
    throw new Error(ManifestValidator.format(findings));
  }
  return { manifests, pod, templates };
}

describe('MlopsCore training', () => {
  test('sharedVolume is mounted at /shared in every Airflow task', () => {
    const chart = testChart(NAMESPACE);
    const core = platform({ sharedVolume: SHARED_VOLUME }, chart);
    const { pod } = synthValidAll(chart);
    const volume = pod.spec.volumes.find((v: any) => v.persistentVolumeClaim?.claimName === core.sharedVolume!.claim.name);
    expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: volume.name, mountPath: '/shared' });
  });

  test('addPyTorchDdpJob: the platform\'s share and MLflow, MLflow letting the job in, the platform\'s buckets through a MinIO user of the job', () => {
    const chart = testChart(NAMESPACE);
    const core = platform({ sharedVolume: SHARED_VOLUME }, chart);
    const job = core.addPyTorchDdpJob('Mnist', {
      name: 'mnist',
      image: 'registry.example.com/ml/mnist-ddp:1.0',
      script: '/workspace/train.py',
      readBuckets: [core.datasetsBucket],
      writeBuckets: [core.modelsBucket],
    });
    const { manifests } = synthValidAll(chart);
    const [resource] = objectsOfKind(manifests, 'PyTorchJob');
    const pod = resource.spec.pytorchReplicaSpecs.Master.template.spec;
    const env = envOf(pod.containers[0]);
    expect(env.MLFLOW_TRACKING_URI).toEqual({ value: core.mlflow.trackingUri });
    expect(env.CHECKPOINT_DIR).toEqual({ value: '/shared/checkpoints/mnist' });
    expect(pod.volumes.find((v: any) => v.persistentVolumeClaim).persistentVolumeClaim.claimName).toBe(core.sharedVolume!.claim.name);
    const jobPods = job.pods.toPodSelectorConfig().labelSelector._toKube().matchLabels!;
    expect(policiesAllowing(manifests, podsOf(manifests, 'Deployment', 'platform-mlflow'), jobPods, 5000)).toHaveLength(1);
    expect(policiesAllowing(manifests, podsOf(manifests, 'StatefulSet', 'platform-minio'), jobPods, 9000)).toHaveLength(1);
  });

  test('a template job is mounted in Airflow\'s task pods, which a ServiceAccount for training may submit', () => {
    const chart = testChart(NAMESPACE);
    const core = platform({}, chart);
    const job = core.addSparkJob('Features', {
      name: 'features',
      mainApplicationFile: 'local:///opt/app/features.py',
      operatorJobNamespaces: [NAMESPACE],
      submission: JobSubmission.TEMPLATE,
    });
    core.airflow.addTaskServiceAccount('airflow-trainer', { permissions: [TaskPermission.SUBMIT_TRAINING_JOBS] });
    const { manifests, pod, templates } = synthValidAll(chart);
    expect(objectsOfKind(manifests, 'RoleBinding').filter((b) => b.subjects[0].name === 'airflow-trainer')).toHaveLength(1);
    const volume = pod.spec.volumes.find((v: any) => v.configMap?.name === job.template!.name);
    expect(volume.name).toBe('training-features');
    expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: 'training-features', mountPath: '/opt/airflow/training/features', readOnly: true });
    expect(templates[0].spec.driver.template.spec.containers[0].env).toContainEqual({ name: 'MLFLOW_TRACKING_URI', value: core.mlflow.trackingUri });
  });

  test('production: the jobs read the platform\'s buckets as the MinIO user of trainingS3Credentials', () => {
    const chart = testChart(NAMESPACE);
    const { secrets, externals } = existingSecrets(chart);
    const training = SecretSource.fromSecret(kplus.Secret.fromSecretName(chart, 'Training', 'training-s3'));
    const core = platform({ profile: PlatformProfile.PRODUCTION, secrets: { ...secrets, trainingS3Credentials: training } }, chart);
    core.addPyTorchDdpJob('Mnist', { image: 'registry.example.com/ml/mnist-ddp:1.0', script: '/workspace/train.py', readBuckets: [core.datasetsBucket] });
    const { manifests } = synthValidAll(chart, [...externals, { kind: 'Secret', name: 'training-s3', namespace: NAMESPACE, keys: ['password'] }]);
    const env = envOf(objectsOfKind(manifests, 'PyTorchJob')[0].spec.pytorchReplicaSpecs.Worker.template.spec.containers[0]);
    expect(env.AWS_SECRET_ACCESS_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'training-s3', key: 'password' } } });
    const grant = objectNamed(manifests, 'Job', 'platform-mnist-pods');
    expect(envOf(grant.spec.template.spec.containers[0]).USER_SECRET_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'training-s3', key: 'password' } } });
  });

  test('production refuses a job on the platform\'s buckets without trainingS3Credentials', () => {
    const chart = testChart(NAMESPACE);
    const { secrets } = existingSecrets(chart);
    const core = platform({ profile: PlatformProfile.PRODUCTION, secrets }, chart);
    expect(() => core.addSparkJob('Features', {
      mainApplicationFile: '/opt/app/features.py',
      image: 'registry.example.com/ml/spark-s3a:4.0.4',
      sparkVersion: '4.0.4',
      operatorJobNamespaces: [NAMESPACE],
      writeBuckets: [core.datasetsBucket],
    })).toThrow("MlopsCore 'test/Platform': addSparkJob('Features'): profile production refuses credentials generated in the cluster: the job "
      + "reads the platform's buckets with a MinIO user of its own, and secrets.trainingS3Credentials is missing; give it an existing Secret with SecretSource.fromSecret(...)");
  });

  test('trainingS3Credentials without the platform\'s MinIO is refused', () => {
    const chart = testChart(NAMESPACE);
    const bucket = (name: string) => MinioBucket.fromBucketAttributes(chart, name, {
      bucketName: name,
      endpoint: ServiceEndpoint.fromHost('s3.example.com', 443, 'https'),
      credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, `${name}-keys`, `${name}-keys`)),
    });
    expect(() => platform({
      artifactsBucket: bucket('artifacts'),
      logsBucket: bucket('logs'),
      datasetsBucket: bucket('datasets'),
      modelsBucket: bucket('models'),
      secrets: { trainingS3Credentials: SecretSource.fromSecret(kplus.Secret.fromSecretName(chart, 'Training', 'training-s3')) },
    }, chart)).toThrow("MlopsCore 'test/Platform': secrets.trainingS3Credentials is invalid: it is the training jobs' MinIO user, and that piece is "
      + 'not created because artifactsBucket, logsBucket, datasetsBucket and modelsBucket are given; remove it');
  });
});
