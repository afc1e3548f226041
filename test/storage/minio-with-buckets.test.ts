import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, DefaultImages, restrictedContainerSecurity, restrictedPodSecurity, ScrapeDiscovery, SecretSource } from '../../src';
import { BucketAnonymousAccess, MinioWithBuckets } from '../../src/storage';
import { container, envOf, generatedSecretSpec, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

/** A workload that passes the harness, to grant buckets to. */
function workload(chart: Chart, id = 'Mlflow', namespace?: string): kplus.Deployment {
  const runAs = { user: 1000, group: 1000 };
  return new kplus.Deployment(chart, id, {
    metadata: { namespace },
    replicas: 1,
    securityContext: restrictedPodSecurity(runAs),
    containers: [{
      name: 'app',
      image: 'example.com/app:1.0',
      portNumber: 8080,
      securityContext: restrictedContainerSecurity(runAs),
      resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(32) } },
    }],
  });
}

/** The script of a Job's `mc` container, and the lines after the wait-for-MinIO loop. */
function scriptOf(job: any): { script: string; steps: string[] } {
  const mc = container(job, 'mc');
  expect(mc.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
  const script: string = mc.command[2];
  return { script, steps: script.slice(script.indexOf('\ndone\n') + 6).split('\n') };
}

/** MinIO's root credentials from an existing Secret laid out like the MinIO chart's, `minio-root`. */
function rootFromSecret(chart: Chart): SecretSource {
  const secret = kplus.Secret.fromSecretName(chart, 'MinioRoot', 'minio-root');
  return SecretSource.fromSecret(secret, { keys: { username: 'rootUser', password: 'rootPassword' } });
}

function jobNames(chart: Chart): string[] {
  return objectsOfKind(Testing.synth(chart), 'Job').map((j) => j.metadata.name);
}

describe('MinioWithBuckets server', () => {
  test('the default passes the validation harness', () => {
    // GIVEN
    const chart = testChart('storage');
    // WHEN
    new MinioWithBuckets(chart, 'Minio', { buckets: ['models'] });
    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
  });

  test('runs `minio server` on a sub-directory of its volume, as uid 1000, with a writable /tmp for certs', () => {
    // GIVEN
    const chart = testChart('storage');
    // WHEN
    new MinioWithBuckets(chart, 'Minio');
    // THEN
    const manifests = synthValid(chart);
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'minio');
    expect(statefulSet.spec.replicas).toBe(1);
    const minio = container(statefulSet, 'minio');
    expect(minio.image).toBe(DefaultImages.MINIO);
    expect(minio.command).toEqual(['minio']);
    expect(minio.args).toEqual(['server', '/data/minio', '--address', ':9000', '--console-address', ':9001', '--certs-dir', '/tmp/certs']);
    expect(minio.ports).toEqual([{ name: 'api', containerPort: 9000 }, { name: 'console', containerPort: 9001 }]);
    expect(minio.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true });
    expect(podSpec(statefulSet).securityContext).toMatchObject({ runAsUser: 1000, fsGroup: 1000 });
    expect(minio.resources).toEqual({ requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '2048Mi' } });

    const pvc = objectNamed(manifests, 'PersistentVolumeClaim', 'minio-data');
    expect(pvc.spec.resources.requests.storage).toBe('10Gi');
    expect(pvc.spec.storageClassName).toBeUndefined();
    expect(minio.volumeMounts).toEqual([{ mountPath: '/data', name: 'data' }, { mountPath: '/tmp', name: 'tmp' }]);
    expect(podSpec(statefulSet).volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: pvc.metadata.name, readOnly: false } },
      { name: 'tmp', emptyDir: {} },
    ]);
  });

  test('probes the health endpoints on the API port', () => {
    // GIVEN
    const chart = testChart();
    // WHEN
    new MinioWithBuckets(chart, 'Minio');
    // THEN
    const minio = container(objectNamed(synthValid(chart), 'StatefulSet', 'minio'), 'minio');
    expect(minio.readinessProbe.httpGet).toEqual({ path: '/minio/health/ready', port: 9000, scheme: 'HTTP' });
    expect(minio.livenessProbe.httpGet).toEqual({ path: '/minio/health/live', port: 9000, scheme: 'HTTP' });
    expect(minio.startupProbe).toMatchObject({ httpGet: { path: '/minio/health/live', port: 9000 }, failureThreshold: 60, periodSeconds: 5 });
  });

  test('reads the root credentials from the generated Secret, and sets region and public metrics', () => {
    // GIVEN
    const chart = testChart('storage');
    // WHEN
    const minio = new MinioWithBuckets(chart, 'Minio', { region: 'eu-central-1' });
    // THEN
    const manifests = synthValid(chart);
    const secret = objectNamed(manifests, 'Secret', 'rootcredentials');
    expect(secret.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBe('password,username');
    expect(minio.rootCredentials.secret.name).toBe(secret.metadata.name);
    const env = envOf(container(objectNamed(manifests, 'StatefulSet', 'minio'), 'minio'));
    expect(env).toEqual({
      MINIO_ROOT_USER: { valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'username' } } },
      MINIO_ROOT_PASSWORD: { valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'password' } } },
      MINIO_SITE_REGION: { value: 'eu-central-1' },
      MINIO_PROMETHEUS_AUTH_TYPE: { value: 'public' },
    });
    expect(generatedSecretSpec(manifests, 'rootcredentials'))
      .toEqual({ secretValues: ['password'], values: { username: 'admin' }, format: 'ALPHANUMERIC', length: 32 });
    expect(minio.region).toBe('eu-central-1');
  });

  test('root credentials from an existing Secret laid out like the MinIO chart\'s', () => {
    // GIVEN
    const chart = testChart('storage');
    const existing = kplus.Secret.fromSecretName(chart, 'Existing', 'minio-root');
    // WHEN
    new MinioWithBuckets(chart, 'Minio', {
      rootCredentials: SecretSource.fromSecret(existing, { keys: { username: 'rootUser', password: 'rootPassword' } }),
      buckets: ['models'],
    });
    // THEN
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'minio-root', keys: ['rootUser', 'rootPassword'] }]);
    expect(objectsOfKind(manifests, 'Secret')).toEqual([]);
    for (const c of [container(objectNamed(manifests, 'StatefulSet', 'minio'), 'minio'), container(objectNamed(manifests, 'Job', 'models'), 'mc')]) {
      expect(envOf(c).MINIO_ROOT_USER).toEqual({ valueFrom: { secretKeyRef: { name: 'minio-root', key: 'rootUser' } } });
      expect(envOf(c).MINIO_ROOT_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: 'minio-root', key: 'rootPassword' } } });
    }
  });

  test('a Service with the api and console ports, and endpoints in the chart\'s namespace', () => {
    // GIVEN
    const chart = testChart('storage');
    // WHEN
    const minio = new MinioWithBuckets(chart, 'Minio');
    // THEN
    const service = objectNamed(synthValid(chart), 'Service', 'minio-service');
    expect(service.spec.ports).toEqual([
      { name: 'api', port: 9000, targetPort: 9000 },
      { name: 'console', port: 9001, targetPort: 9001 },
    ]);
    expect(minio.endpoint.url()).toBe(`http://${service.metadata.name}.storage.svc:9000`);
    expect(minio.consoleEndpoint.url()).toBe(`http://${service.metadata.name}.storage.svc:9001`);
    expect(minio.pathStyle).toBe(true);
    expect(minio.region).toBe('us-east-1');
  });

  test('storageSize and storageClassName shape the claim; storage replaces it', () => {
    // GIVEN
    const sized = testChart();
    const given = testChart();
    // WHEN
    new MinioWithBuckets(sized, 'Minio', { storageSize: Size.gibibytes(100), storageClassName: 'fast' });
    const claim = kplus.PersistentVolumeClaim.fromClaimName(given, 'Claim', 'minio-data');
    new MinioWithBuckets(given, 'Minio', { storage: kplus.Volume.fromPersistentVolumeClaim(given, 'Data', claim) });
    // THEN
    const pvc = objectNamed(synthValid(sized), 'PersistentVolumeClaim', 'minio');
    expect(pvc.spec).toMatchObject({ resources: { requests: { storage: '100Gi' } }, storageClassName: 'fast' });
    const manifests = synthValid(given, [{ kind: 'PersistentVolumeClaim', name: 'minio-data' }]);
    expect(objectsOfKind(manifests, 'PersistentVolumeClaim')).toEqual([]);
    expect(podSpec(objectNamed(manifests, 'StatefulSet', 'minio')).volumes[0].persistentVolumeClaim.claimName).toBe('minio-data');
  });

  test('two synths are byte-identical', () => {
    const build = () => {
      const chart = testChart('storage');
      const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models'] });
      minio.bucket('models').grantReadWrite(workload(chart));
      return JSON.stringify(Testing.synth(chart));
    };
    expect(build()).toBe(build());
  });

  test('fails when storage comes with storageSize or storageClassName', () => {
    const chart = testChart();
    const storage = kplus.Volume.fromEmptyDir(chart, 'Scratch', 'scratch');
    expect(() => new MinioWithBuckets(chart, 'Minio', { storage, storageClassName: 'fast' })).toThrow(
      "MinioWithBuckets 'test/Minio': storage is invalid together with storageSize or storageClassName: they describe "
      + 'the PersistentVolumeClaim that storage replaces; give either storage or the other two');
  });

  test('fails on a region that is not a DNS label', () => {
    const chart = testChart();
    expect(() => new MinioWithBuckets(chart, 'Minio', { region: 'EU West' })).toThrow(
      "MinioWithBuckets 'test/Minio': region 'EU West' is invalid: must contain only lowercase letters, digits and '-'");
  });

  test('fails on an empty storageSize', () => {
    const chart = testChart();
    expect(() => new MinioWithBuckets(chart, 'Minio', { storageSize: Size.gibibytes(0) })).toThrow(
      "MinioWithBuckets 'test/Minio': storageSize '0Gi' is invalid: must be a whole number of gibibytes, at least 1Gi; e.g. Size.gibibytes(10)");
  });
});

