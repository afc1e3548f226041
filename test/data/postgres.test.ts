import * as kplus from 'cdk8s-plus-28';
import { runWithStubs, workload } from './fixtures';
import { Credentials, DatabaseEngine, DefaultImages, ScrapeDiscovery, SecretSource } from '../../src';
import { Postgres } from '../../src/data';
import { container, envOf, expandEnvLikeKubelet, generatedSecretSpec, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

const SETUP_SQL = [
  '\\getenv db DB_NAME',
  '\\getenv user DB_USER',
  '\\getenv password DB_PASSWORD',
  "SELECT format('CREATE ROLE %I LOGIN', :'user') WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'user')\\gexec",
  'ALTER ROLE :"user" WITH LOGIN PASSWORD :\'password\';',
  "SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user') WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = :'db')\\gexec",
  'GRANT ALL PRIVILEGES ON DATABASE :"db" TO :"user";',
  'REVOKE CONNECT, TEMPORARY ON DATABASE :"db" FROM PUBLIC;',
  '\\connect :db',
  'GRANT ALL ON SCHEMA public TO :"user";',
];

describe('Postgres server', () => {
  test('the default passes the validation harness', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    new Postgres(chart, 'Postgres', { databases: ['mlflow'] });
    // THEN
    expect(synthValid(chart)).toMatchSnapshot();
  });

  test('runs the official image as uid 999 with PGDATA in a sub-directory of its volume and writable run and tmp dirs', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    new Postgres(chart, 'Postgres');
    // THEN
    const manifests = synthValid(chart);
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'postgres');
    expect(statefulSet.spec.replicas).toBe(1);
    const postgres = container(statefulSet, 'postgres');
    expect(postgres.image).toBe(DefaultImages.POSTGRES);
    expect(postgres.ports).toEqual([{ name: 'postgres', containerPort: 5432 }]);
    expect(postgres.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, readOnlyRootFilesystem: true });
    expect(podSpec(statefulSet).securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    expect(postgres.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1024Mi' } });

    const admin = objectNamed(manifests, 'Secret', 'postgres-admincredentials');
    expect(postgres.env).toEqual([
      { name: 'POSTGRES_USER', valueFrom: { secretKeyRef: { name: admin.metadata.name, key: 'username' } } },
      { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: admin.metadata.name, key: 'password' } } },
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
    ]);
    expect(admin.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBe('password,username');

    const pvc = objectNamed(manifests, 'PersistentVolumeClaim', 'postgres-data');
    expect(pvc.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    expect(pvc.spec.storageClassName).toBeUndefined();
    expect(postgres.volumeMounts).toEqual([
      { mountPath: '/var/lib/postgresql/data', name: 'data' },
      { mountPath: '/var/run/postgresql', name: 'run' },
      { mountPath: '/tmp', name: 'tmp' },
    ]);
    expect(podSpec(statefulSet).volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: pvc.metadata.name, readOnly: false } },
      { name: 'run', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
    ]);
  });

  test('probes readiness, liveness and startup with pg_isready over TCP', () => {
    // GIVEN
    const chart = testChart();
    // WHEN
    new Postgres(chart, 'Postgres');
    // THEN
    const postgres = container(objectNamed(synthValid(chart), 'StatefulSet', 'postgres'), 'postgres');
    const command = ['sh', '-c', 'exec pg_isready --host=127.0.0.1 --port=5432 --username="$POSTGRES_USER" --dbname=postgres --timeout=4'];
    expect(postgres.readinessProbe).toEqual({ exec: { command }, failureThreshold: 3, periodSeconds: 10, timeoutSeconds: 5 });
    expect(postgres.livenessProbe).toEqual({ exec: { command }, failureThreshold: 6, periodSeconds: 10, timeoutSeconds: 5 });
    expect(postgres.startupProbe).toEqual({ exec: { command }, failureThreshold: 60, periodSeconds: 10, timeoutSeconds: 5 });
  });

  test('a Service on port 5432 named postgres selects the pods, and the endpoint names it with its namespace', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const postgres = new Postgres(chart, 'Postgres');
    // THEN
    const manifests = synthValid(chart);
    const service = objectNamed(manifests, 'Service', 'postgres-service');
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'postgres');
    expect(service.spec.ports).toEqual([{ name: 'postgres', port: 5432, targetPort: 5432 }]);
    expect(service.spec.type).toBe('ClusterIP');
    expect(statefulSet.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(statefulSet.spec.serviceName).toBe(objectNamed(manifests, 'Service', 'postgres-headless').metadata.name);
    expect(postgres.endpoint.host).toBe(`${service.metadata.name}.data.svc`);
    expect(postgres.endpoint.port).toBe(5432);
    expect(postgres.endpoint.scheme).toBe('postgresql');
  });

  test('an existing admin Secret: read from its key, nothing generated', () => {
    // GIVEN
    const chart = testChart();
    const secret = kplus.Secret.fromSecretName(chart, 'Admin', 'pg-admin');
    // WHEN
    new Postgres(chart, 'Postgres', { adminPassword: SecretSource.fromSecret(secret, { keys: { password: 'postgres-password' } }) });
    // THEN
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'pg-admin', keys: ['postgres-password'] }]);
    expect(objectsOfKind(manifests, 'Secret')).toEqual([]);
    expect(objectsOfKind(manifests, 'Job')).toEqual([]);
    const postgres = container(objectNamed(manifests, 'StatefulSet', 'postgres'), 'postgres');
    expect(envOf(postgres)).toMatchObject({
      POSTGRES_USER: { value: 'postgres' },
      POSTGRES_PASSWORD: { valueFrom: { secretKeyRef: { name: 'pg-admin', key: 'postgres-password' } } },
    });
  });
});

