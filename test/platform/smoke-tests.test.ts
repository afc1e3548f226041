import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { existingSecrets, NAMESPACE, platform, podLabels, policiesAllowing } from './mlops-core-fixtures';
import {
  Kafka, ModelFormat, ModelSource, PlatformProfile, SecretSource, SeldonModelDeployment, SeldonRuntime, ServiceEndpoint, SmokeTests,
} from '../../src';
import { AIRFLOW_CHECK_SCRIPT, bucketCheckScript, MODEL_CHECK_SCRIPT, POSTGRES_CHECK_SCRIPT, redisCheckScript } from '../../src/platform/smoke-test-scripts';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

const IRIS_REQUEST = '{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4]]}]}';
const CA_FILE = '/etc/mlops/ca/ca.crt';

/** The smoke test Jobs of a manifest list, by the check's container name (`postgres`, `redis`, ...) and name. */
function smokeJobs(manifests: any[]): any[] {
  return objectsOfKind(manifests, 'Job').filter((job) => job.metadata.labels['app.kubernetes.io/component'] === 'smoke-test');
}

function smokeJob(manifests: any[], fragment: string): any {
  return objectNamed(smokeJobs(manifests), 'Job', `smoketests-${fragment}`);
}

function devPlatform() {
  const chart = testChart(NAMESPACE);
  const core = platform({}, chart);
  const iris = core.addPredictor('Iris', { name: 'iris', model: ModelSource.fromBucket(core.modelsBucket, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
  const smoke = core.addSmokeTests({ models: [{ model: iris, inferenceRequest: IRIS_REQUEST }], dagId: 'retrain' });
  return { chart, core, smoke };
}

describe('MlopsCore.addSmokeTests', () => {
  test('one PostSync hook Job per service, each passing the harness', () => {
    // GIVEN
    const { chart } = devPlatform();
    // WHEN
    const jobs = smokeJobs(synthValid(chart));
    // THEN
    expect(jobs.map((job) => job.metadata.name.replace(/-[0-9a-f]{10}$/, '')).sort()).toEqual([
      'test-platform-smoketests-airflow',
      'test-platform-smoketests-bucket-airflow-logs',
      'test-platform-smoketests-bucket-datasets',
      'test-platform-smoketests-bucket-mlflow-artifacts',
      'test-platform-smoketests-bucket-models',
      'test-platform-smoketests-database-airflow',
      'test-platform-smoketests-database-mlflow',
      'test-platform-smoketests-grafana',
      'test-platform-smoketests-keyvaluestore-redis',
      'test-platform-smoketests-mlflow',
      'test-platform-smoketests-model-iris',
      'test-platform-smoketests-prometheus',
    ]);
    for (const job of jobs) {
      expect(job.metadata.annotations).toEqual({
        'argocd.argoproj.io/hook': 'PostSync',
        'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      });
      expect(job.spec).toEqual(expect.objectContaining({ backoffLimit: 1, activeDeadlineSeconds: 900 }));
      expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
      const [check] = podSpec(job).containers;
      expect(envOf(check)).toEqual(expect.objectContaining({ SMOKE_ATTEMPTS: { value: '30' }, SMOKE_RETRY_SECONDS: { value: '10' } }));
      expect(check.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } });
    }
  });

  test('the database checks run psql as each database\'s own user, from its Secret', () => {
    // GIVEN
    const { chart } = devPlatform();
    // WHEN
    const manifests = synthValid(chart);
    const job = smokeJob(manifests, 'database-mlflow');
    const psql = container(job, 'postgres');
    // THEN
    expect(psql.image).toBe('docker.io/library/postgres:17.11-bookworm');
    expect(psql.command).toEqual(['sh', '-c', POSTGRES_CHECK_SCRIPT]);
    const env = envOf(psql);
    expect(env).toEqual({
      PGHOST: { value: expect.stringMatching(/^test-platform-postgres-service-[0-9a-f]+\.mlops\.svc$/) },
      PGPORT: { value: '5432' },
      PGDATABASE: { value: 'mlflow' },
      PGCONNECT_TIMEOUT: { value: '10' },
      SMOKE_ATTEMPTS: { value: '30' },
      SMOKE_RETRY_SECONDS: { value: '10' },
      DB_USER: { valueFrom: { secretKeyRef: { name: expect.stringContaining('database-mlflow-cred'), key: 'username' } } },
      DB_PASSWORD: { valueFrom: { secretKeyRef: { name: expect.stringContaining('database-mlflow-cred'), key: 'password' } } },
    });
    expect(podSpec(job).securityContext).toEqual(expect.objectContaining({ runAsUser: 999, runAsGroup: 999, runAsNonRoot: true }));
    const postgres = podLabels(objectNamed(manifests, 'StatefulSet', 'postgres'));
    expect(policiesAllowing(manifests, postgres, podLabels(job), 5432)).toHaveLength(1);
  });

  test('Redis gets a PING with its password, each bucket a listing with the smoke tests\' own MinIO user', () => {
    // GIVEN
    const { chart } = devPlatform();
    // WHEN
    const manifests = synthValid(chart);
    const redis = smokeJob(manifests, 'keyvaluestore-redis');
    const bucket = smokeJob(manifests, 'bucket-models');
    // THEN
    expect(container(redis, 'redis').command).toEqual(['sh', '-c', redisCheckScript(false)]);
    expect(envOf(container(redis, 'redis'))).toEqual(expect.objectContaining({
      REDIS_HOST: { value: expect.stringMatching(/^test-platform-redis-service-[0-9a-f]+\.mlops\.svc$/) },
      REDIS_PORT: { value: '6379' },
      REDIS_PASSWORD: { valueFrom: { secretKeyRef: expect.objectContaining({ key: 'password' }) } },
    }));
    expect(policiesAllowing(manifests, podLabels(objectNamed(manifests, 'StatefulSet', 'redis')), podLabels(redis), 6379)).toHaveLength(1);
    const mc = container(bucket, 'mc');
    expect(mc.command).toEqual(['/bin/sh', '-c', bucketCheckScript(true)]);
    const env = envOf(mc);
    expect(env).toEqual(expect.objectContaining({ BUCKET: { value: 'models' }, S3_URL: { value: expect.stringMatching(/^http:\/\/test-platform-minio-.*\.mlops\.svc:9000$/) } }));
    expect(env.S3_ACCESS_KEY.valueFrom.secretKeyRef.name).toBe(env.S3_SECRET_KEY.valueFrom.secretKeyRef.name);
    expect(policiesAllowing(manifests, podLabels(objectNamed(manifests, 'StatefulSet', 'minio')), podLabels(bucket), 9000)).toHaveLength(1);
  });

  test('the HTTP checks reach MLflow, Airflow (as the user smoke-test), Prometheus, Grafana and the predictor', () => {
    // GIVEN
    const { chart } = devPlatform();
    // WHEN
    const manifests = synthValid(chart);
    const env = (fragment: string, name: string) => envOf(container(smokeJob(manifests, fragment), name));
    const allowed = (fragment: string, kind: string, provider: string, port: number) =>
      policiesAllowing(manifests, podLabels(objectNamed(manifests, kind, provider)), podLabels(smokeJob(manifests, fragment)), port);
    // THEN
    expect(env('mlflow', 'mlflow').MLFLOW_TRACKING_URI).toEqual({ value: expect.stringMatching(/^http:\/\/test-platform-mlflow-.*\.mlops\.svc:5000$/) });
    expect(allowed('mlflow', 'Deployment', 'mlflow', 5000)).toHaveLength(1);
    expect(container(smokeJob(manifests, 'airflow'), 'airflow').command).toEqual(['python3', '-c', AIRFLOW_CHECK_SCRIPT]);
    expect(env('airflow', 'airflow')).toEqual(expect.objectContaining({
      AIRFLOW_API_URL: { value: expect.stringMatching(/^http:\/\/.*\.mlops\.svc:8080$/) },
      AIRFLOW_DAG_ID: { value: 'retrain' },
      AIRFLOW_USERNAME: { valueFrom: { secretKeyRef: { name: expect.stringContaining('apiuser-smoke-test'), key: 'username' } } },
      AIRFLOW_PASSWORD: { valueFrom: { secretKeyRef: { name: expect.stringContaining('apiuser-smoke-test'), key: 'password' } } },
    }));
    expect(allowed('airflow', 'Deployment', 'airflow-api', 8080)).toHaveLength(1);
    const createUser = objectsOfKind(manifests, 'Job')
      .find((job) => envOf(podSpec(job).containers[0]).API_USERNAME?.valueFrom?.secretKeyRef.name.includes('apiuser-smoke-test'));
    expect(envOf(podSpec(createUser).containers[0]).API_ROLE).toEqual({ value: 'User' });
    expect(env('prometheus', 'prometheus').PROMETHEUS_URL).toEqual({ value: expect.stringMatching(/^http:\/\/.*\.mlops\.svc:9090$/) });
    expect(env('grafana', 'grafana')).toEqual(expect.objectContaining({
      GRAFANA_URL: { value: expect.stringMatching(/^http:\/\/.*\.mlops\.svc:3000$/) },
      GRAFANA_DATASOURCES: { value: 'prometheus' },
      GRAFANA_USERNAME: expect.anything(),
      GRAFANA_PASSWORD: { valueFrom: { secretKeyRef: expect.objectContaining({ key: 'password' }) } },
    }));
    expect(allowed('grafana', 'Deployment', 'grafana', 3000)).toHaveLength(1);
    expect(container(smokeJob(manifests, 'model-iris'), 'model').command).toEqual(['python3', '-c', MODEL_CHECK_SCRIPT]);
    expect(env('model-iris', 'model')).toEqual({
      MODEL_URL: { value: 'http://iris-predictor.mlops.svc.cluster.local:80' },
      MODEL_NAME: { value: 'iris' },
      INFERENCE_REQUEST: { value: IRIS_REQUEST },
      SMOKE_ATTEMPTS: { value: '30' },
      SMOKE_RETRY_SECONDS: { value: '10' },
    });
    const predictorPolicy = objectsOfKind(manifests, 'NetworkPolicy').filter((policy) =>
      policy.spec.podSelector.matchLabels?.['serving.kserve.io/inferenceservice'] === 'iris'
      && JSON.stringify(policy.spec.ingress).includes(podLabels(smokeJob(manifests, 'model-iris'))['cdk8s.io/metadata.addr']));
    expect(predictorPolicy).toHaveLength(1);
  });

  test('Prometheus lets the check in on 9090', () => {
    // GIVEN
    const { chart } = devPlatform();
    // WHEN
    const manifests = synthValid(chart);
    const job = smokeJob(manifests, 'prometheus');
    // THEN
    const address = podLabels(job)['cdk8s.io/metadata.addr'];
    const policies = objectsOfKind(manifests, 'NetworkPolicy').filter((policy) => policy.spec.podSelector.matchLabels?.['operator.prometheus.io/name']
      && (policy.spec.ingress ?? []).some((rule: any) => rule.from.some((peer: any) => peer.podSelector?.matchLabels?.['cdk8s.io/metadata.addr'] === address)
        && rule.ports.some((port: any) => port.port === 9090)));
    expect(policies).toHaveLength(1);
  });

  test('with TLS, every check trusts the platform\'s CA bundle and psql verifies the server', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    const core = platform({ tls: true }, chart);
    core.addSmokeTests();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    for (const fragment of ['database-airflow', 'keyvaluestore-redis', 'bucket-models']) {
      const job = smokeJob(manifests, fragment);
      const [check] = podSpec(job).containers;
      expect({ fragment, SSL_CERT_FILE: envOf(check).SSL_CERT_FILE }).toEqual({ fragment, SSL_CERT_FILE: { value: CA_FILE } });
      expect(check.volumeMounts).toContainEqual({ name: 'ca-bundle', mountPath: '/etc/mlops/ca', readOnly: true });
    }
    expect(envOf(container(smokeJob(manifests, 'database-airflow'), 'postgres')).PGSSLMODE).toEqual({ value: 'verify-full' });
    expect(container(smokeJob(manifests, 'keyvaluestore-redis'), 'redis').command).toEqual(['sh', '-c', redisCheckScript(true)]);
    expect(redisCheckScript(true)).toContain('redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --tls --cacert "$SSL_CERT_FILE" ping');
    expect(envOf(container(smokeJob(manifests, 'bucket-models'), 'mc')).S3_URL.value).toMatch(/^https:\/\//);
    // Each HTTP check trusts the bundle exactly when its service serves TLS.
    for (const [fragment, urlEnv] of [['mlflow', 'MLFLOW_TRACKING_URI'], ['airflow', 'AIRFLOW_API_URL'], ['prometheus', 'PROMETHEUS_URL'], ['grafana', 'GRAFANA_URL']]) {
      const env = envOf(podSpec(smokeJob(manifests, fragment)).containers[0]);
      expect({ fragment, trusted: env.SSL_CERT_FILE?.value === CA_FILE }).toEqual({ fragment, trusted: env[urlEnv].value.startsWith('https://') });
    }
  });

  test('production: the MinIO user and the Airflow user come from existing Secrets', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    const { secrets, externals } = existingSecrets(chart);
    const core = platform({ profile: PlatformProfile.PRODUCTION, secrets }, chart);
    const existing = (name: string) => SecretSource.fromSecret(kplus.Secret.fromSecretName(chart, `Existing-${name}`, name));
    // WHEN
    core.addSmokeTests({ s3Credentials: existing('smoke-s3'), airflowPassword: existing('smoke-airflow') });
    const manifests = synthValid(chart, [
      ...externals,
      { kind: 'Secret', name: 'smoke-s3', namespace: NAMESPACE, keys: ['password'] },
      { kind: 'Secret', name: 'smoke-airflow', namespace: NAMESPACE, keys: ['password'] },
    ]);
    // THEN
    expect(envOf(container(smokeJob(manifests, 'airflow'), 'airflow')).AIRFLOW_PASSWORD)
      .toEqual({ valueFrom: { secretKeyRef: { name: 'smoke-airflow', key: 'password' } } });
    expect(smokeJobs(manifests).filter((job) => job.metadata.name.includes('database-'))).toHaveLength(3);
    expect(envOf(container(smokeJob(manifests, 'grafana'), 'grafana')).GRAFANA_PASSWORD)
      .toEqual({ valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'password' } } });
  });

  test('production refuses generated credentials for the smoke tests\' users', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    const { secrets } = existingSecrets(chart);
    const core = platform({ profile: PlatformProfile.PRODUCTION, secrets }, chart);
    // THEN
    expect(() => core.addSmokeTests()).toThrow("MlopsCore 'test/Platform': addSmokeTests: profile production refuses credentials generated in the cluster: "
      + "the smoke tests list the platform's buckets with a MinIO user of their own, and s3Credentials is missing; give it an existing Secret with SecretSource.fromSecret(...)");
  });

  test('the Grafana check covers Loki with logs, and a Seldon model is reached through seldon-mesh with its routing header', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    const core = platform({ logs: {} }, chart);
    const runtime = new SeldonRuntime(core, 'Seldon', { name: 'seldon', eventBus: new Kafka(core, 'Kafka') });
    const wine = core.serveModel('Wine', new SeldonModelDeployment({
      runtime, name: 'wine', model: ModelSource.fromBucket(core.modelsBucket, 'sklearn/wine'), modelFormat: ModelFormat.SKLEARN,
    }));
    // WHEN
    core.addSmokeTests({ models: [{ model: wine }] });
    const manifests = synthValid(chart);
    // THEN
    expect(envOf(container(smokeJob(manifests, 'grafana'), 'grafana')).GRAFANA_DATASOURCES).toEqual({ value: 'prometheus,loki' });
    const env = envOf(container(smokeJob(manifests, 'model-wine'), 'model'));
    expect(env).toEqual(expect.objectContaining({
      MODEL_URL: { value: 'http://seldon-mesh.mlops.svc:80' },
      MODEL_NAME: { value: 'wine' },
      MODEL_HEADERS: { value: '{"Seldon-Model":"wine"}' },
    }));
    expect(env.INFERENCE_REQUEST).toBeUndefined();
  });
});

