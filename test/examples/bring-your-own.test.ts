import { Testing } from 'cdk8s';
import { BringYourOwnChart, EXISTING_SECRETS } from '../../examples/bring-your-own/bring-your-own-chart';
import { synthValidWithTaskPod } from '../orchestration/fixtures';
import { container, envOf, objectNamed, objectsOfKind, podSpec } from '../util';

const EXTERNALS = Object.values(EXISTING_SECRETS).map(({ name, keys }) => ({ kind: 'Secret', name, namespace: 'mlops', keys }));

describe('examples/bring-your-own', () => {
  let manifests: any[];
  beforeAll(() => {
    ({ manifests } = synthValidWithTaskPod(new BringYourOwnChart(Testing.app(), 'bring-your-own'), EXTERNALS));
  });

  test('contains no generated or literal secret: every credential comes from the existing Secrets', () => {
    const secrets = objectsOfKind(manifests, 'Secret');
    expect(secrets.filter((s) => s.metadata.annotations?.['mlops.cdk8s.io/generated-keys'] !== undefined)).toEqual([]);
    expect(secrets.filter((s) => s.data !== undefined || s.stringData !== undefined)).toEqual([]);
    const jobs = [...objectsOfKind(manifests, 'Job'), ...objectsOfKind(manifests, 'CronJob')];
    expect(jobs.filter((j) => podSpec(j).containers.some((c: any) => (c.env ?? []).some((e: any) => e.name === 'SECRET_NAME')))).toEqual([]);
    const referenced = new Set(manifests.flatMap((m) => JSON.stringify(m).match(/"secretKeyRef":\{"key":"[^"]+","name":"[^"]+"/g) ?? [])
      .map((ref) => ref.replace(/.*"name":"/, '').replace(/"$/, '')));
    expect([...referenced].sort()).toEqual(Object.values(EXISTING_SECRETS).map((s) => s.name).filter((n) => n !== 'mlops-tls').sort());
  });

  test('no Postgres and no MinIO in the cluster: the databases and buckets are external', () => {
    expect(manifests.filter((m) => /postgres|minio/.test(m.metadata.name))).toEqual([]);
    expect(objectsOfKind(manifests, 'StatefulSet').map((s) => s.metadata.name)).toEqual([expect.stringContaining('platform-redis')]);
    const scheduler = envOf(container(objectNamed(manifests, 'Deployment', 'airflow-scheduler'), 'scheduler'));
    expect(scheduler.AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD.value).toContain('"@postgres.db.example.internal:5432/airflow"');
    expect(scheduler.AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER).toEqual({ value: 's3://airflow-logs/logs' });
    const mlflow = envOf(container(objectNamed(manifests, 'Deployment', 'platform-mlflow'), 'mlflow'));
    expect(mlflow.MLFLOW_S3_ENDPOINT_URL).toEqual({ value: 'https://rgw.storage.example.internal:443' });
  });

  test('production profile: replicated UIs with disruption budgets, behind one TLS host', () => {
    expect(objectNamed(manifests, 'Deployment', 'airflow-apiserver').spec.replicas).toBe(2);
    expect(objectNamed(manifests, 'Deployment', 'platform-mlflow').spec.replicas).toBe(2);
    expect(objectsOfKind(manifests, 'PodDisruptionBudget')).toHaveLength(2);
    const paths = objectsOfKind(manifests, 'Ingress').flatMap((i) => i.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => `${r.host}${p.path}`)));
    expect(paths.sort()).toEqual(['mlops.example.com/airflow', 'mlops.example.com/mlflow']);
    expect(objectsOfKind(manifests, 'Ingress').every((i) => i.spec.tls[0].secretName === 'mlops-tls')).toBe(true);
  });
});
