import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, DagSource, MinioConsoleRoute, MlopsCore, PlatformAccess, Postgres, SecretSource } from '../../src';
import { testChart } from '../util';
import { platform } from './mlops-core-fixtures';

describe('MlopsCore bad input', () => {
  test('a chart without a namespace', () => {
    const chart = new Chart(Testing.app(), 'test');
    expect(() => new MlopsCore(chart, 'Platform', { dags: DagSource.fromGit({ repository: 'https://github.com/example/dags.git' }) })).toThrow(
      "MlopsCore 'test/Platform': the chart has no namespace: MlopsCore creates the chart's Namespace and puts everything in it; "
      + "give the chart one, e.g. new Chart(app, 'mlops', { namespace: 'mlops' })");
  });

  test('a cluster name that is not a DNS label, from the construct id', () => {
    expect(() => new MlopsCore(testChart('mlops'), 'My_Platform', { dags: DagSource.fromGit({ repository: 'https://github.com/example/dags.git' }) })).toThrow(
      "MlopsCore 'test/My_Platform': clusterName 'my_platform' is invalid: must contain only lowercase letters, digits and '-' "
      + "(it defaults to the construct's id, lower-cased); give clusterName");
  });

  test('a secret for a piece that is not created', () => {
    const chart = testChart('mlops');
    const store = { keyValueStore: platform({}, chart).keyValueStore };
    expect(() => platform({ ...store, secrets: { redisPassword: SecretSource.generated() } }, testChart('mlops'))).toThrow(
      "MlopsCore 'test/Platform': secrets.redisPassword is invalid: it is Redis' password, and that piece is not created because keyValueStore is given; remove it");
  });

  test('a databasePasswordRevision when the platform creates no database', () => {
    const chart = testChart('mlops');
    const database = Postgres.fromDatabaseAttributes(chart, 'Db', {
      host: 'pg.example.internal', databaseName: 'airflow', credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'DbSecret', 'db')),
    });
    expect(() => platform({ airflowDatabase: database, mlflowDatabase: database, databasePasswordRevision: '2' }, chart)).toThrow(
      "MlopsCore 'test/Platform': databasePasswordRevision is invalid: the platform creates no database (airflowDatabase and mlflowDatabase "
      + 'are given); remove it');
  });

  test('an ingress host with a scheme', () => {
    expect(() => platform({ access: PlatformAccess.ingress({ host: 'https://mlops.example.com' }) })).toThrow(
      "MlopsCore 'test/Platform': ingress host 'https://mlops.example.com' is invalid: must be a DNS name, without a scheme, credentials, port, path or whitespace, e.g. 'mlops.example.com'");
  });

  test('the MinIO console on the platform host', () => {
    const access = PlatformAccess.ingress({ host: 'mlops.example.com', minioConsole: MinioConsoleRoute.ownHost('mlops.example.com') });
    expect(() => platform({ access })).toThrow(
      "MlopsCore 'test/Platform': ingress minioConsole host 'mlops.example.com' is invalid: it is the platform's host, whose root the console "
      + "cannot share; give it a host of its own, e.g. MinioConsoleRoute.ownHost('minio.mlops.example.com'), or "
      + 'MinioConsoleRoute.ingressNginxPath() with ingress-nginx');
  });

  test('a MinIO console host with a scheme', () => {
    const access = PlatformAccess.ingress({ host: 'mlops.example.com', minioConsole: MinioConsoleRoute.ownHost('https://minio.example.com') });
    expect(() => platform({ access })).toThrow(
      "MlopsCore 'test/Platform': ingress host 'https://minio.example.com' is invalid: must be a DNS name, without a scheme, credentials, port, path or whitespace, e.g. 'mlops.example.com'");
  });

  test.each(['minio', '/minio/', '/mlflow', '/mi nio'])('a MinIO console path %s', (path) => {
    const access = PlatformAccess.ingress({ host: 'mlops.example.com', minioConsole: MinioConsoleRoute.ingressNginxPath(path) });
    expect(() => platform({ access })).toThrow(
      `MlopsCore 'test/Platform': ingress minioConsole path '${path}' is invalid: must start with '/', not end with one, hold only `
      + "letters, digits, '.', '_', '~' or '-' between, and not be /airflow, /mlflow or /grafana; e.g. '/minio'");
  });

  test('a NodePort outside the range', () => {
    expect(() => platform({ access: PlatformAccess.nodePorts({ mlflow: 8080 }) })).toThrow(
      "MlopsCore 'test/Platform': nodePorts mlflow '8080' is invalid: must be a whole number from 30000 to 32767 (the default NodePort range)");
  });

  test('Grafana on the NodePort of another app', () => {
    expect(() => platform({ access: PlatformAccess.nodePorts({ grafana: 30008 }) })).toThrow(
      "MlopsCore 'test/Platform': nodePorts mlflow '30008' is invalid: grafana has it too; give each app its own port");
  });

  test('two apps on one NodePort', () => {
    expect(() => platform({ access: PlatformAccess.nodePorts({ mlflow: 30007 }) })).toThrow(
      "MlopsCore 'test/Platform': nodePorts airflow '30007' is invalid: mlflow has it too; give each app its own port");
  });

  test('Prometheus settings without monitoring', () => {
    expect(() => platform({ monitoring: false, clusterName: 'edge' })).toThrow(
      "MlopsCore 'test/Platform': clusterName, monitorLabels and prometheusRole are invalid with monitoring: false: "
      + 'they configure the Prometheus, which is not created; remove them or turn monitoring on');
  });

  test('Grafana without monitoring', () => {
    expect(() => platform({ monitoring: false, grafana: true })).toThrow(
      "MlopsCore 'test/Platform': grafana is invalid with monitoring: false: Grafana shows the platform's Prometheus, which is not created; "
      + 'remove it or turn monitoring on');
  });

  test('a Grafana database without Grafana', () => {
    const chart = testChart('mlops');
    const grafanaDatabase = new Postgres(chart, 'Pg').addDatabase('grafana');
    expect(() => platform({ grafana: false, grafanaDatabase }, chart)).toThrow(
      "MlopsCore 'test/Platform': grafanaDatabase is invalid with grafana: false: Grafana is not created; remove it");
  });

  test('Grafana secrets for a Grafana or a database that is not created', () => {
    expect(() => platform({ grafana: false, secrets: { grafanaAdminCredentials: SecretSource.generated() } })).toThrow(
      "MlopsCore 'test/Platform': secrets.grafanaAdminCredentials is invalid: it is Grafana's admin credentials, and that piece is not created "
      + 'because Grafana is off (grafana: false or monitoring: false); remove it');
    expect(() => platform({ secrets: { grafanaDatabasePassword: SecretSource.generated() } })).toThrow(
      "MlopsCore 'test/Platform': secrets.grafanaDatabasePassword is invalid: it is the password of Postgres' database 'grafana', and that piece "
      + "is not created because Grafana gets a database of the platform's Postgres only with profile production, its own Postgres and no "
      + 'grafanaDatabase; remove it');
  });

  test('allowPrometheusFrom without monitoring', () => {
    const core = platform({ monitoring: false });
    expect(() => core.allowPrometheusFrom(core.airflow.airflowPods)).toThrow(
      "MlopsCore 'test/Platform': allowPrometheusFrom: there is no Prometheus (monitoring is off); turn monitoring on or remove the call");
  });
});