describe('SmokeTests', () => {
  test('takes its retries, timeout and placement as props', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    const core = platform({}, chart);
    const smoke = new SmokeTests(chart, 'Checks', { attempts: 3, retryInterval: Duration.seconds(5), timeout: Duration.minutes(2) });
    // WHEN
    smoke.checkKeyValueStore(core.keyValueStore);
    const manifests = synthValid(chart);
    // THEN
    const synthesized = objectNamed(manifests, 'Job', 'test-checks-keyvaluestore-redis');
    expect(synthesized.spec.activeDeadlineSeconds).toBe(120);
    expect(envOf(podSpec(synthesized).containers[0])).toEqual(expect.objectContaining({ SMOKE_ATTEMPTS: { value: '3' }, SMOKE_RETRY_SECONDS: { value: '5' } }));
  });

  test('checkModel of another backend needs its endpoint', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    const smoke = new SmokeTests(chart, 'Checks');
    const model = { modelName: 'custom', allowFrom: () => undefined, node: chart.node, scrapeTargets: [], allowScrapeFrom: () => undefined } as any;
    // THEN
    expect(() => smoke.checkModel(model)).toThrow("SmokeTests 'test/Checks': checkModel: model 'custom' is invalid without options.endpoint: only a KservePredictor's "
      + "or a SeldonModel's endpoint is known; give the endpoint of its Open Inference Protocol API, e.g. ServiceEndpoint.fromHost('iris.mlops.svc', 8080)");
    smoke.checkModel(model, { endpoint: ServiceEndpoint.fromHost('custom.mlops.svc', 8080), headers: { 'X-Model': 'custom' } });
    const env = envOf(podSpec(smokeJobs(synthValid(chart))[0]).containers[0]);
    expect(env).toEqual(expect.objectContaining({ MODEL_URL: { value: 'http://custom.mlops.svc:8080' }, MODEL_HEADERS: { value: '{"X-Model":"custom"}' } }));
  });

  test('refuses bad input with the value and the fix', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    const core = platform({}, chart);
    const iris = core.addPredictor('Iris', { name: 'iris', model: ModelSource.fromBucket(core.modelsBucket, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
    const smoke = new SmokeTests(chart, 'Checks');
    // THEN
    expect(() => new SmokeTests(chart, 'A', { attempts: 0 })).toThrow("SmokeTests 'test/A': attempts '0' is invalid: must be a whole number from 1 to 1000, e.g. 30");
    expect(() => new SmokeTests(chart, 'B', { retryInterval: Duration.millis(500) }))
      .toThrow("SmokeTests 'test/B': retryInterval '500 millis' is invalid: must be whole seconds, at least 1 second; e.g. Duration.seconds(10)");
    expect(() => new SmokeTests(chart, 'C', { timeout: Duration.seconds(30) }))
      .toThrow("SmokeTests 'test/C': timeout '30 seconds' is invalid: must be whole seconds, at least 1 minute; e.g. Duration.minutes(15)");
    expect(() => smoke.checkModel(iris, { inferenceRequest: '{"data":[1]}' })).toThrow("SmokeTests 'test/Checks': checkModel: model 'iris' inferenceRequest "
      + '\'{"data":[1]}\' is invalid: must be an Open Inference Protocol request, a JSON object with a non-empty inputs list; '
      + 'e.g. \'{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4]]}]}\'');
    expect(() => smoke.checkAirflow(core.airflow, { dagId: 'my dag' })).toThrow("SmokeTests 'test/Checks': checkAirflow: dagId 'my dag' is invalid: "
      + "an Airflow DAG id holds 1-250 letters, digits, '_', '.' or '-'; e.g. 'retrain'");
    expect(() => smoke.checkGrafana(core.grafana!, { dataSources: ['prom etheus'] })).toThrow("SmokeTests 'test/Checks': checkGrafana: dataSources entry "
      + "'prom etheus' is invalid: a data source uid holds 1-40 letters, digits, '-' or '_'; e.g. 'prometheus'");
    smoke.checkMlflow(core.mlflow);
    expect(() => smoke.checkMlflow(core.mlflow)).toThrow("SmokeTests 'test/Checks': Mlflow is invalid: it is checked already; check each service once");
    expect(() => smoke.checkDatabase('mlflow' as any)).toThrow(/SmokeTests 'test\/Checks': database is invalid: expected an IDatabase/);
  });
});
