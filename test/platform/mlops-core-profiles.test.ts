import { Chart } from 'cdk8s';
import { ModelFormat, ModelSource, PlatformProfile, SecretSource } from '../../src';
import { synthValidWithTaskPod } from '../orchestration/fixtures';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';
import { existingSecrets, NAMESPACE, platform } from './mlops-core-fixtures';

const GENERATED = 'mlops.cdk8s.io/generated-keys';

describe('MlopsCore profiles', () => {
  test('dev: one replica, no disruption budgets, small Prometheus, every credential generated in the cluster', () => {
    const core = platform();
    expect(core.profile).toBe(PlatformProfile.DEV);
    const manifests = synthValid(Chart.of(core));
    expect(objectNamed(manifests, 'Deployment', 'airflow-apiserver').spec.replicas).toBe(1);
    expect(objectNamed(manifests, 'Deployment', 'platform-mlflow').spec.replicas).toBe(1);
    expect(objectsOfKind(manifests, 'PodDisruptionBudget')).toEqual([]);
    expect(podSpec(objectNamed(manifests, 'Deployment', 'airflow-apiserver')).affinity).toBeUndefined();
    expect(podSpec(objectNamed(manifests, 'Deployment', 'airflow-scheduler')).containers[0].resources.requests.cpu).toBe('100m');
    const prometheus = objectsOfKind(manifests, 'Prometheus')[0].spec;
    expect([prometheus.retention, prometheus.resources.requests, prometheus.storage.volumeClaimTemplate.spec.resources.requests.storage])
      .toEqual(['7d', { cpu: '100m', memory: '512Mi' }, '5Gi']);
    const generated = objectsOfKind(manifests, 'Secret').filter((s) => s.metadata.annotations?.[GENERATED]).map((s) => s.metadata.name);
    for (const piece of ['postgres-admincredentials', 'database-airflow-credentials', 'database-mlflow-credentials', 'minio-rootcredentials',
      'redis-password', 'airflow-secretkeys', 'airflow-admincredentials', 'grafana-admincredentials']) {
      expect(generated.some((name) => name.includes(piece))).toBe(true);
    }
  });

  test('production: existing credentials, 2 replicas of the api-server and MLflow, spread over nodes, each with a budget', () => {
    const chart = testChart(NAMESPACE);
    const { secrets, externals } = existingSecrets(chart);
    platform({ profile: PlatformProfile.PRODUCTION, secrets }, chart);
    const { manifests } = synthValidWithTaskPod(chart, externals);
    for (const name of ['airflow-apiserver', 'platform-mlflow']) {
      const deployment = objectNamed(manifests, 'Deployment', name);
      expect(deployment.spec.replicas).toBe(2);
      const podLabels = deployment.spec.template.metadata.labels;
      expect(podSpec(deployment).affinity.podAntiAffinity).toEqual({
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100,
          podAffinityTerm: {
            topologyKey: 'kubernetes.io/hostname', namespaces: [NAMESPACE], labelSelector: { matchLabels: deployment.spec.selector.matchLabels },
          },
        }],
      });
      const budgets = objectsOfKind(manifests, 'PodDisruptionBudget')
        .filter((b) => Object.entries(b.spec.selector.matchLabels).every(([k, v]) => podLabels[k] === v));
      expect(budgets.map((b) => b.spec.minAvailable)).toEqual([1]);
    }
    expect(objectsOfKind(manifests, 'PodDisruptionBudget')).toHaveLength(2);
    expect(objectNamed(manifests, 'Deployment', 'airflow-scheduler').spec.replicas).toBe(1);
    // Nothing is generated in the cluster: not even the MinIO users of MLflow and Airflow.
    expect(objectsOfKind(manifests, 'Secret').filter((s) => s.metadata.annotations?.[GENERATED])).toEqual([]);
    expect(objectsOfKind(manifests, 'Job').filter((j) => j.metadata.name.includes('secretgenerator'))).toEqual([]);
    const grantUsers = objectsOfKind(manifests, 'Job').filter((j) => j.metadata.name.includes('-grant-'))
      .map((j) => envOf(container(j, 'mc')).USER_SECRET_KEY.valueFrom.secretKeyRef.name);
    expect(new Set(grantUsers)).toEqual(new Set(['mlflow-s3', 'airflow-s3']));
    expect(objectsOfKind(manifests, 'Prometheus')[0].spec.storage.volumeClaimTemplate.spec.resources.requests.storage).toBe('20Gi');
  });

  test('production with its own Postgres: Grafana keeps its state in the database grafana, with the given credentials', () => {
    const chart = testChart(NAMESPACE);
    const { secrets, externals } = existingSecrets(chart);
    const core = platform({ profile: PlatformProfile.PRODUCTION, secrets }, chart);
    const manifests = synthValid(chart, externals);
    const env = envOf(container(objectNamed(manifests, 'Deployment', 'platform-grafana'), 'grafana'));
    expect([env.GF_DATABASE_TYPE, env.GF_DATABASE_HOST, env.GF_DATABASE_NAME])
      .toEqual([{ value: 'postgres' }, { value: core.postgres!.endpoint.hostPort }, { value: 'grafana' }]);
    expect(env.GF_DATABASE_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: 'grafana-db', key: 'password' } } });
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: 'grafana-admin', key: 'password' } } });
    expect(objectsOfKind(manifests, 'Job').filter((j) => j.metadata.name.includes('database-grafana-setup'))).toHaveLength(1);
  });

  test('databasePasswordRevision reaches the setup Job of every database the platform creates', () => {
    const chart = testChart(NAMESPACE);
    const { secrets, externals } = existingSecrets(chart);
    platform({ profile: PlatformProfile.PRODUCTION, secrets, databasePasswordRevision: '2026-11' }, chart);
    const setups = objectsOfKind(synthValid(chart, externals), 'Job').filter((j) => j.metadata.labels?.['app.kubernetes.io/component'] === 'database-setup');
    expect(setups.map((j) => j.spec.template.metadata.annotations['mlops.cdk8s.io/password-revision'])).toEqual(['2026-11', '2026-11', '2026-11']);
  });

  test('dev: Grafana on SQLite, no database grafana in Postgres', () => {
    const manifests = synthValid(Chart.of(platform()));
    const env = envOf(container(objectNamed(manifests, 'Deployment', 'platform-grafana'), 'grafana'));
    expect(Object.keys(env).filter((name) => name.startsWith('GF_DATABASE_'))).toEqual([]);
    expect(objectsOfKind(manifests, 'Job').filter((j) => j.metadata.name.includes('database-grafana'))).toEqual([]);
  });

  test('production refuses missing credentials, naming each piece and the prop to set', () => {
    expect(() => platform({ profile: PlatformProfile.PRODUCTION })).toThrow(
      "MlopsCore 'test/Platform': profile production refuses credentials generated in the cluster: "
      + "secrets.postgresAdminPassword (the Postgres superuser's password) is missing; "
      + "secrets.airflowDatabasePassword (the password of Postgres' database 'airflow') is missing; "
      + "secrets.mlflowDatabasePassword (the password of Postgres' database 'mlflow') is missing; "
      + "secrets.minioRootCredentials (MinIO's root credentials) is missing; "
      + "secrets.redisPassword (Redis' password) is missing; "
      + "secrets.airflowAdminPassword (the Airflow admin's password) is missing; "
      + "secrets.airflowFernetKey (Airflow's Fernet key) is missing; "
      + "secrets.airflowApiSecretKey (Airflow's API secret key) is missing; "
      + "secrets.airflowJwtSecret (Airflow's JWT secret) is missing; "
      + "secrets.grafanaAdminCredentials (Grafana's admin credentials) is missing; "
      + "secrets.grafanaDatabasePassword (the password of Postgres' database 'grafana') is missing; "
      + "secrets.mlflowS3Credentials (MLflow's MinIO user) is missing; "
      + "secrets.airflowS3Credentials (Airflow's MinIO user) is missing; "
      + 'give each an existing Secret with SecretSource.fromSecret(...), or bring your own database, buckets and key-value store');
  });

  test('production: a predictor from the platform\'s models bucket reads it as the MinIO user of predictorS3Credentials', () => {
    const chart = testChart(NAMESPACE);
    const { secrets, externals } = existingSecrets(chart);
    const core = platform({ profile: PlatformProfile.PRODUCTION, secrets }, chart);
    core.addPredictor('Iris', { model: ModelSource.fromBucket(core.modelsBucket, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
    const manifests = synthValid(chart, externals);
    expect(objectsOfKind(manifests, 'Secret').filter((s) => s.metadata.annotations?.[GENERATED]).map((s) => s.metadata.name))
      .toEqual([expect.stringContaining('iris-s3credentials')]);
    expect(objectNamed(manifests, 'InferenceService', 'iris').spec.predictor.model.storageUri).toBe('s3://models/sklearn/iris');
    const copy = envOf(container(objectNamed(manifests, 'Job', 'iris-s3credentials-copy'), 'copy'));
    expect(copy.AWS_SECRET_ACCESS_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'predictor-s3', key: 'password' } } });
    const grant = envOf(container(objectNamed(manifests, 'Job', 'models-grant-test-platform-iris'), 'mc'));
    expect(grant.USER_SECRET_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'predictor-s3', key: 'password' } } });
  });

  test('production refuses a predictor from the platform\'s models bucket without predictorS3Credentials', () => {
    const chart = testChart(NAMESPACE);
    const { secrets } = existingSecrets(chart);
    const core = platform({ profile: PlatformProfile.PRODUCTION, secrets: { ...secrets, predictorS3Credentials: undefined } }, chart);
    expect(() => core.addPredictor('Iris', { model: ModelSource.fromBucket(core.modelsBucket, 'iris'), modelFormat: ModelFormat.SKLEARN })).toThrow(
      "MlopsCore 'test/Platform': addPredictor('Iris'): profile production refuses credentials generated in the cluster: the predictor reads "
      + "the platform's models bucket with a MinIO user of its own, and secrets.predictorS3Credentials is missing; "
      + 'give it an existing Secret with SecretSource.fromSecret(...)');
  });

  test('production refuses generated Grafana credentials, naming the prop', () => {
    const chart = testChart(NAMESPACE);
    const { secrets } = existingSecrets(chart);
    const generatedAdmin = { ...secrets, grafanaAdminCredentials: SecretSource.generated() };
    expect(() => platform({ profile: PlatformProfile.PRODUCTION, secrets: generatedAdmin }, chart)).toThrow(
      "MlopsCore 'test/Platform': profile production refuses credentials generated in the cluster: "
      + "secrets.grafanaAdminCredentials (Grafana's admin credentials) is SecretSource.generated(); "
      + 'give each an existing Secret with SecretSource.fromSecret(...), or bring your own database, buckets and key-value store');
  });

  test('production with grafana: false asks for no Grafana credentials', () => {
    const chart = testChart(NAMESPACE);
    const { secrets, externals } = existingSecrets(chart);
    const { grafanaAdminCredentials, grafanaDatabasePassword, ...rest } = secrets;
    expect([grafanaAdminCredentials, grafanaDatabasePassword].every((source) => source !== undefined)).toBe(true);
    const core = platform({ profile: PlatformProfile.PRODUCTION, grafana: false, secrets: rest }, chart);
    expect(core.grafana).toBeUndefined();
    expect(synthValid(chart, externals).filter((m) => m.kind !== 'ConfigMap' && /grafana/.test(m.metadata.name))).toEqual([]);
  });

  test('production refuses generated dev credentials', () => {
    const chart = testChart(NAMESPACE);
    const { secrets } = existingSecrets(chart);
    expect(() => platform({ profile: PlatformProfile.PRODUCTION, secrets: { ...secrets, redisPassword: SecretSource.generated() } }, chart)).toThrow(
      "MlopsCore 'test/Platform': profile production refuses credentials generated in the cluster: "
      + "secrets.redisPassword (Redis' password) is SecretSource.generated(); "
      + 'give each an existing Secret with SecretSource.fromSecret(...), or bring your own database, buckets and key-value store');
  });
});
