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
    expect([...referenced].sort()).toEqual(Object.values(EXISTING_SECRETS).map((s) => s.name).sort());
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
    expect(paths.sort()).toEqual(['mlops.example.com/airflow', 'mlops.example.com/alertmanager', 'mlops.example.com/mlflow', 'mlops.example.com/prometheus']);
  });

  test("TLS from the user's ClusterIssuer: the Ingress certificate and the trust bundle, no CA of the platform's own", () => {
    expect(objectsOfKind(manifests, 'ClusterIssuer')).toEqual([]);
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.spec.dnsNames.includes('mlops.example.com'));
    expect(certificate.spec).toMatchObject({
      dnsNames: ['mlops.example.com'],
      issuerRef: { name: 'corporate-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    });
    expect(objectsOfKind(manifests, 'Ingress').every((i) => i.spec.tls[0].secretName === certificate.spec.secretName)).toBe(true);
    const [bundle] = objectsOfKind(manifests, 'Bundle');
    expect(bundle.spec.sources).toEqual([{ secret: { name: 'corporate-ca', key: 'ca.crt' } }, { useDefaultCAs: true }]);
    expect(bundle.spec.target.namespaceSelector.matchExpressions[0].values).toEqual(['mlops']);
    const mlflow = envOf(container(objectNamed(manifests, 'Deployment', 'platform-mlflow'), 'mlflow'));
    expect(mlflow.MLFLOW_S3_ENDPOINT_URL).toEqual({ value: 'https://rgw.storage.example.internal:443' });
    const redis = objectsOfKind(manifests, 'Certificate').find((c) => c.spec.dnsNames[0].includes('redis'));
    expect(redis.spec.issuerRef.name).toBe('corporate-ca');
  });
});
