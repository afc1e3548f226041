import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { server, platform } from './fixtures';
import { Credentials, SecretSource } from '../../src';
import { MlflowPermission, MlflowTracking } from '../../src/tracking';
import { HAS_PYTHON } from '../fake-kubernetes-api';
import { container, envOf, expandEnvLikeKubelet, launchedCommand, objectNamed, podSpec, synthValid } from '../util';

describe('MlflowTracking basic auth', () => {
  test('writes the auth config from Secrets into a memory emptyDir and starts the basic-auth app', () => {
    // GIVEN
    const { chart, props, postgres } = platform();
    // WHEN
    const mlflow = new MlflowTracking(chart, 'Mlflow', {
      ...props,
      basicAuth: { database: postgres.database('mlflow_auth'), defaultPermission: MlflowPermission.NO_PERMISSIONS },
    });
    // THEN
    const manifests = synthValid(chart);
    const deployment = server(manifests);
    const main = container(deployment, 'mlflow');
    expect(main.args.slice(-2)).toEqual(['--app-name', 'basic-auth']);
    const admin = objectNamed(manifests, 'Secret', 'mlflow-admincredentials').metadata.name;
    const flask = objectNamed(manifests, 'Secret', 'mlflow-flasksecretkey').metadata.name;
    expect(envOf(main).MLFLOW_AUTH_CONFIG_PATH).toEqual({ value: '/etc/mlflow-auth/basic_auth.ini' });
    expect(envOf(main).MLFLOW_FLASK_SERVER_SECRET_KEY).toEqual({ valueFrom: { secretKeyRef: { name: flask, key: 'password' } } });
    expect(main.volumeMounts).toContainEqual({ mountPath: '/etc/mlflow-auth', name: 'auth-config', readOnly: true });
    expect(podSpec(deployment).volumes).toContainEqual({ name: 'auth-config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });

    const writer = container(deployment, 'auth-config');
    expect(podSpec(deployment).initContainers.map((c: any) => c.name)).toEqual(['wait-for-schema', 'auth-config']);
    const authSecret = objectNamed(manifests, 'Secret', 'mlflow-auth-credentials').metadata.name;
    expect(expandEnvLikeKubelet(writer)).toEqual({
      HOME: '/tmp',
      MLFLOW_AUTH_CONFIG_PATH: '/etc/mlflow-auth/basic_auth.ini',
      AUTH_DEFAULT_PERMISSION: 'NO_PERMISSIONS',
      AUTH_ADMIN_USERNAME: `<secret:${admin}/username>`,
      AUTH_ADMIN_PASSWORD: `<secret:${admin}/password>`,
      AUTH_DB_USER: `<secret:${authSecret}/username>`,
      AUTH_DB_PASSWORD: `<secret:${authSecret}/password>`,
      MLFLOW_AUTH_DATABASE_URI_CMD: expect.stringContaining(`print("postgresql://" + q("AUTH_DB_USER") + ":" + q("AUTH_DB_PASSWORD") + "@${postgres.endpoint.hostPort}/mlflow_auth")`),
    });
    expect(writer.volumeMounts).toContainEqual({ mountPath: '/etc/mlflow-auth', name: 'auth-config' });
    expect(mlflow.adminCredentials?.secretKey(Credentials.PASSWORD)).toBe('password');
    // basic auth protects /metrics too, and the scrape spec has no credentials
    expect(mlflow.scrapeTargets).toEqual([]);
  });

  (HAS_PYTHON ? test : test.skip)('the auth config script writes values that survive ConfigParser interpolation', () => {
    // GIVEN
    const { chart, props, postgres } = platform();
    new MlflowTracking(chart, 'Mlflow', { ...props, basicAuth: { database: postgres.database('mlflow_auth') } });
    const [, , script] = launchedCommand(container(server(Testing.synth(chart)), 'auth-config'), 'MLFLOW_AUTH_DATABASE_URI');
    const path = join(mkdtempSync(join(tmpdir(), 'auth-')), 'basic_auth.ini');
    // WHEN
    const written = spawnSync('python3', ['-c', script], {
      env: {
        MLFLOW_AUTH_CONFIG_PATH: path,
        AUTH_DEFAULT_PERMISSION: 'READ',
        MLFLOW_AUTH_DATABASE_URI: 'postgresql://u:p%40ss@db:5432/mlflow_auth',
        AUTH_ADMIN_USERNAME: 'admin',
        AUTH_ADMIN_PASSWORD: 'a%b$c"d=e;f',
      },
      encoding: 'utf-8',
    });
    const read = spawnSync('python3', ['-c', `import configparser, json; c = configparser.ConfigParser(); c.read("${path}"); print(json.dumps(dict(c["mlflow"])))`], { encoding: 'utf-8' });
    // THEN
    expect(written.status).toBe(0);
    expect(JSON.parse(read.stdout)).toEqual({
      default_permission: 'READ',
      database_uri: 'postgresql://u:p%40ss@db:5432/mlflow_auth',
      admin_username: 'admin',
      admin_password: 'a%b$c"d=e;f',
    });
    expect((statSync(path).mode % 0o1000).toString(8)).toBe('600');
  });

  test('takes the admin from an existing Secret', () => {
    // GIVEN
    const { chart, props, postgres } = platform();
    const secret = kplus.Secret.fromSecretName(chart, 'Admin', 'mlflow-admin');
    // WHEN
    new MlflowTracking(chart, 'Mlflow', {
      ...props,
      basicAuth: { database: postgres.database('mlflow_auth'), admin: SecretSource.fromSecret(secret, { keys: { username: 'user', password: 'pass' } }) },
    });
    // THEN
    const writer = container(server(synthValid(chart, [{ kind: 'Secret', name: 'mlflow-admin', keys: ['user', 'pass'] }])), 'auth-config');
    expect(envOf(writer).AUTH_ADMIN_USERNAME).toEqual({ valueFrom: { secretKeyRef: { name: 'mlflow-admin', key: 'user' } } });
    expect(envOf(writer).AUTH_ADMIN_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: 'mlflow-admin', key: 'pass' } } });
  });
});
