import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Credentials, KserveModelDeployment, MinioBucket, MinioConsoleRoute, ModelFormat, ModelSource, PlatformAccess, Postgres, PrometheusRole, Redis,
  ServiceEndpoint,
} from '../../src';
import { synthValidWithTaskPod } from '../orchestration/fixtures';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';
import { Consumer, NAMESPACE, platform, podLabels, podsOf, policiesAllowing } from './mlops-core-fixtures';

const INGRESS = PlatformAccess.ingress({
  host: 'mlops.example.com', minioConsole: MinioConsoleRoute.ownHost('minio.example.com'), ingressClassName: 'nginx',
});

describe('MlopsCore wiring', () => {
  let manifests: any[];
  let pod: any;
  beforeAll(() => {
    const core = platform();
    core.addPredictor('Iris', { name: 'iris', model: ModelSource.fromBucket(core.modelsBucket, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
    ({ manifests, pod } = synthValidWithTaskPod(Chart.of(core)));
  });

  test('the namespace enforces Pod Security restricted and holds everything else', () => {
    const [namespace] = objectsOfKind(manifests, 'Namespace');
    expect(namespace.metadata).toEqual({
      name: NAMESPACE,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.28',
        'app.kubernetes.io/part-of': 'cdk8s-mlops',
        'app.kubernetes.io/managed-by': 'cdk8s',
      },
    });
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];
    expect(new Set(manifests.filter((m) => !clusterScoped.includes(m.kind)).map((m) => m.metadata.namespace))).toEqual(new Set([NAMESPACE]));
  });

  test('one policy denies all ingress to every pod of the namespace', () => {
    const denyAll = manifests.filter((m) => m.kind === 'NetworkPolicy' && JSON.stringify(m.spec.podSelector) === '{}');
    expect(denyAll.map((m) => m.spec)).toEqual([{ podSelector: {}, policyTypes: ['Ingress'] }]);
  });

  test('each flow the wiring creates has its NetworkPolicy', () => {
    const postgres = podsOf(manifests, 'StatefulSet', 'platform-postgres');
    const minio = podsOf(manifests, 'StatefulSet', 'platform-minio');
    const redis = podsOf(manifests, 'StatefulSet', 'platform-redis');
    const mlflow = podsOf(manifests, 'Deployment', 'platform-mlflow');
    const apiServer = podsOf(manifests, 'Deployment', 'airflow-apiserver');
    const statsd = podsOf(manifests, 'Deployment', 'statsdexporter');
    const scheduler = podsOf(manifests, 'Deployment', 'airflow-scheduler');
    const task = podLabels(pod);
    const prometheus = { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': objectsOfKind(manifests, 'Prometheus')[0].metadata.name };
    const iris = { 'serving.kserve.io/inferenceservice': 'iris', 'component': 'predictor' };
    const grafana = podsOf(manifests, 'Deployment', 'platform-grafana');
    const flows: Array<[string, Record<string, string>, Consumer, number]> = [
      ['scheduler -> Postgres', postgres, scheduler, 5432],
      ['task pods -> Postgres', postgres, task, 5432],
      ['airflow db migrate -> Postgres', postgres, podsOf(manifests, 'Job', 'airflow-migrate'), 5432],
      ['database setup -> Postgres', postgres, podsOf(manifests, 'Job', 'database-airflow-setup'), 5432],
      ['MLflow -> Postgres', postgres, mlflow, 5432],
      ['mlflow db upgrade -> Postgres', postgres, podsOf(manifests, 'Job', 'mlflow-upgrade'), 5432],
      ['task pods -> Redis', redis, task, 6379],
      ['task pods -> MinIO', minio, task, 9000],
      ['MLflow -> MinIO', minio, mlflow, 9000],
      ['bucket Job -> MinIO', minio, podsOf(manifests, 'Job', 'minio-models-create'), 9000],
      ['predictor -> MinIO', minio, iris, 9000],
      ['task pods -> MLflow', mlflow, task, 5000],
      ['task pods -> api-server (Execution API)', apiServer, task, 8080],
      ['task pods -> statsd', statsd, task, 9125],
      ['task pods -> predictor', iris, task, 8080],
      ['Prometheus -> Postgres exporter', postgres, prometheus, 9187],
      ['Prometheus -> Redis exporter', redis, prometheus, 9121],
      ['Prometheus -> MinIO', minio, prometheus, 9000],
      ['Prometheus -> MLflow', mlflow, prometheus, 5000],
      ['Prometheus -> statsd exporter', statsd, prometheus, 9102],
      ['Prometheus -> predictor', iris, prometheus, 8080],
      ['Prometheus -> Grafana', grafana, prometheus, 3000],
      ['Grafana -> Prometheus', prometheus, grafana, 9090],
    ];
    const missing = flows.filter(([, provider, consumer, port]) => policiesAllowing(manifests, provider, consumer, port).length === 0);
    expect(missing.map(([name]) => name)).toEqual([]);
    // and nothing more: Redis may not reach Postgres, nothing outside the namespace reaches a UI without access
    expect(policiesAllowing(manifests, postgres, redis, 5432)).toEqual([]);
    for (const [provider, port] of [[apiServer, 8080], [mlflow, 5000], [minio, 9001], [grafana, 3000]] as const) {
      expect(policiesAllowing(manifests, provider, 'any-namespace', port)).toEqual([]);
    }
  });

  test('Airflow gets the buckets, Redis and MLflow as connections', () => {
    const env = envOf(container(objectNamed(manifests, 'Deployment', 'airflow-scheduler'), 'scheduler'));
    expect(env.MLFLOW_TRACKING_URI).toEqual({ value: `http://${objectNamed(manifests, 'Service', 'platform-mlflow').metadata.name}.mlops.svc:5000` });
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['AIRFLOW_CONN_DATASETS_S3', 'AIRFLOW_CONN_MODELS_S3', 'AIRFLOW_CONN_TASK_VALUES']));
    expect(env.AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER).toEqual({ value: 's3://airflow-logs/logs' });
    const buckets = objectsOfKind(manifests, 'Job').filter((j) => j.metadata.name.includes('-create-')).map((j) => j.metadata.name.split('-minio-')[1]);
    expect(buckets.map((b) => b.replace(/-create-.*/, '')).sort()).toEqual(['airflow-logs', 'datasets', 'mlflow-artifacts', 'models']);
  });

  test('Prometheus scrapes every piece, labelled with the cluster name', () => {
    const monitors = [...objectsOfKind(manifests, 'ServiceMonitor'), ...objectsOfKind(manifests, 'PodMonitor')];
    expect(monitors.map((m) => m.metadata.name.replace(/^.*monitor-mlops-/, '').replace(/-c8[0-9a-f]{6}$/, '')).sort())
      .toEqual(['airflow', 'alertmanager', 'grafana', 'iris', 'mlflow', 'test-platform-minio', 'test-platform-postgres', 'test-platform-redis']);
    expect(objectsOfKind(manifests, 'Prometheus')[0].spec).toMatchObject({ externalLabels: { cluster: 'platform' }, replicas: 1 });
  });

  test('no UI is exposed by default', () => {
    expect(objectsOfKind(manifests, 'Ingress')).toEqual([]);
    expect(objectsOfKind(manifests, 'Service').filter((s) => s.spec.type === 'NodePort')).toEqual([]);
  });

  test('synthesizes byte-identical YAML every time', () => {
    const first = Testing.app();
    platform({}, new Chart(first, 'test', { namespace: NAMESPACE }));
    const second = Testing.app();
    platform({}, new Chart(second, 'test', { namespace: NAMESPACE }));
    expect(first.synthYaml()).toBe(second.synthYaml());
  });
});

