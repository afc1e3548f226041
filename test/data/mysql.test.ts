import * as kplus from 'cdk8s-plus-28';
import { runWithStubs, workload } from './fixtures';
import { Credentials, DatabaseEngine, DefaultImages, ScrapeDiscovery, SecretSource } from '../../src';
import { Mysql } from '../../src/data';
import { container, envOf, expandEnvLikeKubelet, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

/** Runs a setup script in bash with `mysqladmin` and `mysql` replaced by stubs; `mysql` echoes the SQL it gets. */
function runSetup(script: string, env: Record<string, string>, mysqladmin = 'exit 0') {
  return runWithStubs(['bash', '--norc'], script,
    { mysqladmin, mysql: 'echo "mysql $*" >&2; cat', sleep: 'exit 0' },
    { MYSQL_HOST: 'mysql', MYSQL_TCP_PORT: '3306', ADMIN_USER: 'root', ...env });
}

describe('Mysql server', () => {
  test('the default passes the validation harness', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    new Mysql(chart, 'Mysql', { databases: ['kfp_pipelines'] });
    // THEN
    expect(synthValid(chart)).toMatchSnapshot();
  });

  test('runs MySQL 8.4 as uid 999 with its datadir in a sub-directory of its volume and writable run and tmp dirs', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    new Mysql(chart, 'Mysql');
    // THEN
    const manifests = synthValid(chart);
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'mysql');
    expect(statefulSet.spec.replicas).toBe(1);
    const mysql = container(statefulSet, 'mysql');
    expect(mysql.image).toBe(DefaultImages.MYSQL);
    expect(mysql.command).toBeUndefined();
    expect(mysql.args).toEqual(['mysqld', '--datadir=/var/lib/mysql/data']);
    expect(mysql.ports).toEqual([{ name: 'mysql', containerPort: 3306 }]);
    expect(mysql.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, readOnlyRootFilesystem: true });
    expect(podSpec(statefulSet).securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    expect(mysql.resources).toEqual({ requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1024Mi' } });

    const admin = objectNamed(manifests, 'Secret', 'mysql-admincredentials');
    expect(mysql.env).toEqual([
      { name: 'MYSQL_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: admin.metadata.name, key: 'password' } } },
    ]);
    expect(admin.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBe('password,username');

    const pvc = objectNamed(manifests, 'PersistentVolumeClaim', 'mysql-data');
    expect(pvc.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    expect(mysql.volumeMounts).toEqual([
      { mountPath: '/var/lib/mysql', name: 'data' },
      { mountPath: '/var/run/mysqld', name: 'run' },
      { mountPath: '/tmp', name: 'tmp' },
    ]);
    expect(podSpec(statefulSet).volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: pvc.metadata.name, readOnly: false } },
      { name: 'run', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
    ]);
  });

  test('probes readiness, liveness and startup with mysqladmin ping over TCP, the password from env', () => {
    // GIVEN
    const chart = testChart();
    // WHEN
    new Mysql(chart, 'Mysql');
    // THEN
    const mysql = container(objectNamed(synthValid(chart), 'StatefulSet', 'mysql'), 'mysql');
    const command = ['sh', '-c', 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysqladmin --host=127.0.0.1 --port=3306 --user=root --connect-timeout=4 ping'];
    expect(mysql.readinessProbe).toEqual({ exec: { command }, failureThreshold: 3, periodSeconds: 10, timeoutSeconds: 5 });
    expect(mysql.livenessProbe).toEqual({ exec: { command }, failureThreshold: 6, periodSeconds: 10, timeoutSeconds: 5 });
    expect(mysql.startupProbe).toEqual({ exec: { command }, failureThreshold: 60, periodSeconds: 10, timeoutSeconds: 5 });
  });

  test('a Service on port 3306 named mysql, and the endpoint with the mysql scheme', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const mysql = new Mysql(chart, 'Mysql');
    // THEN
    const service = objectNamed(synthValid(chart), 'Service', 'mysql-service');
    expect(service.spec.ports).toEqual([{ name: 'mysql', port: 3306, targetPort: 3306 }]);
    expect(mysql.endpoint.url()).toBe(`mysql://${service.metadata.name}.data.svc:3306`);
    expect(mysql.statefulSet).toBeInstanceOf(kplus.StatefulSet);
    expect(mysql.service).toBeInstanceOf(kplus.Service);
  });

  test('an existing root Secret and a storage class', () => {
    // GIVEN
    const chart = testChart();
    const secret = kplus.Secret.fromSecretName(chart, 'Root', 'mysql-root');
    // WHEN
    const mysql = new Mysql(chart, 'Mysql', { adminPassword: SecretSource.fromSecret(secret), storageClassName: 'local-path' });
    mysql.addDatabase('kfp');
    // THEN
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'mysql-root', keys: ['password'] }]);
    expect(objectNamed(manifests, 'PersistentVolumeClaim', 'mysql').spec.storageClassName).toBe('local-path');
    expect(envOf(container(objectNamed(manifests, 'StatefulSet', 'mysql'), 'mysql')).MYSQL_ROOT_PASSWORD)
      .toEqual({ valueFrom: { secretKeyRef: { name: 'mysql-root', key: 'password' } } });
    expect(envOf(container(objectNamed(manifests, 'Job', 'kfp-setup'), 'setup'))).toMatchObject({
      ADMIN_USER: { value: 'root' },
      MYSQL_PWD: { valueFrom: { secretKeyRef: { name: 'mysql-root', key: 'password' } } },
    });
  });

  test('the admin is root even when the existing Secret maps a user name, since the server only sets root\'s password', () => {
    // GIVEN
    const chart = testChart();
    const secret = kplus.Secret.fromSecretName(chart, 'Root', 'mysql-root');
    // WHEN
    const mysql = new Mysql(chart, 'Mysql', {
      adminPassword: SecretSource.fromSecret(secret, { keys: { [Credentials.USERNAME]: 'user', [Credentials.PASSWORD]: 'pass' } }),
      metrics: true,
    });
    mysql.addDatabase('kfp');
    // THEN
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'mysql-root', keys: ['pass'] }]);
    const server = objectNamed(manifests, 'StatefulSet', 'mysql');
    expect(envOf(container(server, 'mysql')).MYSQL_ROOT_PASSWORD)
      .toEqual({ valueFrom: { secretKeyRef: { name: 'mysql-root', key: 'pass' } } });
    expect(envOf(container(server, 'metrics')).MYSQL_EXPORTER_USER).toEqual({ value: 'root' });
    expect(envOf(container(objectNamed(manifests, 'Job', 'kfp-setup'), 'setup'))).toMatchObject({
      ADMIN_USER: { value: 'root' },
      MYSQL_PWD: { valueFrom: { secretKeyRef: { name: 'mysql-root', key: 'pass' } } },
    });
  });
});

