import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { workload } from './fixtures';
import { PlatformTls } from '../../src';
import { Mysql } from '../../src/data';
import { containerEnv, run, RunningServer, serverAvailable, SPECIAL_PASSWORD, startMariadb } from '../real-servers';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

const CA_FILE = '/etc/mlops/ca/ca.crt';

function tlsMysql(metrics = false) {
  const chart = testChart('data');
  const tls = new PlatformTls(chart, 'Tls', { name: 'platform' });
  const mysql = new Mysql(chart, 'Mysql', { tls: tls.serverTls, metrics });
  return { chart, tls, mysql };
}

describe('Mysql with tls', () => {
  test('serves TLS only, with the certificate of its Service, the key 0440 and group-owned by the pod', () => {
    // GIVEN
    const { chart, mysql } = tlsMysql();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'mysql');
    const server = container(statefulSet, 'mysql');
    expect(server.args).toEqual([
      'mysqld', '--datadir=/var/lib/mysql/data', '--ssl-cert=/etc/mysql/tls/tls.crt', '--ssl-key=/etc/mysql/tls/tls.key', '--require-secure-transport=ON',
    ]);
    expect(server.volumeMounts).toContainEqual({ name: 'certs', mountPath: '/etc/mysql/tls', readOnly: true });
    expect(podSpec(statefulSet).volumes).toContainEqual({ name: 'certs', secret: { secretName: `${mysql.service.name}-tls`, defaultMode: 0o440 } });
    expect(podSpec(statefulSet).securityContext.fsGroup).toBe(999);
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.metadata.namespace === 'data');
    expect(certificate.spec.secretName).toBe(`${mysql.service.name}-tls`);
    expect(certificate.spec.issuerRef).toEqual({ name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(certificate.spec.dnsNames).toEqual([
      mysql.service.name, `${mysql.service.name}.data`, `${mysql.service.name}.data.svc`, `${mysql.service.name}.data.svc.cluster.local`,
    ]);
    expect(mysql.endpoint.trustBundle?.configMapName).toBe('platform-ca-bundle');
  });

  test('a sidecar has MySQL reload its TLS material once cert-manager renewed the certificate', () => {
    const { chart } = tlsMysql();
    const statefulSet = objectNamed(synthValid(chart), 'StatefulSet', 'mysql');
    const reloader = container(statefulSet, 'tls-reload');
    expect(reloader.image).toBe(container(statefulSet, 'mysql').image);
    expect(reloader.volumeMounts).toEqual([{ name: 'certs', mountPath: '/etc/mysql/tls', readOnly: true }]);
    expect(reloader.command[2].split('\n')[5]).toBe('  if [ "$now" != "$last" ] && MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --host=127.0.0.1 --port=3306 '
      + "--user=root --ssl-mode=REQUIRED --execute='ALTER INSTANCE RELOAD TLS'; then");
    expect(envOf(reloader).MYSQL_ROOT_PASSWORD).toEqual(envOf(container(statefulSet, 'mysql')).MYSQL_ROOT_PASSWORD);
  });

  test('the exporter speaks TLS on localhost: my.cnf names the server certificate (not its key), verification skipped', () => {
    const { chart, mysql } = tlsMysql(true);
    const manifests = synthValid(chart);
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'mysql');
    const exporter = container(statefulSet, 'metrics');
    expect(exporter.args).toEqual([
      '--mysqld.address=127.0.0.1:3306', '--mysqld.username=$(MYSQL_EXPORTER_USER)', '--config.my-cnf=/etc/mysqld-exporter/my.cnf', '--tls.insecure-skip-verify',
    ]);
    const mounts = Object.fromEntries(exporter.volumeMounts.map((m: any) => [m.mountPath, m]));
    const volumes = Object.fromEntries(podSpec(statefulSet).volumes.map((v: any) => [v.name, v]));
    expect(volumes[mounts['/etc/mysqld-exporter/server'].name].secret).toEqual({ secretName: `${mysql.service.name}-tls`, items: [{ key: 'tls.crt', path: 'tls.crt' }] });
    const configMap = objectNamed(manifests, 'ConfigMap', volumes[mounts['/etc/mysqld-exporter'].name].configMap.name);
    expect(configMap.data['my.cnf']).toBe('[client]\nssl-ca = /etc/mysqld-exporter/server/tls.crt\n');
    expect(Object.values(mounts).every((m: any) => m.readOnly)).toBe(true);
  });

  test('a bound SQLAlchemy client verifies the server and its name: PyMySQL through ssl_ca and ssl_check_hostname, mysqlclient through ssl_mode', () => {
    // GIVEN
    const { chart, mysql } = tlsMysql();
    const database = mysql.addDatabase('mlflow');
    const py = workload(chart, 'PyMysql');
    const c = workload(chart, 'Mysqlclient');
    // WHEN
    database.bind(py.deployment, py.main, { uriEnv: 'DB_URI', scheme: 'mysql+pymysql' });
    database.bind(c.deployment, c.main, { uriEnv: 'DB_URI', scheme: 'mysql+mysqldb', query: 'charset=utf8mb4' });
    // THEN
    const manifests = synthValid(chart);
    const host = `${mysql.service.name}.data.svc:3306`;
    const pyEnv = envOf(container(objectNamed(manifests, 'Deployment', 'pymysql'), 'main'));
    expect(pyEnv.DB_URI.value).toBe(`mysql+pymysql://$(DB_USER):$(DB_PASSWORD)@${host}/mlflow?ssl_ca=${CA_FILE}&ssl_check_hostname=true`);
    expect(pyEnv.SSL_CERT_FILE).toEqual({ value: CA_FILE });
    const cEnv = envOf(container(objectNamed(manifests, 'Deployment', 'mysqlclient'), 'main'));
    expect(cEnv.DB_URI.value).toBe(`mysql+mysqldb://$(DB_USER):$(DB_PASSWORD)@${host}/mlflow?charset=utf8mb4&ssl_mode=VERIFY_IDENTITY&ssl_ca=${CA_FILE}`);
    expect(pyEnv.PGSSLMODE).toBeUndefined();
  });

  test("each database's setup Job verifies the server and its name: --ssl-mode=VERIFY_IDENTITY with the bundle", () => {
    const { chart, mysql } = tlsMysql();
    mysql.addDatabase('mlflow');
    const setup = container(objectsOfKind(synthValid(chart), 'Job').find((j) => j.metadata.name.includes('-setup-')), 'setup');
    expect(setup.command[2].split('\n')[1]).toBe(
      `connect=(--host="$MYSQL_HOST" --port="$MYSQL_TCP_PORT" --user="$ADMIN_USER" --ssl-mode=VERIFY_IDENTITY --ssl-ca=${CA_FILE})`);
    expect(setup.volumeMounts).toContainEqual({ name: 'ca-bundle', mountPath: '/etc/mlops/ca', readOnly: true });
  });

  test('without tls, nothing of it', () => {
    const chart = testChart('data');
    const mysql = new Mysql(chart, 'Mysql', { metrics: true });
    const { deployment, main } = workload(chart, 'Consumer');
    mysql.addDatabase('mlflow').bind(deployment, main, { uriEnv: 'DB_URI', scheme: 'mysql+pymysql' });
    const manifests = synthValid(chart);
    expect(envOf(container(objectNamed(manifests, 'Deployment', 'consumer'), 'main')).DB_URI.value).not.toContain('?');
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'mysql');
    expect(container(statefulSet, 'mysql').args).toEqual(['mysqld', '--datadir=/var/lib/mysql/data']);
    expect(container(statefulSet, 'metrics').args).toEqual(['--mysqld.address=127.0.0.1:3306', '--mysqld.username=$(MYSQL_EXPORTER_USER)']);
    expect(objectsOfKind(manifests, 'Certificate')).toEqual([]);
  });

  test('refuses a tls that is not a ServerTls', () => {
    expect(() => new Mysql(testChart('data'), 'Mysql', { tls: true as any })).toThrow(
      "Mysql 'test/Mysql': props.tls is invalid: expected a ServerTls, got a boolean (true); give e.g. platformTls.serverTls");
  });
});