describe('MinioWithBuckets buckets', () => {
  test('a bucket Job waits for MinIO in a bounded loop, then runs idempotent mc commands', () => {
    // GIVEN
    const chart = testChart('storage');
    const minio = new MinioWithBuckets(chart, 'Minio');
    // WHEN
    const bucket = minio.addBucket('models');
    // THEN
    const manifests = synthValid(chart);
    const job = objectNamed(manifests, 'Job', 'minio-models-create');
    const { script, steps } = scriptOf(job);
    expect(script.split('\n').slice(0, 4)).toEqual([
      'set -eu',
      'mc() { command mc --config-dir /tmp/mc "$@"; }',
      'attempt=1',
      'until printf \'%s\\n%s\\n\' "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" | mc alias set minio "$MINIO_URL" > /dev/null; do',
    ]);
    expect(script).toContain('if [ "$attempt" -ge 60 ]; then');
    expect(script).toContain('  sleep 5\n');
    expect(script).toMatch(/MinIO at \$MINIO_URL did not accept the root credentials in 60 attempts.*>&2\n {4}exit 1\n/);
    expect(script).not.toMatch(/\|\| true|exit 0/);
    expect(steps).toEqual([
      'mc mb --ignore-existing --region us-east-1 minio/models',
      'mc anonymous set none minio/models',
      'echo "bucket models is ready"',
    ]);

    const mc = container(job, 'mc');
    expect(mc.image).toBe(DefaultImages.MINIO_CLIENT);
    expect(envOf(mc).MINIO_URL).toEqual({ value: minio.endpoint.url() });
    expect(envOf(mc).MINIO_ROOT_PASSWORD).toEqual({
      valueFrom: { secretKeyRef: { name: minio.rootCredentials.secret.name, key: 'password' } },
    });
    expect(mc.volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
    expect(mc.securityContext).toMatchObject({ runAsUser: 1000, readOnlyRootFilesystem: true });
    expect(mc.resources).toEqual({ requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '128Mi' } });
    expect(bucket.bucketName).toBe('models');
    expect(bucket.objectStore).toBe(minio);
    expect(bucket.s3Uri('/runs/1')).toBe('s3://models/runs/1');
  });

  test('the bucket Jobs are let through to the MinIO API, and nothing else is', () => {
    // GIVEN
    const chart = testChart('storage');
    // WHEN
    new MinioWithBuckets(chart, 'Minio', { buckets: ['models', 'datasets'] });
    // THEN
    const manifests = synthValid(chart);
    const [policy] = objectsOfKind(manifests, 'NetworkPolicy');
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'minio');
    expect(policy.spec.podSelector).toEqual(statefulSet.spec.selector);
    expect(policy.spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: { 'mlops.cdk8s.io/minio-client': expect.any(String) } } }],
      ports: [{ port: 9000, protocol: 'TCP' }],
    }]);
    const clientLabel = policy.spec.ingress[0].from[0].podSelector.matchLabels['mlops.cdk8s.io/minio-client'];
    for (const job of objectsOfKind(manifests, 'Job').filter((j) => j.metadata.name.includes('create'))) {
      expect(job.spec.template.metadata.labels['mlops.cdk8s.io/minio-client']).toBe(clientLabel);
    }
    expect(objectsOfKind(manifests, 'NetworkPolicy')).toHaveLength(1);
  });

  test('versioning, object locking and anonymous access', () => {
    // GIVEN
    const chart = testChart();
    const minio = new MinioWithBuckets(chart, 'Minio', { region: 'eu-1' });
    // WHEN
    minio.addBucket('versioned', { versioning: true });
    minio.addBucket('suspended', { versioning: false, anonymousAccess: BucketAnonymousAccess.DOWNLOAD });
    minio.addBucket('locked', { objectLock: true, versioning: true, anonymousAccess: BucketAnonymousAccess.PUBLIC });
    // THEN
    const manifests = synthValid(chart);
    expect(scriptOf(objectNamed(manifests, 'Job', 'versioned')).steps).toEqual([
      'mc mb --ignore-existing --region eu-1 minio/versioned',
      'mc version enable minio/versioned',
      'mc anonymous set none minio/versioned',
      'echo "bucket versioned is ready"',
    ]);
    expect(scriptOf(objectNamed(manifests, 'Job', 'suspended')).steps).toEqual([
      'mc mb --ignore-existing --region eu-1 minio/suspended',
      'mc version suspend minio/suspended',
      'mc anonymous set download minio/suspended',
      'echo "bucket suspended is ready"',
    ]);
    expect(scriptOf(objectNamed(manifests, 'Job', 'locked')).steps).toEqual([
      'mc mb --ignore-existing --region eu-1 --with-lock minio/locked',
      'mc anonymous set public minio/locked',
      'echo "bucket locked is ready"',
    ]);
    expect(BucketAnonymousAccess.UPLOAD.policy).toBe('upload');
  });

  test('adding a bucket later adds a Job and keeps the others\' names', () => {
    // GIVEN
    const chart = testChart();
    const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models'] });
    const before = jobNames(chart);
    // WHEN
    minio.addBucket('datasets');
    // THEN
    const after = jobNames(chart);
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.filter((name) => !before.includes(name))).toEqual([expect.stringMatching(/^test-minio-datasets-create-[0-9a-f]{10}$/)]);
  });

  test('changing a bucket\'s options changes its Job\'s name', () => {
    const name = (versioning?: boolean) => {
      const chart = testChart();
      new MinioWithBuckets(chart, 'Minio').addBucket('models', { versioning });
      return objectNamed(Testing.synth(chart), 'Job', 'models-create').metadata.name;
    };
    expect(name(true)).not.toBe(name(false));
    expect(name()).toBe(name());
  });

  test('the buckets prop, lookup by name, and the list of buckets', () => {
    // GIVEN
    const chart = testChart();
    // WHEN
    const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models', 'datasets'] });
    const logs = minio.addBucket('logs');
    // THEN
    expect(minio.bucket('logs')).toBe(logs);
    expect(minio.bucket('models').bucketName).toBe('models');
    expect(minio.buckets.map((b) => b.bucketName)).toEqual(['models', 'datasets', 'logs']);
  });

  test('fails on a bucket name with upper case and an underscore', () => {
    const minio = new MinioWithBuckets(testChart(), 'Minio');
    expect(() => minio.addBucket('My_Bucket')).toThrow(
      "MinioWithBuckets 'test/Minio': bucket name 'My_Bucket' is invalid: must contain only lowercase letters, digits, '.' and '-'");
  });

  test('fails on a bucket name with several problems, listing each', () => {
    const minio = new MinioWithBuckets(testChart(), 'Minio');
    expect(() => minio.addBucket('.A')).toThrow(
      "MinioWithBuckets 'test/Minio': bucket name '.A' is invalid: must be 3-63 characters long (has 2); "
      + "must contain only lowercase letters, digits, '.' and '-'; must start and end with a letter or digit");
  });

  test('fails on a bucket name that is too short', () => {
    const minio = new MinioWithBuckets(testChart(), 'Minio');
    expect(() => minio.addBucket('ab')).toThrow(
      "MinioWithBuckets 'test/Minio': bucket name 'ab' is invalid: must be 3-63 characters long (has 2)");
  });

  test('fails on a bucket name with adjacent periods', () => {
    const minio = new MinioWithBuckets(testChart(), 'Minio');
    expect(() => minio.addBucket('a..b')).toThrow(
      "MinioWithBuckets 'test/Minio': bucket name 'a..b' is invalid: must not contain two adjacent periods '..'");
  });

  test('fails on a bad name in the buckets prop', () => {
    expect(() => new MinioWithBuckets(testChart(), 'Minio', { buckets: ['ok-bucket', '-bad'] })).toThrow(
      "MinioWithBuckets 'test/Minio': bucket name '-bad' is invalid: must start and end with a letter or digit");
  });

  test('fails on a bucket added twice', () => {
    const minio = new MinioWithBuckets(testChart(), 'Minio', { buckets: ['models'] });
    expect(() => minio.addBucket('models')).toThrow(
      "MinioWithBuckets 'test/Minio': bucket 'models' is invalid: it was added already; add each bucket once and find it with bucket('models')");
  });

  test('fails to look up a bucket that was never added', () => {
    const minio = new MinioWithBuckets(testChart(), 'Minio', { buckets: ['models'] });
    expect(() => minio.bucket('datasets')).toThrow(
      "MinioWithBuckets 'test/Minio': bucket 'datasets' is invalid: no such bucket (added: models); add it with addBucket('datasets')");
  });

  test('fails on object locking with versioning suspended', () => {
    const minio = new MinioWithBuckets(testChart(), 'Minio');
    expect(() => minio.addBucket('audit', { objectLock: true, versioning: false })).toThrow(
      "MinioWithBuckets 'test/Minio': bucket 'audit' options are invalid: objectLock needs versioning, which MinIO turns on "
      + 'with the lock; remove versioning: false');
  });
});

