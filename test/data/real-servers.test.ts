import { spawnSync } from 'node:child_process';
import { Testing } from 'cdk8s';
import { Mysql, Postgres, Redis } from '../../src';
import {
  containerEnv, freePort, postgresBinaries, run, RunningServer, serverAvailable, serverDirectory, SPECIAL_PASSWORD, startMariadb, startPostgres,
} from '../real-servers';
import { container, objectNamed, testChart } from '../util';

/**
 * The one-shot Jobs' scripts, taken from the synthesized manifests and run against real servers: twice (they must be
 * idempotent), with a password of every special character, and again after the password changed (rotation).
 */
const ADMIN_PASSWORD = 'admin-password';

/** The setup Job of database `name`, and its `setup` container. */
function setupContainer(manifests: any[], name: string): any {
  return container(objectNamed(manifests, 'Job', `database-${name}-setup`), 'setup');
}

/** Secret values by the env var that reads them: the admin's from the admin Secret, the user's from the database's. */
function secretsFor(setup: any, values: Record<string, string>): (name: string, key: string) => string {
  const byRef = new Map<string, string>();
  for (const entry of setup.env) {
    const ref = entry.valueFrom?.secretKeyRef;
    if (ref && values[entry.name] !== undefined) byRef.set(`${ref.name}/${ref.key}`, values[entry.name]);
  }
  return (name, key) => {
    const value = byRef.get(`${name}/${key}`);
    if (value === undefined) throw new Error(`no test value for Secret ${name} key ${key}`);
    return value;
  };
}

function runScript(setup: any, env: Record<string, string>): void {
  const [shell, flag, script] = setup.command;
  run([shell, flag, script], { env });
}

const POSTGRES = serverAvailable('postgresql', [`${postgresBinaries()}/initdb`, '/usr/bin/psql', '/usr/bin/pg_isready']);

(POSTGRES ? describe : describe.skip)('Postgres setup Job against a real PostgreSQL', () => {
  let server: RunningServer;
  let manifests: any[];
  beforeAll(async () => {
    server = await startPostgres(ADMIN_PASSWORD);
    const chart = testChart('mlops');
    const postgres = new Postgres(chart, 'Postgres');
    postgres.addDatabase('mlflow');
    postgres.addDatabase('airflow');
    manifests = Testing.synth(chart);
  }, 60_000);
  afterAll(() => server?.stop());

  const setUp = (name: string, password: string) => {
    const setup = setupContainer(manifests, name);
    const secrets = secretsFor(setup, { PGUSER: 'postgres', PGPASSWORD: ADMIN_PASSWORD, DB_USER: name, DB_PASSWORD: password });
    runScript(setup, containerEnv(setup, secrets, { PGHOST: '127.0.0.1', PGPORT: String(server.port) }));
  };
  const query = (user: string, password: string, database: string, sql: string) => spawnSync('psql',
    ['--no-psqlrc', '-h', '127.0.0.1', '-p', String(server.port), '-U', user, '-d', database, '-tAc', sql],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PGPASSWORD: password } });

  test('creates the database and its owner, who logs in with a password of every special character, twice', () => {
    setUp('mlflow', SPECIAL_PASSWORD);
    setUp('mlflow', SPECIAL_PASSWORD);
    const created = query('mlflow', SPECIAL_PASSWORD, 'mlflow', 'CREATE TABLE runs (id int); SELECT current_user');
    expect([created.status, created.stdout.trim(), created.stderr]).toEqual([0, 'CREATE TABLE\nmlflow', '']);
  });

  test('no other role may connect to the database', () => {
    setUp('mlflow', SPECIAL_PASSWORD);
    setUp('airflow', 'airflow-password');
    const intruder = query('airflow', 'airflow-password', 'mlflow', 'SELECT 1');
    expect(intruder.status).not.toBe(0);
    expect(intruder.stderr).toContain('permission denied for database "mlflow"');
    expect(query('airflow', 'airflow-password', 'airflow', 'SELECT 1').stdout.trim()).toBe('1');
  });

  test('a new password in the Secret is set by the next run (rotation), and the old one stops working', () => {
    setUp('mlflow', SPECIAL_PASSWORD);
    setUp('mlflow', 'rotated-password');
    expect(query('mlflow', 'rotated-password', 'mlflow', 'SELECT 1').stdout.trim()).toBe('1');
    expect(query('mlflow', SPECIAL_PASSWORD, 'mlflow', 'SELECT 1').stderr).toContain('password authentication failed');
  });
});

const MARIADB = serverAvailable('mariadb-server', ['/usr/sbin/mariadbd', '/usr/bin/mysql', '/usr/bin/mysqladmin']);