const MARIADB = serverAvailable('mariadb-server', ['/usr/sbin/mariadbd', '/usr/bin/mysql', '/usr/bin/mysqladmin', '/usr/bin/openssl']);

(MARIADB ? describe : describe.skip)('Mysql setup Job over TLS against a real MariaDB', () => {
  const ADMIN_PASSWORD = 'admin-password';
  let server: RunningServer;
  let dir: string;
  let setup: any;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mysql-tls-'));
    chmodSync(dir, 0o755);
    const openssl = (args: string[]) => run(['openssl', ...args]);
    const key = (name: string) => ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, name)];
    openssl(['req', '-x509', ...key('ca.key'), '-days', '1', '-subj', '/CN=test CA', '-out', join(dir, 'ca.crt')]);
    openssl(['req', ...key('server.key'), '-subj', '/CN=mysql', '-out', join(dir, 'server.csr')]);
    // The server's name as the Job uses it: 127.0.0.1 here stands for the Service's name.
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName = IP:127.0.0.1\n');
    openssl(['x509', '-req', '-in', join(dir, 'server.csr'), '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial',
      '-days', '1', '-extfile', join(dir, 'server.ext'), '-out', join(dir, 'server.crt')]);
    // A CA that signed nothing the server holds.
    openssl(['req', '-x509', ...key('other.key'), '-days', '1', '-subj', '/CN=other CA', '-out', join(dir, 'other.crt')]);
    for (const file of ['server.key', 'server.crt', 'ca.crt']) chmodSync(join(dir, file), 0o644);
    server = await startMariadb(ADMIN_PASSWORD, [
      `--ssl-cert=${join(dir, 'server.crt')}`, `--ssl-key=${join(dir, 'server.key')}`, '--require-secure-transport=ON',
    ]);
    const { chart, mysql } = tlsMysql();
    mysql.addDatabase('mlflow');
    setup = container(objectsOfKind(Testing.synth(chart), 'Job').find((j) => j.metadata.name.includes('-setup-')), 'setup');
  }, 60_000);
  afterAll(() => {
    server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The Job's script with the bundle at `caFile`. MariaDB's client spells MySQL's `--ssl-mode=VERIFY_IDENTITY` as
   * `--ssl-verify-server-cert` (certificate and host name); everything else runs as rendered.
   */
  const forMariadb = (script: string, caFile: string) => {
    expect(script).toContain(`--ssl-mode=VERIFY_IDENTITY --ssl-ca=${CA_FILE}`);
    return script.replace(`--ssl-mode=VERIFY_IDENTITY --ssl-ca=${CA_FILE}`, `--ssl-verify-server-cert --ssl-ca=${caFile}`);
  };
  const runScript = (script: string) => {
    const env = containerEnv(setup, () => '', {
      MYSQL_HOST: '127.0.0.1', MYSQL_TCP_PORT: String(server.port), ADMIN_USER: 'root', MYSQL_PWD: ADMIN_PASSWORD, DB_USER: 'mlflow', DB_PASSWORD: SPECIAL_PASSWORD,
    });
    return spawnSync(setup.command[0], [setup.command[1], script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
  };
  /** The script's connection, as its statements use it. */
  const connectWith = (caFile: string) => `${forMariadb(setup.command[2], caFile).split('\n').find((line: string) => line.startsWith('connect=('))}
mysql "\${connect[@]}" --batch --skip-column-names --execute="SHOW STATUS LIKE 'Ssl_version'"`;

  test('the script creates the database over a verified TLS connection; a plain connection is refused', () => {
    const result = runScript(forMariadb(setup.command[2], join(dir, 'ca.crt')));
    expect(result.stderr).not.toMatch(/ERROR/);
    expect(result.status).toBe(0);
    const query = (args: string[]) => spawnSync('mysql', ['--host=127.0.0.1', `--port=${server.port}`, '--user=mlflow', '--database=mlflow',
      '--batch', '--skip-column-names', ...args, '--execute=SELECT CURRENT_USER()'],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', MYSQL_PWD: SPECIAL_PASSWORD } });
    expect(query([`--ssl-ca=${join(dir, 'ca.crt')}`, '--ssl-verify-server-cert']).stdout.trim()).toBe('mlflow@%');
    // The same user and password without TLS: MySQL answers error 3159 (insecure transport), MariaDB 10.11 access denied.
    expect(query(['--skip-ssl']).stderr).toMatch(/insecure transport|Access denied/);
  });

  test("the script's connection is TLS, and fails against a server its bundle does not verify", () => {
    const verified = runScript(connectWith(join(dir, 'ca.crt')));
    expect([verified.status, verified.stdout]).toEqual([0, expect.stringMatching(/^Ssl_version\tTLSv1\.[23]/)]);
    const refused = runScript(connectWith(join(dir, 'other.crt')));
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/certificate|SSL/i);
  });
});