describe('Postgres databases', () => {
  test('addDatabase returns a database with its own generated credentials that carry the user name', () => {
    // GIVEN
    const chart = testChart('data');
    const postgres = new Postgres(chart, 'Postgres');
    // WHEN
    const mlflow = postgres.addDatabase('mlflow');
    // THEN
    expect(mlflow.engine).toBe(DatabaseEngine.POSTGRES);
    expect(mlflow.databaseName).toBe('mlflow');
    expect(mlflow.endpoint).toBe(postgres.endpoint);
    expect(postgres.database('mlflow')).toBe(mlflow);
    const manifests = synthValid(chart);
    const secret = objectNamed(manifests, 'Secret', 'database-mlflow-credentials');
    expect(secret.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBe('password,username');
    expect(generatedSecretSpec(manifests, 'database-mlflow-credentials'))
      .toEqual({ secretValues: ['password'], values: { username: 'mlflow' }, format: 'ALPHANUMERIC', length: 32 });
  });

  test('one setup Job per database runs psql against the Service with the admin password and the SQL from psql variables', () => {
    // GIVEN
    const chart = testChart('data');
    const postgres = new Postgres(chart, 'Postgres');
    // WHEN
    postgres.addDatabase('mlflow', { user: 'tracking' });
    // THEN
    const manifests = synthValid(chart);
    const job = objectNamed(manifests, 'Job', 'database-mlflow-setup');
    const setup = container(job, 'setup');
    expect(setup.image).toBe(DefaultImages.POSTGRES);
    expect(setup.securityContext).toMatchObject({ runAsUser: 999, readOnlyRootFilesystem: true });
    expect(setup.volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
    expect(setup.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } });
    expect(job.spec.backoffLimit).toBe(6);

    const admin = objectNamed(manifests, 'Secret', 'postgres-admincredentials').metadata.name;
    const own = objectNamed(manifests, 'Secret', 'database-mlflow-credentials').metadata.name;
    expect(setup.env).toEqual([
      { name: 'PGHOST', value: postgres.endpoint.host },
      { name: 'PGPORT', value: '5432' },
      { name: 'PGDATABASE', value: 'postgres' },
      { name: 'PGUSER', valueFrom: { secretKeyRef: { name: admin, key: 'username' } } },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: admin, key: 'password' } } },
      { name: 'PGCONNECT_TIMEOUT', value: '10' },
      { name: 'DB_NAME', value: 'mlflow' },
      { name: 'DB_USER', valueFrom: { secretKeyRef: { name: own, key: 'username' } } },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: own, key: 'password' } } },
    ]);
    expect(generatedSecretSpec(manifests, 'database-mlflow-credentials').values).toEqual({ username: 'tracking' });

    const [shell, flag, script] = setup.command;
    expect([shell, flag]).toEqual(['sh', '-c']);
    const lines = script.split('\n');
    expect(lines[0]).toBe('set -eu');
    expect(script).toContain('until pg_isready --timeout=5; do\n  if [ "$attempt" -ge 60 ]; then');
    expect(script).toContain('  sleep 5\ndone\n');
    expect(lines.slice(lines.indexOf('done') + 1)).toEqual([
      "psql --no-psqlrc --set=ON_ERROR_STOP=1 <<'SQL'",
      ...SETUP_SQL,
      'SQL',
    ]);
    expect(script).not.toMatch(/\|\| *true|exit 0/);
  });

  test('the script gives psql the SQL verbatim and fails after 60 unanswered waits', () => {
    // GIVEN
    const chart = testChart();
    new Postgres(chart, 'Postgres', { databases: ['mlflow'] });
    const script: string = container(objectNamed(synthValid(chart), 'Job', 'mlflow-setup'), 'setup').command[2];
    const run = (pgIsready: string) => runWithStubs(['sh'], script,
      { pg_isready: pgIsready, psql: 'echo "psql $*" >&2; cat', sleep: 'exit 0' },
      { PGHOST: 'pg', PGPORT: '5432', DB_PASSWORD: "it's $(secret)" });
    // WHEN
    const answered = run('exit 0');
    const unanswered = run('exit 2');
    // THEN
    expect(answered.status).toBe(0);
    expect(answered.stdout.trim().split('\n')).toEqual(SETUP_SQL);
    expect(answered.stderr).toBe('psql --no-psqlrc --set=ON_ERROR_STOP=1\n');
    expect(unanswered.status).toBe(1);
    expect(unanswered.stdout.split('\n').filter((l) => l.startsWith('waiting for PostgreSQL at pg:5432')).length).toBe(59);
    expect(unanswered.stderr).toContain('PostgreSQL at pg:5432 did not answer after 60 attempts 5 s apart');
  });

  test('an existing Secret with a fixed user name', () => {
    // GIVEN
    const chart = testChart();
    const postgres = new Postgres(chart, 'Postgres');
    const secret = kplus.Secret.fromSecretName(chart, 'Existing', 'mlflow-db');
    // WHEN
    const mlflow = postgres.addDatabase('mlflow', { password: SecretSource.fromSecret(secret) });
    // THEN
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'mlflow-db', keys: ['password'] }]);
    expect(objectsOfKind(manifests, 'Secret').map((s) => s.metadata.name)).toEqual([expect.stringContaining('admincredentials')]);
    expect(envOf(container(objectNamed(manifests, 'Job', 'mlflow-setup'), 'setup'))).toMatchObject({
      DB_USER: { value: 'mlflow' },
      DB_PASSWORD: { valueFrom: { secretKeyRef: { name: 'mlflow-db', key: 'password' } } },
    });
    expect(mlflow.credentials.secret.name).toBe('mlflow-db');
  });

  test('fails on a name that is not a plain SQL identifier', () => {
    const postgres = new Postgres(testChart(), 'Postgres');
    expect(() => postgres.addDatabase('My-DB')).toThrow(
      "Postgres 'test/Postgres': database name 'My-DB' is invalid: must contain only lowercase letters, digits and '_'; must start with a lowercase letter; use e.g. 'my_db'",
    );
  });

  test("fails on PostgreSQL's own database and role names", () => {
    const postgres = new Postgres(testChart(), 'Postgres');
    expect(() => postgres.addDatabase('template1')).toThrow(
      "Postgres 'test/Postgres': database name 'template1' is invalid: must not be one of PostgreSQL's own (postgres, template0, template1); choose another name",
    );
    expect(() => postgres.addDatabase('metrics', { user: 'pg_monitor' })).toThrow(
      "Postgres 'test/Postgres': user 'pg_monitor' is invalid: must not be one of PostgreSQL's own (postgres, public, none, current_role, current_user, session_user) or start with 'pg_'; choose another name",
    );
  });

  test('fails on a name longer than 63 characters', () => {
    const postgres = new Postgres(testChart(), 'Postgres');
    expect(() => postgres.addDatabase('a'.repeat(64))).toThrow(
      `Postgres 'test/Postgres': database name '${'a'.repeat(64)}' is invalid: must be at most 63 characters (has 64); use e.g. '${'a'.repeat(63)}'`,
    );
  });
});