describe('MlopsCore access', () => {
  test('ingress: one host, /airflow, /mlflow and /grafana, each app told its base path; the MinIO console on its own host', () => {
    const core = platform({ access: INGRESS });
    const { manifests } = synthValidWithTaskPod(Chart.of(core));
    const rules = objectsOfKind(manifests, 'Ingress').flatMap((i) => i.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) =>
      [i.spec.ingressClassName, r.host, p.path, p.pathType, p.backend.service.name, p.backend.service.port.number])));
    expect(rules.sort()).toEqual([
      ['nginx', 'minio.example.com', '/', 'Prefix', objectNamed(manifests, 'Service', 'platform-minio-service').metadata.name, 9001],
      ['nginx', 'mlops.example.com', '/airflow', 'Prefix', objectNamed(manifests, 'Service', 'airflow-service').metadata.name, 8080],
      ['nginx', 'mlops.example.com', '/alertmanager', 'Prefix', objectNamed(manifests, 'Service', 'alertmanager-service').metadata.name, 9093],
      ['nginx', 'mlops.example.com', '/grafana', 'Prefix', objectNamed(manifests, 'Service', 'grafana-service').metadata.name, 3000],
      ['nginx', 'mlops.example.com', '/mlflow', 'Prefix', objectNamed(manifests, 'Service', 'platform-mlflow').metadata.name, 5000],
      ['nginx', 'mlops.example.com', '/prometheus', 'Prefix', objectNamed(manifests, 'Service', 'prometheus-service').metadata.name, 9090],
    ]);
    const scheduler = envOf(container(objectNamed(manifests, 'Deployment', 'airflow-scheduler'), 'scheduler'));
    expect(scheduler.AIRFLOW__API__BASE_URL).toEqual({ value: 'http://mlops.example.com/airflow' });
    expect(scheduler.MLFLOW_TRACKING_URI).toEqual({ value: core.mlflow.trackingUri });
    expect(core.mlflow.trackingUri).toMatch(/^http:\/\/test-platform-mlflow-service-c8[0-9a-f]{6}\.mlops\.svc:5000\/mlflow$/);
    const mlflowArgs: string[] = container(objectNamed(manifests, 'Deployment', 'platform-mlflow'), 'mlflow').args;
    expect(mlflowArgs[mlflowArgs.indexOf('--static-prefix') + 1]).toBe('/mlflow');
    expect(mlflowArgs[mlflowArgs.indexOf('--allowed-hosts') + 1].split(',')).toContain('mlops.example.com');
    expect(envOf(container(objectNamed(manifests, 'StatefulSet', 'platform-minio'), 'minio')).MINIO_BROWSER_REDIRECT_URL)
      .toEqual({ value: 'http://minio.example.com' });
    const grafana = container(objectNamed(manifests, 'Deployment', 'platform-grafana'), 'grafana');
    expect(envOf(grafana).GF_SERVER_ROOT_URL).toEqual({ value: 'http://mlops.example.com/grafana' });
    expect(envOf(grafana).GF_SERVER_SERVE_FROM_SUB_PATH).toEqual({ value: 'true' });
    expect(grafana.readinessProbe.httpGet.path).toBe('/grafana/api/health');
    const grafanaMonitor = objectsOfKind(manifests, 'ServiceMonitor').find((m) => m.metadata.name.includes('grafana'));
    expect(grafanaMonitor.spec.endpoints[0].path).toBe('/grafana/metrics');
  });

  test('ingress: the MinIO console at /minio through ingress-nginx: a rewriting Ingress, and MinIO told the URL with the path', () => {
    const access = PlatformAccess.ingress({ host: 'mlops.example.com', ingressClassName: 'nginx', minioConsole: MinioConsoleRoute.ingressNginxPath() });
    const { manifests } = synthValidWithTaskPod(Chart.of(platform({ access })));
    const consoleIngress = objectNamed(manifests, 'Ingress', 'minioconsoleingress');
    expect(consoleIngress.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/rewrite-target': '/$2',
      'nginx.ingress.kubernetes.io/use-regex': 'true',
    });
    expect(consoleIngress.spec.ingressClassName).toBe('nginx');
    expect(consoleIngress.spec.rules).toEqual([{
      host: 'mlops.example.com',
      http: {
        paths: [{
          path: '/minio(/|$)(.*)',
          pathType: 'ImplementationSpecific',
          backend: { service: { name: objectNamed(manifests, 'Service', 'platform-minio-service').metadata.name, port: { number: 9001 } } },
        }],
      },
    }]);
    // ingress-nginx rewrites /minio/browser to /browser with the pattern above; the console builds its links from the URL.
    const match = new RegExp(`^${consoleIngress.spec.rules[0].http.paths[0].path}`).exec('/minio/browser/models');
    expect('/$2'.replace('$2', match![2])).toBe('/browser/models');
    expect(envOf(container(objectNamed(manifests, 'StatefulSet', 'platform-minio'), 'minio')).MINIO_BROWSER_REDIRECT_URL)
      .toEqual({ value: 'http://mlops.example.com/minio/' });
    expect(policiesAllowing(manifests, podsOf(manifests, 'StatefulSet', 'platform-minio'), 'any-namespace', 9001)).toHaveLength(1);
    // The other apps stay on the portable Ingress, without annotations.
    const platformIngress = objectNamed(manifests, 'Ingress', 'platform-ingress');
    expect(platformIngress.metadata.annotations).toBeUndefined();
    expect(platformIngress.spec.rules[0].http.paths.map((p: any) => p.path).sort()).toEqual(['/alertmanager', '/grafana', '/mlflow', '/prometheus']);
  });

  test('ingress: without a console route the console is not exposed and MinIO gets no redirect URL', () => {
    const { manifests } = synthValidWithTaskPod(Chart.of(platform({ access: PlatformAccess.ingress({ host: 'mlops.example.com' }) })));
    expect(objectsOfKind(manifests, 'Ingress').flatMap((i) => i.spec.rules.map((r: any) => r.host))).toEqual(['mlops.example.com', 'mlops.example.com']);
    expect(envOf(container(objectNamed(manifests, 'StatefulSet', 'platform-minio'), 'minio')).MINIO_BROWSER_REDIRECT_URL).toBeUndefined();
    expect(policiesAllowing(manifests, podsOf(manifests, 'StatefulSet', 'platform-minio'), 'any-namespace', 9001)).toEqual([]);
  });

  test('ingress: the controller reaches exactly the UI ports, from any namespace and from outside', () => {
    const { manifests } = synthValidWithTaskPod(Chart.of(platform({ access: INGRESS })));
    const minio = podsOf(manifests, 'StatefulSet', 'platform-minio');
    for (const [provider, port] of [
      [podsOf(manifests, 'Deployment', 'airflow-apiserver'), 8080],
      [podsOf(manifests, 'Deployment', 'platform-mlflow'), 5000],
      [podsOf(manifests, 'Deployment', 'platform-grafana'), 3000],
      [minio, 9001],
    ] as const) {
      expect(policiesAllowing(manifests, provider, 'any-namespace', port)).toHaveLength(1);
      expect(policiesAllowing(manifests, provider, 'outside-cluster', port)).toHaveLength(1);
    }
    expect(policiesAllowing(manifests, minio, 'any-namespace', 9000)).toEqual([]);
  });

  test('ingress with TLS: https URLs and one TLS entry for both hosts', () => {
    const chart = testChart(NAMESPACE);
    const tlsSecret = kplus.Secret.fromSecretName(chart, 'Tls', 'mlops-tls');
    const access = PlatformAccess.ingress({ host: 'mlops.example.com', minioConsole: MinioConsoleRoute.ownHost('minio.example.com'), tlsSecret });
    const core = platform({ access }, chart);
    const manifests = synthValid(Chart.of(core), [{ kind: 'Secret', name: 'mlops-tls' }]);
    const platformIngress = objectsOfKind(manifests, 'Ingress').find((i) => i.spec.rules.some((r: any) => r.host === 'minio.example.com'));
    expect(platformIngress.spec.tls).toEqual([{ hosts: ['mlops.example.com', 'minio.example.com'], secretName: 'mlops-tls' }]);
    expect(envOf(container(objectNamed(manifests, 'StatefulSet', 'platform-minio'), 'minio')).MINIO_BROWSER_REDIRECT_URL)
      .toEqual({ value: 'https://minio.example.com' });
    expect(envOf(container(objectNamed(manifests, 'Deployment', 'airflow-apiserver'), 'api-server')).AIRFLOW__API__BASE_URL)
      .toEqual({ value: 'https://mlops.example.com/airflow' });
    expect(envOf(container(objectNamed(manifests, 'Deployment', 'platform-grafana'), 'grafana')).GF_SERVER_ROOT_URL)
      .toEqual({ value: 'https://mlops.example.com/grafana' });
  });

  test('nodePorts: fixed ports 30007-30011 by default, and policies that let node traffic in', () => {
    const { manifests } = synthValidWithTaskPod(Chart.of(platform({ access: PlatformAccess.nodePorts() })));
    const nodePorts = objectsOfKind(manifests, 'Service').filter((s) => s.spec.type === 'NodePort')
      .flatMap((s) => s.spec.ports.map((p: any) => [p.nodePort, p.targetPort]));
    expect(nodePorts.sort()).toEqual([[30007, 8080], [30008, 5000], [30009, 9000], [30010, 9001], [30011, 3000], [30012, 9090], [30013, 9093]]);
    expect(policiesAllowing(manifests, podsOf(manifests, 'Deployment', 'platform-mlflow'), 'outside-cluster', 5000)).toHaveLength(1);
    expect(policiesAllowing(manifests, podsOf(manifests, 'Deployment', 'platform-grafana'), 'outside-cluster', 3000)).toHaveLength(1);
    const grafanaNodePort = objectsOfKind(manifests, 'Service').find((s) => s.spec.type === 'NodePort' && s.spec.ports[0].nodePort === 30011);
    expect(grafanaNodePort.spec.selector).toEqual(objectNamed(manifests, 'Service', 'grafana-service').spec.selector);
    // Served at the root of the node port: no root URL, no sub-path.
    expect(envOf(container(objectNamed(manifests, 'Deployment', 'platform-grafana'), 'grafana')).GF_SERVER_ROOT_URL).toBeUndefined();
    expect(policiesAllowing(manifests, podsOf(manifests, 'StatefulSet', 'platform-minio'), 'any-namespace', 9000)).toHaveLength(1);
    expect(objectsOfKind(manifests, 'Ingress')).toEqual([]);
  });

  test('nodePorts: each port can be chosen', () => {
    const access = PlatformAccess.nodePorts({
      airflow: 31000, mlflow: 31001, minioApi: 31002, minioConsole: 31003, grafana: 31004, prometheus: 31005, alertmanager: 31006, jaeger: 31007,
    });
    const manifests = synthValid(Chart.of(platform({ access, tracing: true })));
    const nodePorts = objectsOfKind(manifests, 'Service').flatMap((s) => s.spec.ports.map((p: any) => p.nodePort)).filter((p) => p);
    expect(nodePorts.sort()).toEqual([31000, 31001, 31002, 31003, 31004, 31005, 31006, 31007]);
  });
});

