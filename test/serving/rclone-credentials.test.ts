import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { seldonPlatform, sklearnModel } from './seldon-fixtures';
import { Credentials } from '../../src/core/credentials';
import { ServiceEndpoint } from '../../src/core/endpoint';
import { DefaultImages } from '../../src/core/images';
import { ModelFormat } from '../../src/core/model-format';
import { ModelSource } from '../../src/core/model-source';
import { SeldonModel } from '../../src/serving/seldon-model';
import { SeldonRuntime } from '../../src/serving/seldon-runtime';
import { MinioBucket } from '../../src/storage/minio-bucket';
import { MinioWithBuckets } from '../../src/storage/minio-with-buckets';
import { FakeApiRun, FakeApiScenario, HAS_PYTHON, patchedSecrets, runAgainstFakeApi } from '../fake-kubernetes-api';
import { container, envOf, objectNamed, podSpec, synthValid, testChart } from '../util';

/** The rclone remote the Job writes for the keys `key` / `secret` of a MinIO at `http://minio.mlops.svc:9000`. */
const RCLONE_JSON = '{"name": "s3", "type": "s3", "parameters": {"provider": "Other", "env_auth": "false", "access_key_id": "key", '
  + '"secret_access_key": "secret", "endpoint": "http://minio.mlops.svc:9000", "region": "us-east-1", "force_path_style": "true"}}';

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