(MARIADB ? describe : describe.skip)('Mysql setup Job against a real MariaDB', () => {
  let server: RunningServer;
  let manifests: any[];
  beforeAll(async () => {
    server = await startMariadb(ADMIN_PASSWORD);
    const chart = testChart('mlops');
    const mysql = new Mysql(chart, 'Mysql');
    mysql.addDatabase('mlflow');
    mysql.addDatabase('kfp_pipelines');
    manifests = Testing.synth(chart);
  }, 60_000);
  afterAll(() => server?.stop());

  const setUp = (name: string, password: string) => {
    const setup = setupContainer(manifests, name.replace(/_/g, '-'));
    const secrets = secretsFor(setup, { ADMIN_USER: 'root', MYSQL_PWD: ADMIN_PASSWORD, DB_USER: name, DB_PASSWORD: password });
    runScript(setup, containerEnv(setup, secrets, { MYSQL_HOST: '127.0.0.1', MYSQL_TCP_PORT: String(server.port) }));
  };
  const query = (user: string, password: string, database: string, sql: string) => spawnSync('mysql',
    ['--host=127.0.0.1', `--port=${server.port}`, `--user=${user}`, `--database=${database}`, '--batch', '--skip-column-names', `--execute=${sql}`],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', MYSQL_PWD: password } });

  test('creates the database and its user, who logs in with a password of every special character, twice', () => {
    setUp('mlflow', SPECIAL_PASSWORD);
    setUp('mlflow', SPECIAL_PASSWORD);
    const created = query('mlflow', SPECIAL_PASSWORD, 'mlflow', 'CREATE TABLE runs (id int); SELECT CURRENT_USER()');
    expect([created.status, created.stdout.trim(), created.stderr]).toEqual([0, 'mlflow@%', '']);
  });

  test("a user's grant covers its own database only, also when the name holds '_' (a wildcard in GRANT)", () => {
    setUp('kfp_pipelines', 'kfp-password');
    setUp('mlflow', SPECIAL_PASSWORD);
    expect(query('kfp_pipelines', 'kfp-password', 'kfp_pipelines', 'SELECT 1').stdout.trim()).toBe('1');
    expect(query('kfp_pipelines', 'kfp-password', 'mlflow', 'SELECT 1').stderr).toContain('Access denied');
  });

  test('a new password in the Secret is set by the next run (rotation)', () => {
    setUp('mlflow', 'rotated-password');
    expect(query('mlflow', 'rotated-password', 'mlflow', 'SELECT 1').stdout.trim()).toBe('1');
    expect(query('mlflow', SPECIAL_PASSWORD, 'mlflow', 'SELECT 1').stderr).toContain('Access denied');
  });
});

const REDIS = serverAvailable('redis-server', ['/usr/bin/redis-server', '/usr/bin/redis-cli']);

(REDIS ? describe : describe.skip)('Redis start script against a real redis-server', () => {
  test('the password of every special character reaches redis-server on stdin; the probe reads it from REDISCLI_AUTH', async () => {
    // GIVEN the synthesized Redis container
    const chart = testChart('mlops');
    new Redis(chart, 'Redis');
    const redis = container(objectNamed(Testing.synth(chart), 'StatefulSet', 'redis'), 'redis');
    const port = await freePort();
    const dir = serverDirectory('redis-', 'redis');
    const args = redis.args.map((arg: string) => (arg === '6379' ? String(port) : arg.startsWith('/') ? dir : arg));
    const env = containerEnv(redis, () => SPECIAL_PASSWORD, {});

    // WHEN it starts as the container would
    const server = spawnSync('sh', ['-c', `${redis.command.map((part: string) => `'${part.replace(/'/g, "'\\''")}'`).join(' ')} ${args.map((a: string) => `'${a}'`).join(' ')} > ${dir}/log 2>&1 &`],
      { env: { PATH: process.env.PATH ?? '', ...env } });
    expect(server.status).toBe(0);
    const cli = (auth: string | undefined) => spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...(auth === undefined ? {} : { REDISCLI_AUTH: auth }) } });
    for (let attempt = 0; attempt < 50 && !/PONG|NOAUTH|WRONGPASS/.test(cli(SPECIAL_PASSWORD).stdout); attempt++) {
      spawnSync('sleep', ['0.1']);
    }

    try {
      // THEN the password works, no password and a wrong one do not
      expect(cli(env.REDISCLI_AUTH).stdout.trim()).toBe('PONG');
      expect(cli(undefined).stdout).toMatch(/NOAUTH/);
      const wrong = cli('wrong');
      expect(`${wrong.stdout}${wrong.stderr}`).toMatch(/NOAUTH|WRONGPASS/);
      expect(wrong.stdout).not.toMatch(/PONG/);
    } finally {
      spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'shutdown', 'nosave'], { env: { PATH: process.env.PATH ?? '', REDISCLI_AUTH: SPECIAL_PASSWORD } });
    }
  });
});
