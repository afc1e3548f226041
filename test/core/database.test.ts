import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { bindDatabase, Credentials, DatabaseEngine, IDatabase, ServiceEndpoint } from '../../src';
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
