import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, DefaultImages, ServiceEndpoint } from '../../src';
import { ModelFormat, ModelSource } from '../../src/core';
import { KservePredictor } from '../../src/serving';
import { MinioBucket, MinioWithBuckets } from '../../src/storage';
import { FakeApiRun, FakeApiScenario, HAS_PYTHON, runAgainstFakeApi } from '../fake-kubernetes-api';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

function platform() {
  const chart = testChart('serving');
  const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models'] });
  return { chart, minio, models: minio.bucket('models') };
}

function isvc(manifests: any[], name: string): any {
  return objectsOfKind(manifests, 'InferenceService').find((m) => m.metadata.name === name);
}

describe('KServe S3 credentials of a bucket source', () => {
  test('creates the ServiceAccount and the annotated credentials Secret KServe reads, without data, and points the predictor at them', () => {
    // GIVEN
    const { chart, minio, models } = platform();
    // WHEN
    const predictor = new KservePredictor(chart, 'Iris', { name: 'iris', model: ModelSource.fromBucket(models, '/sklearn/iris/'), modelFormat: ModelFormat.SKLEARN });
    // THEN
    const manifests = synthValid(chart);
    const secret = objectNamed(manifests, 'Secret', 'test-iris-s3credentials');
    expect(secret.metadata.annotations).toEqual({
      'serving.kserve.io/s3-endpoint': minio.endpoint.hostPort,
      'serving.kserve.io/s3-usehttps': '0',
      'serving.kserve.io/s3-region': 'us-east-1',
      'serving.kserve.io/s3-usevirtualbucket': 'false',
      'mlops.cdk8s.io/generated-keys': 'AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY',
    });
    expect(minio.endpoint.hostPort).toMatch(/^test-minio-service-[a-z0-9]+\.serving\.svc:9000$/);
    expect(secret.data).toBeUndefined();
    expect(secret.stringData).toBeUndefined();
    const account = objectNamed(manifests, 'ServiceAccount', 'test-iris-s3credentials-serviceaccount');
    expect(account.secrets).toEqual([{ name: secret.metadata.name }]);
    expect(account.automountServiceAccountToken).toBe(false);
    const predictorSpec = isvc(manifests, 'iris').spec.predictor;
    expect(predictorSpec.serviceAccountName).toBe(account.metadata.name);
    expect(predictorSpec.model.storageUri).toBe('s3://models/sklearn/iris');
    expect(predictor.serviceAccount?.name).toBe(account.metadata.name);
  });

  test('a hash-named Job copies the grant into the Secret under KServe\'s key names, with RBAC limited to the two objects', () => {
    // GIVEN
    const { chart, models } = platform();
    // WHEN
    new KservePredictor(chart, 'Iris', { name: 'iris', model: ModelSource.fromBucket(models, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
    // THEN
    const manifests = synthValid(chart);
    const secret = objectNamed(manifests, 'Secret', 'test-iris-s3credentials').metadata.name;
    const user = objectNamed(manifests, 'Secret', 'minio-user-test-iris-pods').metadata.name;
    const job = objectNamed(manifests, 'Job', 'test-iris-s3credentials-copy-');
    expect(job.metadata.name).toMatch(/-[0-9a-f]{10}$/);
    const copy = container(job, 'copy');
    expect(copy.image).toBe(DefaultImages.PYTHON);
    expect(envOf(copy)).toEqual({
      SECRET_NAME: { value: secret },
      INFERENCE_SERVICE: { value: 'iris' },
      AWS_ACCESS_KEY_ID: { valueFrom: { secretKeyRef: { name: user, key: 'username' } } },
      AWS_SECRET_ACCESS_KEY: { valueFrom: { secretKeyRef: { name: user, key: 'password' } } },
      PYTHONDONTWRITEBYTECODE: { value: '1' },
    });
    expect(podSpec(job).automountServiceAccountToken).toBe(true);
    const role = objectNamed(manifests, 'Role', 'test-iris-s3credentials-copierrole');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: [secret], verbs: ['get', 'patch'] },
      { apiGroups: ['serving.kserve.io'], resources: ['inferenceservices'], resourceNames: ['iris'], verbs: ['patch'] },
    ]);
    const binding = objectNamed(manifests, 'RoleBinding', 'test-iris-s3credentials-copierrolebinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: podSpec(job).serviceAccountName, namespace: 'serving', apiGroup: '' }]);
    // the predictor pods reach MinIO
    const policy = objectNamed(manifests, 'NetworkPolicy', 'minio-allowfrom-test-iris-pods');
    expect(policy.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({ 'serving.kserve.io/inferenceservice': 'iris' });
  });

  (HAS_PYTHON ? test : test.skip)('the copy script patches the Secret, then rolls the InferenceService; it changes nothing when the Secret is up to date', () => {
    // GIVEN
    const { chart, models } = platform();
    new KservePredictor(chart, 'Iris', { name: 'iris', model: ModelSource.fromBucket(models, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
    const script = container(objectNamed(Testing.synth(chart), 'Job', 'test-iris-s3credentials-copy-'), 'copy').command[2];
    const run = (data: Record<string, string>, isvcStatus: number) => copyRun(script, { namespace: 'serving', data, statuses: { inferenceservices: isvcStatus } });
    // WHEN
    const fresh = run({}, 200);
    const current = run({ AWS_ACCESS_KEY_ID: 'a2V5', AWS_SECRET_ACCESS_KEY: 'c2VjcmV0' }, 200);
    const noIsvc = run({}, 404);
    // THEN
    expect(fresh.status).toBe(0);
    expect(fresh.calls).toEqual([
      'GET /api/v1/namespaces/serving/secrets/s3-secret',
      'PATCH /api/v1/namespaces/serving/secrets/s3-secret {"data": {"AWS_ACCESS_KEY_ID": "a2V5", "AWS_SECRET_ACCESS_KEY": "c2VjcmV0"}}',
      'PATCH /apis/serving.kserve.io/v1beta1/namespaces/serving/inferenceservices/iris {"metadata": {"annotations": {"mlops.cdk8s.io/s3-credentials-version": "42"}}}',
    ]);
    expect(current.status).toBe(0);
    expect(current.calls).toEqual(['GET /api/v1/namespaces/serving/secrets/s3-secret']);
    expect(noIsvc.status).toBe(0);
    expect(noIsvc.stdout).toContain('InferenceService iris does not exist yet; its pods will start with the credentials');
  });

  (HAS_PYTHON ? test : test.skip)('the copy script starts with the secret generator\'s API prelude, and fails with the API\'s answer when it may not read the Secret', () => {
    // GIVEN
    const { chart, models } = platform();
    new KservePredictor(chart, 'Iris', { name: 'iris', model: ModelSource.fromBucket(models, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
    const manifests = Testing.synth(chart);
    const script = container(objectNamed(manifests, 'Job', 'test-iris-s3credentials-copy-'), 'copy').command[2];
    const generator = container(objectNamed(manifests, 'Job', 'mlopssecretgenerator'), 'generate').command[2];
    // WHEN
    const forbidden = copyRun(script, { namespace: 'serving', data: {}, statuses: { secrets: 403 } });
    // THEN
    const prelude = script.slice(0, script.indexOf('\n', script.indexOf('never appeared')) + 1);
    expect(prelude).toContain('def wait_for_secret(name):');
    expect(generator.startsWith(prelude)).toBe(true);
    expect(forbidden.status).toBe(1);
    expect(forbidden.stderr).toContain('reading Secret s3-secret failed: HTTP 403 {}');
    expect(forbidden.calls).toEqual(['GET /api/v1/namespaces/serving/secrets/s3-secret']);
  });

  test('an external HTTPS bucket with virtual-host addressing and its own key names', () => {
    // GIVEN
    const chart = testChart('serving');
    const secret = kplus.Secret.fromSecretName(chart, 'Aws', 'aws-models');
    const bucket = MinioBucket.fromBucketAttributes(chart, 'Models', {
      bucketName: 'acme-models',
      endpoint: ServiceEndpoint.fromHost('s3.eu-west-1.amazonaws.com', 443, 'https'),
      region: 'eu-west-1',
      pathStyle: false,
      credentials: Credentials.fromSecret(secret, { keys: { username: 'id', password: 'key' } }),
    });
    // WHEN
    new KservePredictor(chart, 'Iris', { name: 'iris', model: ModelSource.fromBucket(bucket, 'iris'), modelFormat: ModelFormat.SKLEARN });
    // THEN
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'aws-models', keys: ['id', 'key'] }]);
    expect(objectNamed(manifests, 'Secret', 's3credentials').metadata.annotations).toMatchObject({
      'serving.kserve.io/s3-endpoint': 's3.eu-west-1.amazonaws.com:443',
      'serving.kserve.io/s3-usehttps': '1',
      'serving.kserve.io/s3-region': 'eu-west-1',
      'serving.kserve.io/s3-usevirtualbucket': 'true',
    });
    const copy = container(objectNamed(manifests, 'Job', 's3credentials-copy'), 'copy');
    expect(envOf(copy).AWS_ACCESS_KEY_ID).toEqual({ valueFrom: { secretKeyRef: { name: 'aws-models', key: 'id' } } });
    expect(envOf(copy).AWS_SECRET_ACCESS_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'aws-models', key: 'key' } } });
    expect(isvc(manifests, 'iris').spec.predictor.model.storageUri).toBe('s3://acme-models/iris');
  });
});

describe('KServe S3 credentials across namespaces', () => {
  test('a bucket whose grant Secrets live in another namespace is refused', () => {
    // GIVEN
    const app = Testing.app();
    const storage = new MinioWithBuckets(new Chart(app, 'storage', { namespace: 'storage' }), 'Minio', { buckets: ['models'] });
    const serving = new Chart(app, 'test', { namespace: 'serving' });
    // THEN
    expect(() => new KservePredictor(serving, 'Iris', { model: ModelSource.fromBucket(storage.bucket('models'), 'iris'), modelFormat: ModelFormat.SKLEARN })).toThrow(
      "KservePredictor 'test/Iris': model bucket 'models' is invalid: its credentials Secret is in namespace 'storage' and the predictor in 'serving', whose pods cannot read it; "
      + "put the predictor in 'storage', or import the bucket in 'serving' with MinioBucket.fromBucketAttributes() and credentials from a Secret there");
  });
});

/** Runs the copy script of the InferenceService `iris` and the Secret `s3-secret`, with the keys `key` and `secret`. */
function copyRun(script: string, scenario: FakeApiScenario): FakeApiRun {
  return runAgainstFakeApi(script, scenario, { SECRET_NAME: 's3-secret', INFERENCE_SERVICE: 'iris', AWS_ACCESS_KEY_ID: 'key', AWS_SECRET_ACCESS_KEY: 'secret' });
}