describe('Postgres database bind', () => {
  test('adds user and password before the URI that refers to them, and opens port 5432 to the workload', () => {
    // GIVEN
    const chart = testChart('data');
    const postgres = new Postgres(chart, 'Postgres');
    const mlflow = postgres.addDatabase('mlflow');
    const { deployment, main } = workload(chart, 'Mlflow');
    // WHEN
    const binding = mlflow.bind(deployment, main, { uriEnv: 'MLFLOW_BACKEND_STORE_URI' });
    // THEN
    const manifests = synthValid(chart);
    const host = `${objectNamed(manifests, 'Service', 'postgres-service').metadata.name}.data.svc`;
    expect(binding.uri).toBe(`postgresql://$(DB_USER):$(DB_PASSWORD)@${host}:5432/mlflow`);
    const rendered = container(objectNamed(manifests, 'Deployment', 'mlflow'), 'main');
    expect(rendered.env.map((e: any) => e.name)).toEqual(['DB_USER', 'DB_PASSWORD', 'MLFLOW_BACKEND_STORE_URI']);
    const secret = objectNamed(manifests, 'Secret', 'database-mlflow-credentials').metadata.name;
    expect(envOf(rendered)).toEqual({
      DB_USER: { valueFrom: { secretKeyRef: { name: secret, key: Credentials.USERNAME } } },
      DB_PASSWORD: { valueFrom: { secretKeyRef: { name: secret, key: Credentials.PASSWORD } } },
      MLFLOW_BACKEND_STORE_URI: { value: `postgresql://$(DB_USER):$(DB_PASSWORD)@${host}:5432/mlflow` },
    });
    expect(expandEnvLikeKubelet(rendered).MLFLOW_BACKEND_STORE_URI)
      .toBe(`postgresql://<secret:${secret}/username>:<secret:${secret}/password>@${host}:5432/mlflow`);

    const policy = objectNamed(manifests, 'NetworkPolicy', 'allowfrom-test-mlflow');
    expect(policy.spec.podSelector.matchLabels).toEqual(objectNamed(manifests, 'Service', 'postgres-service').spec.selector);
    expect(policy.spec.ingress[0].ports).toEqual([{ port: 5432, protocol: 'TCP' }]);
    expect(policy.spec.ingress[0].from[0].podSelector.matchLabels)
      .toEqual(objectNamed(manifests, 'Deployment', 'mlflow').spec.selector.matchLabels);
  });
});

