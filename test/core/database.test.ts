import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { bindDatabase, Credentials, DatabaseEngine, IDatabase, Postgres, ServiceEndpoint } from '../../src';
import { workload } from '../data/fixtures';
import { container, expandEnvLikeKubelet, testChart } from '../util';

/** The smallest IDatabase: what bindDatabase reads. */
function database(scope: Construct): IDatabase {
  const node = new Construct(scope, 'Db');
  return Object.assign(node, {
    engine: DatabaseEngine.POSTGRES,
    databaseName: 'mlflow',
    endpoint: ServiceEndpoint.fromHost('pg.data.svc', 5432),
    credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(scope, 'Secret', 'mlflow-db')),
    bind: () => { throw new Error('not used'); },
  });
}

describe('bindDatabase', () => {
  test('adds user and password from the Secret before the URI that refers to them', () => {
    // GIVEN
    const chart = testChart();
    const deployment = new kplus.Deployment(chart, 'App');
    const app = deployment.addContainer({ name: 'app', image: 'app:1' });
    // WHEN
    const binding = bindDatabase(database(chart), app, { uriEnv: 'DATABASE_URL', scheme: 'postgresql+psycopg2' });
    // THEN
    expect(binding).toEqual({
      userEnv: 'DB_USER',
      passwordEnv: 'DB_PASSWORD',
      uri: 'postgresql+psycopg2://$(DB_USER):$(DB_PASSWORD)@pg.data.svc:5432/mlflow',
    });
    const rendered = container(ApiObject.of(deployment).toJson(), 'app');
    expect(rendered.env.map((e: any) => e.name)).toEqual(['DB_USER', 'DB_PASSWORD', 'DATABASE_URL']);
    expect(expandEnvLikeKubelet(rendered).DATABASE_URL)
      .toBe('postgresql+psycopg2://<secret:mlflow-db/username>:<secret:mlflow-db/password>@pg.data.svc:5432/mlflow');
  });

  test('a custom prefix and query string', () => {
    const chart = testChart();
    const app = new kplus.Deployment(chart, 'App').addContainer({ image: 'app:1' });
    const binding = bindDatabase(database(chart), app, { envPrefix: 'MLFLOW_DB', query: 'sslmode=require' });
    expect(binding.uri).toBe('postgresql://$(MLFLOW_DB_USER):$(MLFLOW_DB_PASSWORD)@pg.data.svc:5432/mlflow?sslmode=require');
  });
});

describe('binding two databases into one container', () => {
  test('under the same env names is refused, naming the prop that renames them; under two prefixes both are there', () => {
    const chart = testChart('data');
    const postgres = new Postgres(chart, 'Postgres');
    const mlflow = postgres.addDatabase('mlflow');
    const auth = postgres.addDatabase('mlflow_auth');
    const { deployment, main } = workload(chart, 'Server');
    mlflow.bind(deployment, main, { uriEnv: 'BACKEND_URI' });
    expect(() => auth.bind(deployment, main)).toThrow(
      "env var 'DB_USER' is invalid: container 'main' already has it (another bind or the container's own env); give another name with envPrefix");
    expect(() => auth.bind(deployment, main, { envPrefix: 'AUTH_DB', uriEnv: 'BACKEND_URI' })).toThrow(
      "env var 'BACKEND_URI' is invalid: container 'main' already has it (another bind or the container's own env); give another name with uriEnv");
    auth.bind(deployment, main, { envPrefix: 'AUTH', uriEnv: 'AUTH_URI' });
    expect(Object.keys(main.env.variables)).toEqual(expect.arrayContaining(['DB_USER', 'DB_PASSWORD', 'BACKEND_URI', 'AUTH_USER', 'AUTH_PASSWORD', 'AUTH_URI']));
  });
});
