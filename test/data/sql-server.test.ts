import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { setupJobNames, workload } from './fixtures';
import { SecretSource } from '../../src';
import * as data from '../../src/data';
import { Mysql, MysqlProps, Postgres, PostgresProps, SqlServer } from '../../src/data';
import { container, envOf, generatedSecretSpec, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

// What Postgres and Mysql share (src/data/sql-server.ts), asserted on both.
const SERVERS = [
  {
    kind: 'Postgres',
    name: 'postgres',
    port: 5432,
    exporterPort: 9187,
    /** The database name the setup Job creates: psql reads it from DB_NAME. */
    setupDatabaseName: (setup: any): string => envOf(setup).DB_NAME.value,
    create: (scope: Construct, props?: PostgresProps, id = 'Postgres') => new Postgres(scope, id, props),
  },
  {
    kind: 'Mysql',
    name: 'mysql',
    port: 3306,
    exporterPort: 9104,
    /** The database name the setup Job creates: the script quotes it as an identifier. */
    setupDatabaseName: (setup: any): string => /^db='`(.*)`'$/m.exec(setup.command[2])![1],
    create: (scope: Construct, props?: MysqlProps, id = 'Mysql') => new Mysql(scope, id, props),
  },
];

describe.each(SERVERS)('$kind server', ({ kind, name, create }) => {
  test('storage size, class, resources and image are props; cpu left out keeps its default', () => {
    // GIVEN
    const chart = testChart();
    // WHEN
    create(chart, {
      image: `registry.example.com/${name}:1.0`,
      storageSize: Size.gibibytes(50),
      storageClassName: 'fast-ssd',
      resources: { memory: { request: Size.gibibytes(2), limit: Size.gibibytes(4) } },
    });
    // THEN
    const manifests = synthValid(chart);
    expect(objectNamed(manifests, 'PersistentVolumeClaim', name).spec).toMatchObject({
      storageClassName: 'fast-ssd', resources: { requests: { storage: '50Gi' } },
    });
    const server = container(objectNamed(manifests, 'StatefulSet', name), name);
    expect(server.image).toBe(`registry.example.com/${name}:1.0`);
    expect(server.resources).toEqual({ requests: { cpu: '100m', memory: '2048Mi' }, limits: { memory: '4096Mi' } });
  });

  test('brings its own storage: no claim, and the volume holds the data', () => {
    // GIVEN
    const chart = testChart();
    const claim = kplus.PersistentVolumeClaim.fromClaimName(chart, 'Claim', 'db-data');
    // WHEN
    create(chart, { storage: kplus.Volume.fromPersistentVolumeClaim(chart, 'Volume', claim, { name: 'data' }) });
    // THEN
    const manifests = synthValid(chart, [{ kind: 'PersistentVolumeClaim', name: 'db-data' }]);
    expect(objectsOfKind(manifests, 'PersistentVolumeClaim')).toEqual([]);
    const statefulSet = objectNamed(manifests, 'StatefulSet', name);
    expect(podSpec(statefulSet).volumes[0]).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'db-data', readOnly: false } });
    expect(container(statefulSet, name).volumeMounts[0].name).toBe('data');
  });

  test('fails when storage comes with storageSize', () => {
    const chart = testChart();
    const volume = kplus.Volume.fromEmptyDir(chart, 'Scratch', 'data');
    expect(() => create(chart, { storage: volume, storageSize: Size.gibibytes(5) })).toThrow(
      `${kind} 'test/${kind}': storage is invalid together with storageSize or storageClassName: they describe the PersistentVolumeClaim that storage replaces; give either storage or the other two`,
    );
  });

  test('fails when the size is not a whole number of gibibytes', () => {
    const chart = testChart();
    expect(() => create(chart, { storageSize: Size.mebibytes(1536) })).toThrow(
      `${kind} 'test/${kind}': storageSize '1536Mi' is invalid: must be a whole number of gibibytes, at least 1Gi; e.g. Size.gibibytes(10)`,
    );
  });

  test('fails on a storageClassName that is not a StorageClass name', () => {
    const chart = testChart();
    expect(() => create(chart, { storageClassName: 'Fast SSD' })).toThrow(
      `${kind} 'test/${kind}': storageClassName 'Fast SSD' is invalid: must be the name of a StorageClass: 1-253 lowercase letters, digits, '-' or '.', `
      + "starting and ending with a letter or digit; give a name that 'kubectl get storageclass' lists, or leave it out for the cluster's default",
    );
  });

  test('jobResources sets the setup Jobs\' memory; cpu left out keeps its default', () => {
    // GIVEN
    const chart = testChart();
    // WHEN
    create(chart, { databases: ['mlflow'], jobResources: { memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) } } });
    // THEN
    expect(container(objectNamed(synthValid(chart), 'Job', 'mlflow-setup'), 'setup').resources)
      .toEqual({ requests: { cpu: '10m', memory: '128Mi' }, limits: { memory: '256Mi' } });
  });

  test('two synths are byte-identical', () => {
    const synth = () => {
      const chart = testChart('data');
      const server = create(chart, { databases: ['mlflow'] });
      const { deployment, main } = workload(chart, 'Mlflow');
      server.addDatabase('airflow').bind(deployment, main);
      return JSON.stringify(Testing.synth(chart));
    };
    expect(synth()).toBe(synth());
  });
});