describe('MinioWithBuckets grants', () => {
  test('grantRead gives the grantee its own user, a read policy on the bucket only, and network access', () => {
    // GIVEN
    const chart = testChart('storage');
    const minio = new MinioWithBuckets(chart, 'Minio');
    const bucket = minio.addBucket('models');
    const app = workload(chart);
    // WHEN
    const credentials = bucket.grantRead(app);
    // THEN
    const manifests = synthValid(chart);
    const userSecret = objectNamed(manifests, 'Secret', 'minio-user-test-mlflow');
    expect(userSecret.data).toBeUndefined();
    expect(userSecret.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBe('password,username');
    expect(credentials.secret.name).toBe(userSecret.metadata.name);
    expect(credentials.envValue(Credentials.USERNAME).valueFrom).toEqual({ secretKeyRef: { name: userSecret.metadata.name, key: 'username' } });
    const spec = generatedSecretSpec(manifests, 'minio-user-test-mlflow');
    expect(spec).toEqual({
      secretValues: ['password'], values: { username: expect.stringMatching(/^test-mlflow-[0-9a-f]{8}$/) }, format: 'ALPHANUMERIC', length: 32,
    });
    const userName = spec.values.username;

    const job = objectNamed(manifests, 'Job', 'models-grant');
    const policyName = `${userName}-models`;
    expect(scriptOf(job).steps).toEqual([
      'printf \'%s\\n%s\\n\' "$USER_ACCESS_KEY" "$USER_SECRET_KEY" | mc admin user add minio',
      'printf \'%s\' "$POLICY" > /tmp/policy.json',
      `mc admin policy create minio ${policyName} /tmp/policy.json`,
      `if output=$(mc admin policy attach minio ${policyName} --user "$USER_ACCESS_KEY" 2>&1); then`,
      '  echo "$output"',
      'else',
      '  case "$output" in',
      `    *"policy change is already in effect"*) echo "policy ${policyName} is already attached" ;;`,
      '    *) echo "$output" >&2; exit 1 ;;',
      '  esac',
      'fi',
      `echo "user $USER_ACCESS_KEY has policy ${policyName} on bucket models"`,
    ]);
    const env = envOf(container(job, 'mc'));
    expect(env.USER_ACCESS_KEY).toEqual({ valueFrom: { secretKeyRef: { name: userSecret.metadata.name, key: 'username' } } });
    expect(env.USER_SECRET_KEY).toEqual({ valueFrom: { secretKeyRef: { name: userSecret.metadata.name, key: 'password' } } });
    expect(JSON.parse(env.POLICY.value)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: ['arn:aws:s3:::models'] },
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::models/*'] },
      ],
    });

    const statefulSet = objectNamed(manifests, 'StatefulSet', 'minio');
    const allow = objectNamed(manifests, 'NetworkPolicy', 'allowfrom-test-mlflow');
    expect(allow.spec.podSelector).toEqual(statefulSet.spec.selector);
    expect(allow.spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storage' } },
        podSelector: objectNamed(manifests, 'Deployment', 'mlflow').spec.selector,
      }],
      ports: [{ port: 9000, protocol: 'TCP' }],
    }]);
  });

  test('grantReadWrite adds upload, delete and multipart actions on the same resources', () => {
    // GIVEN
    const chart = testChart();
    const bucket = new MinioWithBuckets(chart, 'Minio').addBucket('artifacts');
    // WHEN
    bucket.grantReadWrite(workload(chart));
    // THEN
    const env = envOf(container(objectNamed(synthValid(chart), 'Job', 'artifacts-grant'), 'mc'));
    expect(JSON.parse(env.POLICY.value).Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        Resource: ['arn:aws:s3:::artifacts'],
      },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: ['arn:aws:s3:::artifacts/*'],
      },
    ]);
  });

  test('granting again returns the same credentials; read then read-write widens the one policy', () => {
    // GIVEN
    const chart = testChart();
    const bucket = new MinioWithBuckets(chart, 'Minio').addBucket('models');
    const app = workload(chart);
    const first = bucket.grantRead(app);
    const readJob = objectNamed(Testing.synth(chart), 'Job', 'models-grant').metadata.name;
    // WHEN
    const again = bucket.grantRead(app);
    const widened = bucket.grantReadWrite(app);
    const narrowed = bucket.grantRead(app);
    // THEN
    expect(again).toBe(first);
    expect(widened).toBe(first);
    expect(narrowed).toBe(first);
    const manifests = synthValid(chart);
    const grantJob = objectNamed(manifests, 'Job', 'models-grant');
    expect(grantJob.metadata.name).not.toBe(readJob);
    expect(JSON.parse(envOf(container(grantJob, 'mc')).POLICY.value).Statement[1].Action).toContain('s3:PutObject');
    expect(objectsOfKind(manifests, 'Secret').filter((s) => s.metadata.name.includes('user'))).toHaveLength(1);
    expect(objectsOfKind(manifests, 'NetworkPolicy')).toHaveLength(2);
  });

  test('one user per grantee across buckets, one policy Job per bucket', () => {
    // GIVEN
    const chart = testChart();
    const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models', 'datasets'] });
    const app = workload(chart);
    // WHEN
    const a = minio.bucket('models').grantRead(app);
    const b = minio.bucket('datasets').grantReadWrite(app);
    const other = minio.bucket('models').grantRead(workload(chart, 'Serving'));
    // THEN
    expect(b).toBe(a);
    expect(other).not.toBe(a);
    const manifests = synthValid(chart);
    expect(objectsOfKind(manifests, 'Job').filter((j) => j.metadata.name.includes('-grant-')).map((j) => j.metadata.name))
      .toEqual([
        expect.stringMatching(/^test-minio-models-grant-test-mlflow-/),
        expect.stringMatching(/^test-minio-models-grant-test-serving-/),
        expect.stringMatching(/^test-minio-datasets-grant-test-mlflow-/),
      ]);
    expect(objectsOfKind(manifests, 'Secret').filter((secret) => secret.metadata.name.includes('-user-'))).toHaveLength(2);
  });

  test('a grantee in another chart of the same namespace', () => {
    // GIVEN
    const app = Testing.app();
    const storage = new Chart(app, 'storage', { namespace: 'mlops' });
    const tracking = new Chart(app, 'tracking', { namespace: 'mlops' });
    const bucket = new MinioWithBuckets(storage, 'Minio').addBucket('models');
    // WHEN
    const credentials = bucket.grantReadWrite(workload(tracking));
    // THEN
    expect(credentials.secret.name).toMatch(/^storage-minio-user-tracking-mlflow-/);
    const allow = objectNamed(synthValid(storage), 'NetworkPolicy', 'allowfrom-tracking-mlflow');
    expect(allow.metadata.namespace).toBe('mlops');
  });

  test('withUserCredentials: the grantee\'s user comes from an existing Secret, and nothing is generated for it', () => {
    // GIVEN
    const chart = testChart('storage');
    const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models', 'datasets'], rootCredentials: rootFromSecret(chart) });
    const keys = kplus.Secret.fromSecretName(chart, 'MlflowS3', 'mlflow-s3');
    const source = SecretSource.fromSecret(keys, { keys: { username: 'accessKey', password: 'secretKey' } });
    const app = workload(chart);
    // WHEN
    const models = minio.bucket('models').withUserCredentials(source);
    const credentials = models.grantReadWrite(app);
    const again = minio.bucket('datasets').withUserCredentials(source).grantRead(app);
    // THEN
    const manifests = synthValid(chart, [
      { kind: 'Secret', name: 'mlflow-s3', keys: ['accessKey', 'secretKey'] },
      { kind: 'Secret', name: 'minio-root', keys: ['rootUser', 'rootPassword'] },
    ]);
    expect(models.bucketName).toBe('models');
    expect(models.objectStore).toBe(minio);
    expect(models.s3Uri('runs')).toBe('s3://models/runs');
    expect(minio.bucket('models').withUserCredentials(source)).toBe(models);
    expect(again).toBe(credentials);
    expect(objectsOfKind(manifests, 'Secret')).toEqual([]);
    expect(objectsOfKind(manifests, 'Job').flatMap((j) => podSpec(j).containers.map((c: any) => c.name))).toEqual(['mc', 'mc', 'mc', 'mc']);
    expect(objectsOfKind(manifests, 'ServiceAccount')).toEqual([]);
    for (const bucket of ['models', 'datasets']) {
      const env = envOf(container(objectNamed(manifests, 'Job', `${bucket}-grant`), 'mc'));
      expect(env.USER_ACCESS_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'mlflow-s3', key: 'accessKey' } } });
      expect(env.USER_SECRET_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'mlflow-s3', key: 'secretKey' } } });
    }
    const policy = JSON.parse(envOf(container(objectNamed(manifests, 'Job', 'models-grant'), 'mc')).POLICY.value);
    expect(policy.Statement[1].Action).toContain('s3:PutObject');
    expect(credentials.envValue(Credentials.PASSWORD).valueFrom).toEqual({ secretKeyRef: { name: 'mlflow-s3', key: 'secretKey' } });
    expect(objectNamed(manifests, 'NetworkPolicy', 'allowfrom-test-mlflow').spec.ingress[0].ports).toEqual([{ port: 9000, protocol: 'TCP' }]);
  });

  test('withUserCredentials from a Secret with the password only: the user name is the one a grant would generate', () => {
    // GIVEN
    const chart = testChart('storage');
    const bucket = new MinioWithBuckets(chart, 'Minio').addBucket('models');
    const serving = workload(chart, 'Serving');
    // WHEN
    bucket.withUserCredentials(SecretSource.fromSecret(kplus.Secret.fromSecretName(chart, 'Key', 'serving-s3'))).grantRead(serving);
    bucket.grantRead(workload(chart));
    // THEN
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'serving-s3', keys: ['password'] }]);
    const env = envOf(container(objectNamed(manifests, 'Job', 'models-grant-test-serving'), 'mc'));
    expect(env.USER_ACCESS_KEY).toEqual({ value: expect.stringMatching(/^test-serving-[0-9a-f]{8}$/) });
    expect(env.USER_SECRET_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'serving-s3', key: 'password' } } });
    expect(objectsOfKind(manifests, 'Secret').map((secret) => secret.metadata.name)).toEqual([
      expect.stringMatching(/^test-minio-rootcredentials-/),
      expect.stringMatching(/^test-minio-user-test-mlflow-/),
    ]);
  });

  test('fails on withUserCredentials with a generated source', () => {
    const bucket = new MinioWithBuckets(testChart(), 'Minio').addBucket('models');
    expect(() => bucket.withUserCredentials(SecretSource.generated())).toThrow(
      "MinioWithBuckets 'test/Minio': bucket 'models' user credentials are invalid: withUserCredentials() takes an existing Secret, "
      + 'and SecretSource.generated() was given; give SecretSource.fromSecret(...), or grant on the bucket itself to have the '
      + "user's Secret generated");
  });

  test('fails on a grantee whose grants bring different user credentials', () => {
    // GIVEN
    const chart = testChart();
    const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models', 'datasets'] });
    const secret = kplus.Secret.fromSecretName(chart, 'Key', 'mlflow-s3');
    const app = workload(chart);
    const serving = workload(chart, 'Serving');
    minio.bucket('models').grantRead(app);
    minio.bucket('datasets').withUserCredentials(SecretSource.fromSecret(secret)).grantRead(serving);
    // THEN
    expect(() => minio.bucket('datasets').withUserCredentials(SecretSource.fromSecret(secret)).grantRead(app)).toThrow(
      "MinioWithBuckets 'test/Minio': grantee 'test/Mlflow' is invalid: an earlier grant gave its MinIO user generated credentials, "
      + 'and this one gives it credentials from withUserCredentials(); a grantee has one user, so give every grant to it the same '
      + 'withUserCredentials(...) source, or none');
    expect(() => minio.bucket('models').withUserCredentials(SecretSource.fromSecret(secret)).grantRead(serving)).toThrow(
      "MinioWithBuckets 'test/Minio': grantee 'test/Serving' is invalid: an earlier grant gave its MinIO user credentials from "
      + 'withUserCredentials(), and this one gives it credentials from another SecretSource; a grantee has one user, so give every '
      + 'grant to it the same withUserCredentials(...) source, or none');
  });

  test('fails on a grantee in another namespace', () => {
    const chart = testChart('storage');
    const bucket = new MinioWithBuckets(chart, 'Minio').addBucket('models');
    expect(() => bucket.grantRead(workload(chart, 'Mlflow', 'tracking'))).toThrow(
      "MinioWithBuckets 'test/Minio': grantee 'test/Mlflow' is invalid: it is in namespace 'tracking' and MinIO's user "
      + "Secrets are in 'storage', which its pods cannot read; put it in 'storage', or import the bucket in 'tracking' "
      + 'with MinioBucket.fromBucketAttributes() and credentials from a Secret there');
  });
});

describe('MinioWithBuckets metrics', () => {
  test('one scrape target: the cluster metrics on the Service\'s api port', () => {
    // GIVEN
    const chart = testChart('storage');
    // WHEN
    const minio = new MinioWithBuckets(chart, 'Minio');
    // THEN
    const manifests = synthValid(chart);
    const service = objectNamed(manifests, 'Service', 'minio-service');
    expect(minio.scrapeTargets).toEqual([{
      name: 'test-minio',
      discovery: ScrapeDiscovery.SERVICE,
      namespace: 'storage',
      selector: {
        'app.kubernetes.io/name': 'minio',
        'app.kubernetes.io/instance': service.metadata.labels['app.kubernetes.io/instance'],
        'app.kubernetes.io/component': 'object-store',
      },
      endpoints: [{ port: 'api', path: '/minio/v2/metrics/cluster' }],
    }]);
    const [target] = minio.scrapeTargets;
    const selects = (labels: Record<string, string>) => Object.entries(target.selector).every(([key, value]) => labels[key] === value);
    // The clients' Service only: the headless governing Service selects the same pods.
    expect(selects(service.metadata.labels)).toBe(true);
    expect(selects(objectNamed(manifests, 'Service', 'minio-headless').metadata.labels)).toBe(false);
    expect(service.spec.ports.map((p: any) => p.name)).toContain(target.endpoints[0].port);
  });

  test('allowScrapeFrom lets the scraper reach the API port', () => {
    // GIVEN
    const chart = testChart('storage');
    const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models'] });
    const scraper = kplus.Pods.select(chart, 'Prometheus', {
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      namespaces: kplus.Namespaces.select(chart, 'Monitoring', { names: ['monitoring'] }),
    });
    // WHEN
    minio.allowScrapeFrom(scraper);
    // THEN
    const manifests = synthValid(chart);
    const policy = objectNamed(manifests, 'NetworkPolicy', 'allowfrom-test-prometheus');
    expect(policy.spec.podSelector).toEqual(objectNamed(manifests, 'StatefulSet', 'minio').spec.selector);
    expect(policy.spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      }],
      ports: [{ port: 9000, protocol: 'TCP' }],
    }]);
  });
});