describe('the rclone Secret of a model from a bucket', () => {
  test('an empty one-key Secret, and a hash-named Job with the store\'s address and the grant\'s keys as env, RBAC limited to that Secret', () => {
    // GIVEN
    const platform = seldonPlatform();
    // WHEN
    sklearnModel(platform, 'iris');
    // THEN
    const manifests = synthValid(platform.chart);
    const secret = objectNamed(manifests, 'Secret', 'iris-rclonecredentials');
    expect(secret.data).toBeUndefined();
    expect(secret.stringData).toBeUndefined();
    expect(secret.metadata.annotations).toEqual({ 'mlops.cdk8s.io/generated-keys': 's3' });
    const user = objectNamed(manifests, 'Secret', 'minio-user-test-seldon-serverpods').metadata.name;
    const job = objectNamed(manifests, 'Job', 'iris-rclonecredentials-write-');
    expect(job.metadata.name).toMatch(/-[0-9a-f]{10}$/);
    const write = container(job, 'write');
    expect(write.image).toBe(DefaultImages.PYTHON);
    expect(envOf(write)).toEqual({
      SECRET_NAME: { value: secret.metadata.name },
      RCLONE_REMOTE: { value: 's3' },
      S3_ENDPOINT: { value: platform.minio.endpoint.url() },
      S3_REGION: { value: 'us-east-1' },
      S3_FORCE_PATH_STYLE: { value: 'true' },
      AWS_ACCESS_KEY_ID: { valueFrom: { secretKeyRef: { name: user, key: 'username' } } },
      AWS_SECRET_ACCESS_KEY: { valueFrom: { secretKeyRef: { name: user, key: 'password' } } },
      PYTHONDONTWRITEBYTECODE: { value: '1' },
    });
    expect(podSpec(job).automountServiceAccountToken).toBe(true);
    expect(podSpec(job).securityContext).toMatchObject({ runAsUser: 65534, runAsNonRoot: true });
    const role = objectNamed(manifests, 'Role', 'iris-rclonecredentials-writerrole');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: [secret.metadata.name], verbs: ['get', 'patch'] }]);
    const binding = objectNamed(manifests, 'RoleBinding', 'iris-rclonecredentials-writerrolebinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: podSpec(job).serviceAccountName, namespace: 'mlops', apiGroup: '' }]);
  });

  (HAS_PYTHON ? test : test.skip)('the script writes the rclone remote as exact JSON into the one key, and overwrites nothing that is up to date', () => {
    // GIVEN
    const script = writeScript();
    // WHEN
    const fresh = writeRun(script, { namespace: 'mlops', data: {} });
    const current = writeRun(script, { namespace: 'mlops', data: { s3: base64(RCLONE_JSON) } });
    const rotated = writeRun(script, { namespace: 'mlops', data: { s3: base64(RCLONE_JSON.replace('"secret"', '"old"')) } });
    // THEN
    expect(fresh.status).toBe(0);
    expect(fresh.calls.map((call) => call.split(' {')[0])).toEqual([
      'GET /api/v1/namespaces/mlops/secrets/rclone-iris',
      'PATCH /api/v1/namespaces/mlops/secrets/rclone-iris',
    ]);
    expect(patchedSecrets(fresh)).toEqual({ 'rclone-iris': { s3: RCLONE_JSON } });
    expect(JSON.parse(RCLONE_JSON)).toEqual({
      name: 's3',
      type: 's3',
      parameters: {
        provider: 'Other',
        env_auth: 'false',
        access_key_id: 'key',
        secret_access_key: 'secret',
        endpoint: 'http://minio.mlops.svc:9000',
        region: 'us-east-1',
        force_path_style: 'true',
      },
    });
    expect(fresh.stdout).toContain('Secret rclone-iris: wrote the rclone remote s3');
    expect(current.status).toBe(0);
    expect(current.calls).toEqual(['GET /api/v1/namespaces/mlops/secrets/rclone-iris']);
    expect(current.stdout).toContain('Secret rclone-iris is up to date');
    expect(patchedSecrets(rotated)).toEqual({ 'rclone-iris': { s3: RCLONE_JSON } });
  });

  (HAS_PYTHON ? test : test.skip)('the script refuses a Secret with a key of someone else, which it neither overwrites nor deletes, and fails with the API\'s answer', () => {
    // GIVEN
    const script = writeScript();
    // WHEN
    const foreign = writeRun(script, { namespace: 'mlops', data: { 'rclone.conf': base64('[s3]') } });
    const forbidden = writeRun(script, { namespace: 'mlops', data: {}, statuses: { secrets: 403 } });
    // THEN
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toContain('Secret rclone-iris has keys rclone.conf besides s3, and Seldon reads a storage Secret of exactly one key; '
      + 'remove them, then run this Job again');
    expect(foreign.calls).toEqual(['GET /api/v1/namespaces/mlops/secrets/rclone-iris']);
    expect(forbidden.status).toBe(1);
    expect(forbidden.stderr).toContain('reading Secret rclone-iris failed: HTTP 403 {}');
  });

  test('an external HTTPS bucket with virtual-host addressing and its own key names', () => {
    // GIVEN
    const chart = testChart('mlops');
    const runtime = new SeldonRuntime(chart, 'Seldon');
    const bucket = MinioBucket.fromBucketAttributes(chart, 'Models', {
      bucketName: 'acme-models',
      endpoint: ServiceEndpoint.fromHost('s3.eu-west-1.amazonaws.com', 443, 'https'),
      region: 'eu-west-1',
      pathStyle: false,
      credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'Aws', 'aws-models'), { keys: { username: 'id', password: 'key' } }),
    });
    // WHEN
    new SeldonModel(chart, 'Iris', { runtime, name: 'iris', model: ModelSource.fromBucket(bucket, 'iris'), modelFormat: ModelFormat.SKLEARN });
    // THEN
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'aws-models', keys: ['id', 'key'] }]);
    expect(envOf(container(objectNamed(manifests, 'Job', 'rclonecredentials-write'), 'write'))).toMatchObject({
      S3_ENDPOINT: { value: 'https://s3.eu-west-1.amazonaws.com:443' },
      S3_REGION: { value: 'eu-west-1' },
      S3_FORCE_PATH_STYLE: { value: 'false' },
      AWS_ACCESS_KEY_ID: { valueFrom: { secretKeyRef: { name: 'aws-models', key: 'id' } } },
      AWS_SECRET_ACCESS_KEY: { valueFrom: { secretKeyRef: { name: 'aws-models', key: 'key' } } },
    });
  });

  test('a bucket whose grant Secrets live in another namespace is refused', () => {
    // GIVEN
    const app = Testing.app();
    const storage = new MinioWithBuckets(new Chart(app, 'storage', { namespace: 'storage' }), 'Minio', { buckets: ['models'] });
    const serving = new Chart(app, 'test', { namespace: 'serving' });
    const runtime = new SeldonRuntime(serving, 'Seldon');
    // THEN
    expect(() => new SeldonModel(serving, 'Iris', { runtime, model: ModelSource.fromBucket(storage.bucket('models'), 'iris'), modelFormat: ModelFormat.SKLEARN })).toThrow(
      "SeldonModel 'test/Iris': model bucket 'models' is invalid: its credentials Secret is in namespace 'storage' and the Seldon runtime in 'serving', "
      + "whose pods cannot read it; put the runtime in 'storage', or import the bucket in 'serving' with MinioBucket.fromBucketAttributes() and credentials from a Secret there");
  });
});

/** The write script of the model `iris`. */
function writeScript(): string {
  const platform = seldonPlatform();
  sklearnModel(platform, 'iris');
  return container(objectNamed(Testing.synth(platform.chart), 'Job', 'iris-rclonecredentials-write-'), 'write').command[2];
}

/** Runs the write script for the Secret `rclone-iris`, with the keys `key` and `secret` of `http://minio.mlops.svc:9000`. */
function writeRun(script: string, scenario: FakeApiScenario): FakeApiRun {
  return runAgainstFakeApi(script, scenario, {
    SECRET_NAME: 'rclone-iris',
    RCLONE_REMOTE: 's3',
    S3_ENDPOINT: 'http://minio.mlops.svc:9000',
    S3_REGION: 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: 'key',
    AWS_SECRET_ACCESS_KEY: 'secret',
  });
}