describe.each(SERVERS)('$kind databases', ({ kind, name, port, setupDatabaseName, create }) => {
  test('passwordRevision: a new revision makes a new setup Job, which sets the password from the Secret again', () => {
    // GIVEN
    const setupJob = (passwordRevision?: string) => {
      const chart = testChart('data');
      const secret = kplus.Secret.fromSecretName(chart, 'Password', 'kfp-db');
      create(chart).addDatabase('kfp', { password: SecretSource.fromSecret(secret), passwordRevision });
      return objectNamed(synthValid(chart, [{ kind: 'Secret', name: 'kfp-db', keys: ['password'] }]), 'Job', 'kfp-setup');
    };
    // WHEN
    const [none, first, again, second] = [setupJob(), setupJob('1'), setupJob('1'), setupJob('2026-11-23')];
    // THEN
    expect(first.spec.template.metadata.annotations).toEqual({ 'mlops.cdk8s.io/password-revision': '1' });
    expect(none.spec.template.metadata.annotations).toBeUndefined();
    expect(again.metadata.name).toBe(first.metadata.name);
    expect(new Set([none, first, second].map((job) => job.metadata.name)).size).toBe(3);
  });

  test('fails on a passwordRevision that is not a short label', () => {
    const chart = testChart();
    expect(() => create(chart).addDatabase('kfp', { passwordRevision: 'next week' })).toThrow(
      `${kind} 'test/${kind}': database 'kfp' passwordRevision 'next week' is invalid: use up to 63 letters, digits, '.', '_' or '-', `
      + "starting with a letter or digit, e.g. '2' or '2026-11-23'");
  });

  test('a headless governing Service gives the pod a stable DNS name; clients use the ClusterIP Service', () => {
    const chart = testChart('data');
    create(chart);
    const manifests = synthValid(chart);
    const statefulSet = objectNamed(manifests, 'StatefulSet', name);
    const headless = objectNamed(manifests, 'Service', `${name}-headless`);
    const client = objectNamed(manifests, 'Service', `${name}-service`);
    expect(statefulSet.spec.serviceName).toBe(headless.metadata.name);
    expect(headless.spec).toMatchObject({ clusterIP: 'None', ports: [{ name, port, targetPort: port }], selector: client.spec.selector });
    expect(headless.metadata.labels['app.kubernetes.io/component']).toBe('database-headless');
    expect(client.spec.clusterIP).toBeUndefined();
    expect(statefulSet.spec.template.metadata.labels).toMatchObject(client.spec.selector);
  });

  test('the setup Job reaches the server through a NetworkPolicy, like any client', () => {
    // GIVEN
    const chart = testChart('data');
    const server = create(chart);
    // WHEN
    server.addDatabase('mlflow');
    // THEN
    const manifests = synthValid(chart);
    const job = objectNamed(manifests, 'Job', 'mlflow-setup');
    const policy = objectNamed(manifests, 'NetworkPolicy', 'mlflow-setup');
    expect(policy.spec.podSelector.matchLabels).toEqual(objectNamed(manifests, 'Service', `${name}-service`).spec.selector);
    expect(policy.spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } },
        podSelector: { matchLabels: { 'cdk8s.io/metadata.addr': job.spec.template.metadata.labels['cdk8s.io/metadata.addr'] } },
      }],
      ports: [{ port, protocol: 'TCP' }],
    }]);
  });

  test('adding a database later yields a new Job and keeps the existing one', () => {
    // GIVEN
    const chart = testChart();
    const server = create(chart, { databases: ['mlflow'] });
    const before = setupJobNames(chart);
    // WHEN
    server.addDatabase('airflow');
    // THEN
    const after = setupJobNames(chart);
    expect(after).toHaveLength(2);
    expect(after).toEqual(expect.arrayContaining(before));
  });

  test("changing a database's Job changes its name and only its name", () => {
    const names = (password?: SecretSource) => {
      const chart = testChart();
      const server = create(chart, { databases: ['airflow'] });
      server.addDatabase('mlflow', { password });
      return setupJobNames(chart);
    };
    const [airflowA, mlflowA] = names();
    const [airflowB, mlflowB] = names(SecretSource.fromSecret(kplus.Secret.fromSecretName(testChart(), 'S', 'mlflow-db')));
    expect(airflowB).toBe(airflowA);
    expect(mlflowB).not.toBe(mlflowA);
    expect(mlflowB).toMatch(new RegExp(`^test-${name}-database-mlflow-setup-[0-9a-f]{10}$`));
  });

  test("'_' in a name becomes '-' in object names", () => {
    const chart = testChart();
    create(chart, { databases: ['kfp_cache'] });
    const manifests = synthValid(chart);
    expect(setupDatabaseName(container(objectNamed(manifests, 'Job', 'database-kfp-cache-setup'), 'setup'))).toBe('kfp_cache');
    expect(generatedSecretSpec(manifests, 'database-kfp-cache-credentials').values).toEqual({ username: 'kfp_cache' });
  });

  test('fails on a database added twice', () => {
    const server = create(testChart(), { databases: ['mlflow'] });
    expect(() => server.addDatabase('mlflow')).toThrow(
      `${kind} 'test/${kind}': database name 'mlflow' is invalid: it was added already; use the IDatabase the first addDatabase('mlflow') returned, or database('mlflow')`,
    );
  });

  test('fails on a user that owns another database', () => {
    const server = create(testChart(), { databases: ['mlflow'] });
    expect(() => server.addDatabase('mlflow_auth', { user: 'mlflow' })).toThrow(
      `${kind} 'test/${kind}': user 'mlflow' is invalid: it already owns database 'mlflow', and each setup Job sets its user's password; give each database its own user`,
    );
  });

  test('fails to look up a database that was not added, naming those that were', () => {
    const server = create(testChart(), { databases: ['mlflow', 'airflow'] });
    expect(() => server.database('kfp')).toThrow(
      `${kind} 'test/${kind}': database 'kfp' is invalid: there is no such database (the databases are 'mlflow', 'airflow'); add it with addDatabase('kfp') first`,
    );
    expect(() => create(testChart()).database('kfp')).toThrow(
      `${kind} 'test/${kind}': database 'kfp' is invalid: there is no such database (no database was added); add it with addDatabase('kfp') first`,
    );
  });

  test('a workload bound to two databases of one server gets one NetworkPolicy', () => {
    const chart = testChart();
    const server = create(chart, { databases: ['mlflow', 'mlflow_auth'] });
    const { deployment, main } = workload(chart, 'Mlflow');
    server.database('mlflow').bind(deployment, main);
    server.database('mlflow_auth').bind(deployment, main, { envPrefix: 'AUTH_DB' });
    const policies = objectsOfKind(synthValid(chart), 'NetworkPolicy').filter((p) => p.metadata.name.includes('allowfrom-test-mlflow'));
    expect(policies.map((p) => p.metadata.name)).toEqual([expect.stringMatching(/-allowfrom-test-mlflow-[0-9a-f]{8}$/)]);
    expect(Object.keys(envOf(container(objectNamed(Testing.synth(chart), 'Deployment', 'mlflow'), 'main'))))
      .toEqual(['DB_USER', 'DB_PASSWORD', 'AUTH_DB_USER', 'AUTH_DB_PASSWORD']);
  });
});