describe('MlopsCore replaceable pieces', () => {
  function external(chart: Chart) {
    const secret = (name: string) => kplus.Secret.fromSecretName(chart, name, name);
    const s3 = Credentials.fromSecret(secret('s3-keys'), { keys: { username: 'access-key', password: 'secret-key' } });
    const bucket = (id: string, bucketName: string) => MinioBucket.fromBucketAttributes(chart, id, {
      bucketName, endpoint: ServiceEndpoint.fromHost('rgw.example.internal', 443, 'https'), credentials: s3,
    });
    return {
      airflowDatabase: Postgres.fromDatabaseAttributes(chart, 'AirflowDb', {
        host: 'pg.example.internal', databaseName: 'airflow', credentials: Credentials.fromSecret(secret('airflow-db')),
      }),
      mlflowDatabase: Postgres.fromDatabaseAttributes(chart, 'MlflowDb', {
        host: 'pg.example.internal', databaseName: 'mlflow', credentials: Credentials.fromSecret(secret('mlflow-db')),
      }),
      artifactsBucket: bucket('Artifacts', 'mlflow-artifacts'),
      logsBucket: bucket('Logs', 'airflow-logs'),
      datasetsBucket: bucket('Datasets', 'datasets'),
      modelsBucket: bucket('Models', 'models'),
      keyValueStore: Redis.fromRedisAttributes(chart, 'Redis', { host: 'redis.example.internal', credentials: Credentials.fromSecret(secret('redis')) }),
    };
  }
  const EXTERNALS = [
    { kind: 'Secret', name: 's3-keys', keys: ['access-key', 'secret-key'] },
    { kind: 'Secret', name: 'airflow-db', keys: ['username', 'password'] },
    { kind: 'Secret', name: 'mlflow-db', keys: ['username', 'password'] },
    { kind: 'Secret', name: 'redis', keys: ['password'] },
  ];

  test('external databases, buckets and Redis: no Postgres, MinIO or Redis in the cluster', () => {
    const chart = testChart(NAMESPACE);
    const core = platform(external(chart), chart);
    expect([core.postgres, core.minio, core.redis]).toEqual([undefined, undefined, undefined]);
    const { manifests } = synthValidWithTaskPod(chart, EXTERNALS);
    expect(objectsOfKind(manifests, 'StatefulSet')).toEqual([]);
    expect(manifests.filter((m) => /postgres|minio|redis/.test(m.metadata.name))).toEqual([]);
    const scheduler = container(objectNamed(manifests, 'Deployment', 'airflow-scheduler'), 'scheduler');
    expect(envOf(scheduler).AIRFLOW_DB_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: 'airflow-db', key: 'password' } } });
    const mlflow = envOf(container(objectNamed(manifests, 'Deployment', 'platform-mlflow'), 'mlflow'));
    expect(mlflow.MLFLOW_S3_ENDPOINT_URL).toEqual({ value: 'https://rgw.example.internal:443' });
    expect(mlflow.AWS_ACCESS_KEY_ID).toEqual({ valueFrom: { secretKeyRef: { name: 's3-keys', key: 'access-key' } } });
    expect(core.modelsBucket.objectStore.endpoint.host).toBe('rgw.example.internal');
  });

  test('one piece at a time: Postgres holds only the database still needed, MinIO only the buckets still needed', () => {
    const chart = testChart(NAMESPACE);
    const { airflowDatabase, modelsBucket } = external(chart);
    const core = platform({ airflowDatabase, modelsBucket }, chart);
    const manifests = synthValid(chart, EXTERNALS);
    expect(objectsOfKind(manifests, 'Job').filter((j) => j.metadata.name.includes('-setup-')).map((j) => j.metadata.name))
      .toEqual([expect.stringContaining('database-mlflow-setup')]);
    expect(core.minio!.buckets.map((b) => b.bucketName)).toEqual(['mlflow-artifacts', 'airflow-logs', 'datasets']);
    expect(core.modelsBucket).toBe(modelsBucket);
  });

  test('monitoring off: no Prometheus, no Grafana and no exporters', () => {
    const core = platform({ monitoring: false });
    const manifests = synthValid(Chart.of(core));
    expect(core.grafana).toBeUndefined();
    expect(manifests.filter((m) => /Prometheus|Monitor/.test(m.kind) || /grafana/.test(m.metadata.name))).toEqual([]);
    const containers = ['StatefulSet', 'Deployment'].flatMap((kind) => objectsOfKind(manifests, kind)).flatMap((w) => podSpec(w).containers.map((c: any) => c.name));
    expect(containers).not.toContain('metrics');
  });

  test('a primary Prometheus with the given cluster name and monitor labels', () => {
    const core = platform({ clusterName: 'primary', prometheusRole: PrometheusRole.PRIMARY, monitorLabels: { release: 'kps' } });
    const manifests = synthValid(Chart.of(core));
    expect(core.prometheus!.role).toBe(PrometheusRole.PRIMARY);
    expect(objectsOfKind(manifests, 'Prometheus')[0].spec).toMatchObject({
      externalLabels: { cluster: 'primary' }, serviceMonitorSelector: { matchLabels: { release: 'kps' } },
    });
    expect(objectsOfKind(manifests, 'ServiceMonitor').every((m) => m.metadata.labels.release === 'kps')).toBe(true);
  });

  test('Grafana by default: the Prometheus data source, both dashboards mounted, SQLite in dev, a generated admin', () => {
    const core = platform();
    const manifests = synthValid(Chart.of(core));
    const deployment = objectNamed(manifests, 'Deployment', 'platform-grafana');
    const grafana = container(deployment, 'grafana');
    expect(core.grafana!.prometheusUrl).toBe(core.prometheus!.endpoint.url());
    const dashboards = objectsOfKind(manifests, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1').map((c) => c.metadata.name);
    expect(dashboards).toHaveLength(2);
    const mounted = grafana.volumeMounts.filter((m: any) => m.mountPath.startsWith('/etc/grafana/dashboards/'))
      .map((m: any) => podSpec(deployment).volumes.find((v: any) => v.name === m.name).configMap.name);
    expect(mounted.sort()).toEqual(dashboards.sort());
    expect(Object.keys(envOf(grafana)).filter((name) => name.startsWith('GF_DATABASE_'))).toEqual([]);
    expect(envOf(grafana).GF_SECURITY_ADMIN_PASSWORD.valueFrom.secretKeyRef.name).toContain('grafana-admincredentials');
  });

  test('grafana: false, e.g. next to kube-prometheus-stack: no Grafana, the dashboards stay labelled for its sidecar', () => {
    const core = platform({ grafana: false, access: PlatformAccess.nodePorts() });
    const manifests = synthValid(Chart.of(core));
    expect(core.grafana).toBeUndefined();
    expect(manifests.filter((m) => m.kind !== 'ConfigMap' && /grafana/.test(m.metadata.name))).toEqual([]);
    expect(objectsOfKind(manifests, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1')).toHaveLength(2);
    expect(objectsOfKind(manifests, 'Service').flatMap((s) => s.spec.ports.map((p: any) => p.nodePort))).not.toContain(30011);
  });

  test('a grafanaDatabase given: Grafana keeps its state there', () => {
    const chart = testChart(NAMESPACE);
    const grafanaDatabase = Postgres.fromDatabaseAttributes(chart, 'GrafanaDb', {
      host: 'pg.example.internal', databaseName: 'grafana', credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'GrafanaDbSecret', 'grafana-db')),
    });
    platform({ grafanaDatabase }, chart);
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'grafana-db', keys: ['username', 'password'] }]);
    const env = envOf(container(objectNamed(manifests, 'Deployment', 'platform-grafana'), 'grafana'));
    expect([env.GF_DATABASE_TYPE, env.GF_DATABASE_HOST, env.GF_DATABASE_NAME])
      .toEqual([{ value: 'postgres' }, { value: 'pg.example.internal:5432' }, { value: 'grafana' }]);
    expect(env.GF_DATABASE_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: 'grafana-db', key: 'password' } } });
  });

  test('allowPrometheusFrom opens port 9090 to a peer, e.g. a Grafana of its own', () => {
    const core = platform({ grafana: false });
    const grafana = kplus.Pods.select(core, 'TeamGrafana', { labels: { 'app.kubernetes.io/name': 'team-grafana' } });
    core.allowPrometheusFrom(grafana);
    const manifests = synthValid(Chart.of(core));
    const prometheus = { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': core.prometheus!.prometheusName };
    expect(policiesAllowing(manifests, prometheus, { 'app.kubernetes.io/name': 'team-grafana' }, 9090)).toHaveLength(1);
  });

  test('an NFS share, created and mounted nowhere', () => {
    const core = platform({ sharedVolume: { server: 'nfs.example.internal', path: '/exports/mlops' } });
    const manifests = synthValid(Chart.of(core));
    expect(objectsOfKind(manifests, 'PersistentVolume')[0].spec.nfs).toEqual({ server: 'nfs.example.internal', path: '/exports/mlops' });
    expect(core.sharedVolume!.claim.name).toBe(objectsOfKind(manifests, 'PersistentVolumeClaim').find((c) => c.metadata.name.includes('sharedvolume')).metadata.name);
  });
});

describe('MlopsCore.serveModel', () => {
  test('wires a model of any serving backend like addPredictor: the predictors\' bucket user, task pods, scraping', () => {
    // GIVEN
    const core = platform();

    // WHEN
    const served = core.serveModel('Iris', new KserveModelDeployment({
      name: 'iris', model: ModelSource.fromBucket(core.modelsBucket, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN,
    }));

    // THEN
    const { manifests, pod } = synthValidWithTaskPod(Chart.of(core));
    expect(served.modelName).toBe('iris');
    const isvc = objectNamed(manifests, 'InferenceService', 'iris');
    expect(isvc.spec.predictor.model.storageUri).toBe('s3://models/sklearn/iris');
    const iris = { 'serving.kserve.io/inferenceservice': 'iris', 'component': 'predictor' };
    expect(policiesAllowing(manifests, iris, podLabels(pod), 8080)).toHaveLength(1);
    expect(objectsOfKind(manifests, 'PodMonitor').map((m) => m.spec.selector.matchLabels)).toContainEqual(iris);
  });
});