describe('Mysql databases', () => {
  test('one setup Job per database runs the mysql client against the Service with the root password from env', () => {
    // GIVEN
    const chart = testChart('data');
    const mysql = new Mysql(chart, 'Mysql');
    // WHEN
    const kfp = mysql.addDatabase('kfp_cache', { user: 'kfp' });
    // THEN
    expect(kfp.engine).toBe(DatabaseEngine.MYSQL);
    expect(kfp.databaseName).toBe('kfp_cache');
    expect(mysql.database('kfp_cache')).toBe(kfp);
    const manifests = synthValid(chart);
    const job = objectNamed(manifests, 'Job', 'database-kfp-cache-setup');
    const setup = container(job, 'setup');
    expect(setup.image).toBe(DefaultImages.MYSQL);
    expect(setup.securityContext).toMatchObject({ runAsUser: 999, readOnlyRootFilesystem: true });
    expect(setup.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } });
    const admin = objectNamed(manifests, 'Secret', 'mysql-admincredentials').metadata.name;
    const own = objectNamed(manifests, 'Secret', 'kfp-cache-credentials');
    expect(own.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBe('password,username');
    expect(setup.env).toEqual([
      { name: 'MYSQL_HOST', value: mysql.endpoint.host },
      { name: 'MYSQL_TCP_PORT', value: '3306' },
      { name: 'ADMIN_USER', value: 'root' },
      { name: 'MYSQL_PWD', valueFrom: { secretKeyRef: { name: admin, key: 'password' } } },
      { name: 'DB_USER', valueFrom: { secretKeyRef: { name: own.metadata.name, key: 'username' } } },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: own.metadata.name, key: 'password' } } },
    ]);
    const [shell, flag, script] = setup.command;
    expect([shell, flag]).toEqual(['bash', '-c']);
    expect(script).toContain('until mysqladmin "${connect[@]}" --connect-timeout=5 ping; do\n  if [ "$attempt" -ge 60 ]; then');
    expect(script).not.toMatch(/\|\| *true|exit 0/);
  });

  test('the script sends idempotent SQL with the user and password quoted as literals, and never in arguments', () => {
    // GIVEN
    const chart = testChart();
    new Mysql(chart, 'Mysql', { databases: ['kfp_cache'] });
    const script: string = container(objectNamed(synthValid(chart), 'Job', 'kfp-cache-setup'), 'setup').command[2];
    // WHEN
    const result = runSetup(script, { MYSQL_PWD: 'rootpw', DB_USER: "o'brien", DB_PASSWORD: "it's \\ \"$(odd)\"\n`x`;--" });
    // THEN
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').slice(0, -1)).toEqual([
      "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';",
      'CREATE DATABASE IF NOT EXISTS `kfp_cache`;',
      "CREATE USER IF NOT EXISTS 'o''brien'@'%' IDENTIFIED BY 'it''s \\ \"$(odd)\"",
      "`x`;--';",
      "ALTER USER 'o''brien'@'%' IDENTIFIED BY 'it''s \\ \"$(odd)\"",
      "`x`;--';",
      "GRANT ALL PRIVILEGES ON `kfp\\_cache`.* TO 'o''brien'@'%';",
    ]);
    expect(result.stderr).toBe('mysql --host=mysql --port=3306 --user=root\n');
  });

  test('the script fails after 60 unanswered pings without running mysql', () => {
    // GIVEN
    const chart = testChart();
    new Mysql(chart, 'Mysql', { databases: ['kfp'] });
    const script: string = container(objectNamed(synthValid(chart), 'Job', 'kfp-setup'), 'setup').command[2];
    // WHEN
    const result = runSetup(script, { DB_USER: 'kfp', DB_PASSWORD: 'pw' }, 'exit 1');
    // THEN
    expect(result.status).toBe(1);
    expect(result.stdout.split('\n').filter((l) => l.startsWith('waiting for MySQL at mysql:3306')).length).toBe(59);
    expect(result.stderr).toBe('MySQL at mysql:3306 did not answer after 60 attempts 5 s apart: check that its pod is ready and that no NetworkPolicy blocks this Job\n');
  });

  test('fails on a user longer than 32 characters', () => {
    const mysql = new Mysql(testChart(), 'Mysql');
    const name = 'a'.repeat(33);
    expect(() => mysql.addDatabase(name)).toThrow(
      `Mysql 'test/Mysql': user '${name}' is invalid: must be at most 32 characters (has 33); use e.g. '${'a'.repeat(32)}'`,
    );
  });

  test("fails on MySQL's own databases and users", () => {
    const mysql = new Mysql(testChart(), 'Mysql');
    expect(() => mysql.addDatabase('sys')).toThrow(
      "Mysql 'test/Mysql': database name 'sys' is invalid: must not be one of MySQL's own (information_schema, mysql, performance_schema, sys); choose another name",
    );
    expect(() => mysql.addDatabase('kfp', { user: 'root' })).toThrow(
      "Mysql 'test/Mysql': user 'root' is invalid: must not be one of MySQL's own (root); choose another name",
    );
  });

  test('fails on a name with a dash or a leading digit', () => {
    const mysql = new Mysql(testChart(), 'Mysql');
    expect(() => mysql.addDatabase('kfp-cache')).toThrow(
      "Mysql 'test/Mysql': database name 'kfp-cache' is invalid: must contain only lowercase letters, digits and '_'; use e.g. 'kfp_cache'",
    );
    expect(() => mysql.addDatabase('2024')).toThrow(
      "Mysql 'test/Mysql': database name '2024' is invalid: must start with a lowercase letter; choose another name",
    );
  });
});