describe('Postgres.fromDatabaseAttributes', () => {
  test('binds an external database without a NetworkPolicy', () => {
    // GIVEN
    const chart = testChart();
    const secret = kplus.Secret.fromSecretName(chart, 'Secret', 'rds-mlflow');
    const { deployment, main } = workload(chart, 'Mlflow');
    // WHEN
    const external = Postgres.fromDatabaseAttributes(chart, 'Rds', {
      host: 'mlflow.abc.eu-west-1.rds.amazonaws.com',
      databaseName: 'mlflow',
      credentials: Credentials.fromSecret(secret),
    });
    const binding = external.bind(deployment, main, { uriEnv: 'DATABASE_URL', query: 'sslmode=require' });
    // THEN
    expect(external.engine).toBe(DatabaseEngine.POSTGRES);
    expect(external.endpoint.port).toBe(5432);
    expect(binding.uri).toBe('postgresql://$(DB_USER):$(DB_PASSWORD)@mlflow.abc.eu-west-1.rds.amazonaws.com:5432/mlflow?sslmode=require');
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'rds-mlflow', keys: ['username', 'password'] }]);
    expect(objectsOfKind(manifests, 'NetworkPolicy')).toEqual([]);
    expect(container(objectNamed(manifests, 'Deployment', 'mlflow'), 'main').env.map((e: any) => e.name))
      .toEqual(['DB_USER', 'DB_PASSWORD', 'DATABASE_URL']);
  });

  test('fails on a host with a port', () => {
    const chart = testChart();
    const credentials = Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'Secret', 'db'));
    expect(() => Postgres.fromDatabaseAttributes(chart, 'Ext', { host: 'db.example.com:5433', databaseName: 'mlflow', credentials })).toThrow(
      "ExternalDatabase 'test/Ext': host 'db.example.com:5433' is invalid: must be a DNS name or an IP address, without a scheme, credentials, port, path or whitespace, e.g. 'pg.example.internal'",
    );
    expect(() => Postgres.fromDatabaseAttributes(chart, 'Ext2', { host: 'db', port: 0, databaseName: 'mlflow', credentials })).toThrow(
      "ExternalDatabase 'test/Ext2': port 0 is invalid: must be a whole number from 1 to 65535, or leave it out for 5432",
    );
  });
});

describe('Postgres metrics', () => {
  test('metrics: postgres_exporter next to the server, logged in as the superuser through the Secret, as a POD scrape target', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const postgres = new Postgres(chart, 'Postgres', { metrics: true });
    // THEN
    const manifests = synthValid(chart);
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'postgres');
    const secret = objectNamed(manifests, 'Secret', 'postgres-admincredentials').metadata.name;
    const exporter = container(statefulSet, 'metrics');
    expect(exporter.image).toBe(DefaultImages.POSTGRES_EXPORTER);
    expect(exporter.ports).toEqual([{ containerPort: 9187, name: 'metrics' }]);
    expect(exporter.env).toEqual([
      { name: 'DATA_SOURCE_URI', value: '127.0.0.1:5432/postgres?sslmode=disable' },
      { name: 'DATA_SOURCE_USER', valueFrom: { secretKeyRef: { name: secret, key: 'username' } } },
      { name: 'DATA_SOURCE_PASS', valueFrom: { secretKeyRef: { name: secret, key: 'password' } } },
    ]);
    expect(exporter.securityContext).toMatchObject({ runAsUser: 65534, runAsGroup: 65534, readOnlyRootFilesystem: true });
    expect(exporter.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } });
    expect(exporter.readinessProbe.tcpSocket).toEqual({ port: 9187 });
    expect(postgres.scrapeTargets).toEqual([{
      name: 'test-postgres',
      discovery: ScrapeDiscovery.POD,
      namespace: 'data',
      selector: { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': statefulSet.spec.template.metadata.labels['app.kubernetes.io/instance'] },
      endpoints: [{ port: 'metrics', path: '/metrics' }],
    }]);
  });
});
