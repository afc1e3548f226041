import { Chart } from 'cdk8s';
import { PlatformProfile, SecretSource } from '../../src';
import { synthValidWithTaskPod } from '../orchestration/fixtures';
import { objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';
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
      'redis-password', 'airflow-secretkeys', 'airflow-admincredentials']) {
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
    // Only the per-workload users MinIO's grant Jobs create are generated (MinioWithBuckets takes no source for them).
    const generated = objectsOfKind(manifests, 'Secret').filter((s) => s.metadata.annotations?.[GENERATED]).map((s) => s.metadata.name);
    expect(generated.length).toBeGreaterThan(0);
    expect(generated.filter((name) => !name.includes('-minio-user-'))).toEqual([]);
    expect(objectsOfKind(manifests, 'Prometheus')[0].spec.storage.volumeClaimTemplate.spec.resources.requests.storage).toBe('20Gi');
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
      + 'give each an existing Secret with SecretSource.fromSecret(...), or bring your own database, buckets and key-value store');
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