describe('Mysql database bind', () => {
  test('adds user and password before the URI, with a SQLAlchemy scheme, and opens port 3306 to the workload', () => {
    // GIVEN
    const chart = testChart('data');
    const mysql = new Mysql(chart, 'Mysql');
    const mlflow = mysql.addDatabase('mlflow');
    const { deployment, main } = workload(chart, 'Mlflow');
    // WHEN
    const binding = mlflow.bind(deployment, main, { uriEnv: 'MLFLOW_BACKEND_STORE_URI', scheme: 'mysql+pymysql' });
    // THEN
    const manifests = synthValid(chart);
    const host = `${objectNamed(manifests, 'Service', 'mysql-service').metadata.name}.data.svc`;
    expect(binding.uri).toBe(`mysql+pymysql://$(DB_USER):$(DB_PASSWORD)@${host}:3306/mlflow`);
    const rendered = container(objectNamed(manifests, 'Deployment', 'mlflow'), 'main');
    expect(rendered.env.map((e: any) => e.name)).toEqual(['DB_USER', 'DB_PASSWORD', 'MLFLOW_BACKEND_STORE_URI']);
    const secret = objectNamed(manifests, 'Secret', 'database-mlflow-credentials').metadata.name;
    expect(expandEnvLikeKubelet(rendered).MLFLOW_BACKEND_STORE_URI)
      .toBe(`mysql+pymysql://<secret:${secret}/username>:<secret:${secret}/password>@${host}:3306/mlflow`);
    const policy = objectNamed(manifests, 'NetworkPolicy', 'allowfrom-test-mlflow');
    expect(policy.spec.podSelector.matchLabels).toEqual(objectNamed(manifests, 'Service', 'mysql-service').spec.selector);
    expect(policy.spec.ingress[0].ports).toEqual([{ port: 3306, protocol: 'TCP' }]);
  });

  test('the default scheme is mysql', () => {
    const chart = testChart();
    const { deployment, main } = workload(chart, 'Mlflow');
    const binding = new Mysql(chart, 'Mysql', { databases: ['kfp'] }).database('kfp').bind(deployment, main);
    expect(binding.uri).toMatch(/^mysql:\/\/\$\(DB_USER\):\$\(DB_PASSWORD\)@test-mysql-service-[0-9a-f]{8}:3306\/kfp$/);
  });
});