describe.each(SERVERS)('$kind metrics', ({ name, exporterPort, create }) => {
  test('allowScrapeFrom admits the scraper to the exporter only; without metrics there is nothing to scrape', () => {
    // GIVEN
    const chart = testChart('data');
    const server = create(chart, { metrics: true });
    const plain = create(chart, {}, 'Plain');
    const scraper = kplus.Pods.select(chart, 'Prometheus', { labels: { 'app.kubernetes.io/name': 'prometheus' } });
    // WHEN
    server.allowScrapeFrom(scraper);
    plain.allowScrapeFrom(scraper);
    // THEN
    const manifests = synthValid(chart);
    expect(objectNamed(manifests, 'NetworkPolicy', `${name}-allowfrom-test-prometheus`).spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
      ports: [{ port: exporterPort, protocol: 'TCP' }],
    }]);
    expect(plain.scrapeTargets).toEqual([]);
    expect(podSpec(objectNamed(manifests, 'StatefulSet', 'plain')).containers.map((c: any) => c.name)).toEqual([name]);
    expect(objectsOfKind(manifests, 'NetworkPolicy').filter((p) => p.metadata.name.includes('plain'))).toEqual([]);
  });
});

describe('SqlServer', () => {
  test('Postgres and Mysql are SqlServers; the external database behind fromDatabaseAttributes() is not exported', () => {
    const chart = testChart();
    expect(new Postgres(chart, 'Postgres')).toBeInstanceOf(SqlServer);
    expect(new Mysql(chart, 'Mysql')).toBeInstanceOf(SqlServer);
    expect(Object.keys(data)).not.toContain('ExternalDatabase');
    expect(Object.keys(data)).not.toContain('ExternalRedis');
  });
});
