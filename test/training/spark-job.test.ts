import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { fixture, synthValidWithTemplates, TRACKING, TrainingFixture } from './fixtures';
import {
  Credentials, DefaultImages, JobSubmission, MinioBucket, ServiceEndpoint, SparkJob, SparkJobProps, SparkJobType, WorkloadPlacement,
} from '../../src';
import { envOf, objectNamed, objectsOfKind } from '../util';

const IMAGE = 'registry.example.com/ml/spark-s3a:4.0.4';

function sparkJob(f: TrainingFixture, props: Partial<SparkJobProps> = {}): SparkJob {
  return new SparkJob(f.chart, 'Features', {
    mainApplicationFile: 'local:///opt/app/features.py',
    operatorJobNamespaces: ['mlops'],
    ...props,
  });
}

function application(props: Partial<SparkJobProps> = {}, f: TrainingFixture = fixture()): { app: any; manifests: any[] } {
  sparkJob(f, props);
  const { manifests, templates } = synthValidWithTemplates(f.chart);
  const [app] = [...objectsOfKind(manifests, 'SparkApplication'), ...objectsOfKind(templates, 'SparkApplication')];
  return { app, manifests };
}

describe('SparkJob', () => {
  test('a Python application in cluster mode on the default image, with driver and executor resources', () => {
    const { app } = application({ arguments: ['--date=2026-01-01'] });
    expect(app.apiVersion).toBe('sparkoperator.k8s.io/v1beta2');
    expect(app.spec).toMatchObject({
      type: 'Python',
      mode: 'cluster',
      sparkVersion: '4.0.4',
      image: DefaultImages.SPARK,
      imagePullPolicy: 'IfNotPresent',
      mainApplicationFile: 'local:///opt/app/features.py',
      arguments: ['--date=2026-01-01'],
      restartPolicy: { type: 'Never' },
    });
    expect(app.spec.driver).toMatchObject({ cores: 1, memory: '1024m' });
    expect(app.spec.executor).toMatchObject({ instances: 2, cores: 1, memory: '2048m' });
    expect(app.spec.sparkConf).toBeUndefined();
    expect(app.spec.deps).toBeUndefined();
  });

  test('a jar application with its main class, resources and retries', () => {
    const { app } = application({
      mainApplicationFile: '/opt/app/features.jar',
      mainClass: 'com.example.Features',
      image: IMAGE,
      sparkVersion: '3.5.7',
      driverCores: 2,
      driverMemory: Size.gibibytes(4),
      executorInstances: 8,
      executorCores: 4,
      executorMemory: Size.mebibytes(6144),
      retries: 2,
    });
    expect(app.spec).toMatchObject({ type: 'Scala', mainClass: 'com.example.Features', mainApplicationFile: 'local:///opt/app/features.jar', sparkVersion: '3.5.7' });
    expect(app.spec.driver).toMatchObject({ cores: 2, memory: '4096m' });
    expect(app.spec.executor).toMatchObject({ instances: 8, cores: 4, memory: '6144m' });
    expect(app.spec.restartPolicy).toEqual({
      type: 'OnFailure', onFailureRetries: 2, onFailureRetryInterval: 10, onSubmissionFailureRetries: 2, onSubmissionFailureRetryInterval: 10,
    });
  });

  test('S3A reaches the buckets\' store: endpoint, region and path style in sparkConf, the key pair from the grant\'s Secret in both pods', () => {
    const f = fixture();
    const { app } = application({ image: IMAGE, sparkVersion: '4.0.4', readBuckets: [f.minio.bucket('datasets')], writeBuckets: [f.minio.bucket('models')] }, f);
    expect(app.spec.sparkConf).toEqual({
      'spark.hadoop.fs.s3a.endpoint': f.minio.endpoint.url(),
      'spark.hadoop.fs.s3a.endpoint.region': 'us-east-1',
      'spark.hadoop.fs.s3a.path.style.access': 'true',
      'spark.hadoop.fs.s3a.connection.ssl.enabled': 'false',
    });
    expect(JSON.stringify(app.spec.sparkConf)).not.toMatch(/key|secret|password/i);
    for (const role of ['driver', 'executor']) {
      const env = envOf(app.spec[role].template.spec.containers[0]);
      const secretName = env.AWS_ACCESS_KEY_ID.valueFrom.secretKeyRef.name;
      expect(env.AWS_ACCESS_KEY_ID).toEqual({ valueFrom: { secretKeyRef: { name: secretName, key: 'username' } } });
      expect(env.AWS_SECRET_ACCESS_KEY).toEqual({ valueFrom: { secretKeyRef: { name: secretName, key: 'password' } } });
    }
  });

  test('the driver and executors get the shared volume with MLFLOW_DFS_TMP on it, MLflow, placement and restricted security through pod templates', () => {
    const f = fixture();
    const placement = WorkloadPlacement.of({
      nodeSelector: { pool: 'spark' },
      tolerations: [kplus.NodeTaintQuery.is('pool', 'spark', { effect: kplus.TaintEffect.NO_SCHEDULE })],
    });
    const { app } = application({ sharedVolume: f.nfs, sharedMountPath: '/data/shared', tracking: TRACKING, experimentName: 'features', placement }, f);
    const containers = { driver: 'spark-kubernetes-driver', executor: 'spark-kubernetes-executor' };
    for (const [role, name] of Object.entries(containers)) {
      const pod = app.spec[role].template.spec;
      const [c] = pod.containers;
      expect(c.name).toBe(name);
      expect(pod.volumes).toEqual([{ name: pod.volumes[0].name, persistentVolumeClaim: { claimName: f.nfs.claim.name, readOnly: false } }]);
      expect(c.volumeMounts).toEqual([{ name: pod.volumes[0].name, mountPath: '/data/shared' }]);
      expect(envOf(c)).toEqual({
        MLFLOW_TRACKING_URI: { value: TRACKING.trackingUri },
        MLFLOW_EXPERIMENT_NAME: { value: 'features' },
        MLFLOW_DFS_TMP: { value: '/data/shared/tmp/mlflow' },
      });
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 185, runAsGroup: 185, fsGroup: 185, seccompProfile: { type: 'RuntimeDefault' } });
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.nodeSelector).toEqual({ pool: 'spark' });
      expect(pod.tolerations).toEqual([{ key: 'pool', operator: 'Equal', value: 'spark', effect: 'NoSchedule' }]);
    }
    expect(app.spec.driver.template.spec.automountServiceAccountToken).toBeUndefined();
    expect(app.spec.executor.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('the driver runs as its own ServiceAccount, with the operator chart\'s driver Role; the job\'s pods reach each other', () => {
    const f = fixture();
    const features = sparkJob(f);
    const { manifests } = synthValidWithTemplates(f.chart);
    const [app] = objectsOfKind(manifests, 'SparkApplication');
    const account = objectNamed(manifests, 'ServiceAccount', 'features-driverserviceaccount');
    expect(app.spec.driver.serviceAccount).toBe(account.metadata.name);
    expect(account.automountServiceAccountToken).toBe(true);
    const role = objectNamed(manifests, 'Role', 'features-driverrole');
    const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
    expect(role.rules).toEqual(['pods', 'configmaps', 'persistentvolumeclaims', 'services'].map((resource) => ({ apiGroups: [''], resources: [resource], verbs })));
    const binding = objectNamed(manifests, 'RoleBinding', 'features-driverrolebinding');
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: account.metadata.name, namespace: 'mlops' }]);
    const podLabel = features.pods.toPodSelectorConfig().labelSelector._toKube().matchLabels!;
    expect(app.spec.executor.template.metadata.labels).toMatchObject(podLabel);
    expect(objectNamed(manifests, 'NetworkPolicy', 'features-allowwithinjob').spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: podLabel } }]);
  });

  test('dependencies: paths become local://, URIs stay, and packages get a writable ivy directory', () => {
    const f = fixture();
    const { app } = application({
      image: IMAGE,
      sparkVersion: '4.0.4',
      readBuckets: [f.minio.bucket('datasets')],
      pyFiles: ['/opt/app/lib.zip', 's3a://datasets/code/helpers.py'],
      jars: ['https://repo.example.com/udfs.jar'],
      files: ['/opt/app/config.yaml'],
      packages: ['org.apache.spark:spark-avro_2.13:4.0.4'],
      repositories: ['https://maven.example.com/releases'],
      sparkConf: { 'spark.sql.shuffle.partitions': '64' },
    }, f);
    expect(app.spec.deps).toEqual({
      pyFiles: ['local:///opt/app/lib.zip', 's3a://datasets/code/helpers.py'],
      jars: ['https://repo.example.com/udfs.jar'],
      files: ['local:///opt/app/config.yaml'],
      packages: ['org.apache.spark:spark-avro_2.13:4.0.4'],
      repositories: ['https://maven.example.com/releases'],
    });
    expect(app.spec.sparkConf).toMatchObject({ 'spark.jars.ivy': '/tmp/.ivy2', 'spark.sql.shuffle.partitions': '64' });
  });

  test('an https store turns on S3A\'s SSL', () => {
    const f = fixture();
    const external = kplus.Secret.fromSecretName(f.chart, 'S3', 's3-keys');
    const bucket = MinioBucket.fromBucketAttributes(f.chart, 'Lake', {
      bucketName: 'lake',
      endpoint: ServiceEndpoint.fromHost('s3.example.com', 443, 'https'),
      pathStyle: false,
      region: 'eu-west-1',
      credentials: Credentials.fromSecret(external, { keys: { username: 'AWS_ACCESS_KEY_ID', password: 'AWS_SECRET_ACCESS_KEY' } }),
    });
    sparkJob(f, { image: IMAGE, sparkVersion: '4.0.4', readBuckets: [bucket] });
    const { manifests } = synthValidWithTemplates(f.chart, [{ kind: 'Secret', name: 's3-keys', namespace: 'mlops', keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] }]);
    const [app] = objectsOfKind(manifests, 'SparkApplication');
    expect(app.spec.sparkConf).toEqual({
      'spark.hadoop.fs.s3a.endpoint': 'https://s3.example.com:443',
      'spark.hadoop.fs.s3a.endpoint.region': 'eu-west-1',
      'spark.hadoop.fs.s3a.path.style.access': 'false',
      'spark.hadoop.fs.s3a.connection.ssl.enabled': 'true',
    });
    expect(envOf(app.spec.executor.template.spec.containers[0]).AWS_SECRET_ACCESS_KEY)
      .toEqual({ valueFrom: { secretKeyRef: { name: 's3-keys', key: 'AWS_SECRET_ACCESS_KEY' } } });
  });

  test('as a manifest: named after a hash of its spec; as a template: a ConfigMap with generateName and a TTL', () => {
    const manifestName = (props: Partial<SparkJobProps>) => application({ name: 'features', ...props }).app.metadata.name;
    expect(manifestName({})).toMatch(/^features-[0-9a-f]{10}$/);
    expect(manifestName({ executorInstances: 3 })).not.toBe(manifestName({}));

    const f = fixture();
    const features = sparkJob(f, { name: 'features', type: SparkJobType.PYTHON, submission: JobSubmission.TEMPLATE, ttlAfterFinished: Duration.days(1) });
    const { manifests, templates } = synthValidWithTemplates(f.chart);
    expect(objectsOfKind(manifests, 'SparkApplication')).toEqual([]);
    expect(features.template).toBeDefined();
    expect(templates[0].metadata.generateName).toBe('features-');
    expect(templates[0].spec.timeToLiveSeconds).toBe(86400);
    // The driver's ServiceAccount and Role are in the manifests, ready for every submission.
    expect(templates[0].spec.driver.serviceAccount).toBe(objectNamed(manifests, 'ServiceAccount', 'driverserviceaccount').metadata.name);
  });
});