describe('Mysql.fromDatabaseAttributes', () => {
  test('imports an external MySQL database on port 3306 that binds without a NetworkPolicy', () => {
    // GIVEN
    const chart = testChart();
    const credentials = Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'Secret', 'kfp-db'), { values: { username: 'kfp' } });
    const { deployment, main } = workload(chart, 'Mlflow');
    // WHEN
    const external = Mysql.fromDatabaseAttributes(chart, 'Shared', { host: 'mysql.shared.svc', databaseName: 'kfp', credentials });
    const binding = external.bind(deployment, main);
    // THEN
    expect(external.engine).toBe(DatabaseEngine.MYSQL);
    expect(binding.uri).toBe('mysql://$(DB_USER):$(DB_PASSWORD)@mysql.shared.svc:3306/kfp');
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'kfp-db', keys: ['password'] }]);
    expect(objectsOfKind(manifests, 'NetworkPolicy')).toEqual([]);
    expect(envOf(container(objectNamed(manifests, 'Deployment', 'mlflow'), 'main')).DB_USER).toEqual({ value: 'kfp' });
  });

  test('fails on a database name with a slash', () => {
    const chart = testChart();
    const credentials = Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'Secret', 'kfp-db'));
    expect(() => Mysql.fromDatabaseAttributes(chart, 'Shared', { host: 'mysql', databaseName: 'kfp/x', credentials })).toThrow(
      "ExternalDatabase 'test/Shared': database name 'kfp/x' is invalid: must be non-empty without whitespace, '/', '?' or '#' (it is the path of the connection URI); give the name as the server knows it",
    );
  });
});

describe('Mysql metrics', () => {
  test('metrics: mysqld_exporter next to the server, with root\'s password from the Secret in MYSQLD_EXPORTER_PASSWORD', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const mysql = new Mysql(chart, 'Mysql', { metrics: true });
    const scraper = kplus.Pods.select(chart, 'Prometheus', { labels: { 'app.kubernetes.io/name': 'prometheus' } });
    mysql.allowScrapeFrom(scraper);
    // THEN
    const manifests = synthValid(chart);
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'mysql');
    const secret = objectNamed(manifests, 'Secret', 'mysql-admincredentials').metadata.name;
    const exporter = container(statefulSet, 'metrics');
    expect(exporter.image).toBe(DefaultImages.MYSQLD_EXPORTER);
    expect(exporter.args).toEqual(['--mysqld.address=127.0.0.1:3306', '--mysqld.username=$(MYSQL_EXPORTER_USER)']);
    expect(exporter.env).toEqual([
      { name: 'MYSQL_EXPORTER_USER', value: 'root' },
      { name: 'MYSQLD_EXPORTER_PASSWORD', valueFrom: { secretKeyRef: { name: secret, key: 'password' } } },
    ]);
    expect(exporter.ports).toEqual([{ containerPort: 9104, name: 'metrics' }]);
    expect(exporter.securityContext).toMatchObject({ runAsUser: 65534, runAsGroup: 65534 });
    expect(mysql.scrapeTargets.map((t) => [t.name, t.discovery, t.endpoints])).toEqual([
      ['test-mysql', ScrapeDiscovery.POD, [{ port: 'metrics', path: '/metrics' }]],
    ]);
    expect(objectNamed(manifests, 'NetworkPolicy', 'mysql-allowfrom-test-prometheus').spec.ingress[0].ports).toEqual([{ port: 9104, protocol: 'TCP' }]);
  });
});
