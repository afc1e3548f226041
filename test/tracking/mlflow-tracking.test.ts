import { spawnSync } from 'node:child_process';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { argValue, notebook, platform, server } from './fixtures';
import { Credentials, DefaultImages, ScrapeDiscovery } from '../../src';
import { Mysql } from '../../src/data';
import { MinioWithBuckets } from '../../src/storage';
import { MlflowTracking, MlflowTrackingProps } from '../../src/tracking';
import { HAS_PYTHON } from '../fake-kubernetes-api';
import { SPECIAL_PASSWORD } from '../real-servers';
import { container, envOf, expandEnvLikeKubelet, launchedCommand, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

describe('MlflowTracking server', () => {
  test('the default passes the validation harness', () => {
    // GIVEN
    const { chart, props } = platform();
    // WHEN
    new MlflowTracking(chart, 'Mlflow', props);
    // THEN
    const manifests = synthValid(chart);
    expect(manifests.filter((m) => m.metadata.name.startsWith('test-mlflow'))).toMatchSnapshot();
  });

  test('runs `mlflow server` on 0.0.0.0:5000 with proxied artifacts, Prometheus metrics and the pinned -full image', () => {
    // GIVEN
    const { chart, props } = platform();
    // WHEN
    new MlflowTracking(chart, 'Mlflow', { ...props, artifactsPrefix: '/runs/' });
    // THEN
    const mlflow = container(server(synthValid(chart)), 'mlflow');
    expect(mlflow.image).toBe(DefaultImages.MLFLOW);
    expect(launchedCommand(mlflow, 'MLFLOW_BACKEND_STORE_URI')).toEqual(['mlflow']);
    const args: string[] = mlflow.args;
    expect(args.slice(0, 11)).toEqual([
      'server', '--host', '0.0.0.0', '--port', '5000', '--workers', '2',
      '--serve-artifacts', '--artifacts-destination', 's3://mlflow-artifacts/runs', '--allowed-hosts',
    ]);
    expect(args.slice(12)).toEqual(['--expose-prometheus', '/var/lib/mlflow/metrics']);
    expect(args).not.toContain('--backend-store-uri');
    expect(mlflow.ports).toEqual([{ name: 'http', containerPort: 5000 }]);
    expect(mlflow.volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'tmp' },
      { mountPath: '/var/lib/mlflow/metrics', name: 'metrics' },
    ]);
  });

  test('--allowed-hosts lists every Service name with and without :5000, localhost, pod IP ranges and the extra hosts; CORS follows the extra hosts', () => {
    // GIVEN
    const { chart, props } = platform();
    // WHEN
    const mlflow = new MlflowTracking(chart, 'Mlflow', { ...props, allowedHosts: ['mlflow.example.com'] });
    // THEN
    const args: string[] = container(server(synthValid(chart)), 'mlflow').args;
    const hosts = argValue(args, '--allowed-hosts')!.split(',');
    const svc = mlflow.service.name;
    expect(hosts).toEqual(expect.arrayContaining([
      svc, `${svc}:5000`,
      `${svc}.mlops`, `${svc}.mlops:5000`,
      `${svc}.mlops.svc`, `${svc}.mlops.svc:5000`,
      `${svc}.mlops.svc.cluster.local`, `${svc}.mlops.svc.cluster.local:5000`,
      'localhost', 'localhost:*', '127.0.0.1', '10.*', '172.16.*', '172.31.*', '192.168.*',
      'mlflow.example.com',
    ]));
    expect(hosts).not.toContain('*');
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(argValue(args, '--cors-allowed-origins')).toBe('http://mlflow.example.com,https://mlflow.example.com');
  });

  test('without a namespace only the short Service name is listed, and a custom cluster domain is honoured', () => {
    // GIVEN
    const { chart, props } = platform(null);
    const other = platform();
    // WHEN
    const mlflow = new MlflowTracking(chart, 'Mlflow', props);
    const local = new MlflowTracking(other.chart, 'Mlflow', { ...other.props, clusterDomain: 'k8s.internal' });
    // THEN
    const hosts = argValue(container(server(synthValid(chart)), 'mlflow').args, '--allowed-hosts')!.split(',');
    expect(hosts.filter((h) => h.startsWith(mlflow.service.name))).toEqual([mlflow.service.name, `${mlflow.service.name}:5000`]);
    expect(argValue(container(server(synthValid(chart)), 'mlflow').args, '--cors-allowed-origins')).toBeUndefined();
    const otherHosts = argValue(container(server(synthValid(other.chart)), 'mlflow').args, '--allowed-hosts')!.split(',');
    expect(otherHosts).toContain(`${local.service.name}.mlops.svc.k8s.internal:5000`);
  });

  test('gets the backend store URI and the bucket credentials only from Secrets, expanded by the kubelet', () => {
    // GIVEN
    const { chart, props, postgres } = platform();
    // WHEN
    new MlflowTracking(chart, 'Mlflow', props);
    // THEN
    const manifests = synthValid(chart);
    const mlflow = container(server(manifests), 'mlflow');
    expect(mlflow.env.map((e: any) => e.name)).toEqual([
      'HOME', 'DB_USER', 'DB_PASSWORD', 'MLFLOW_BACKEND_STORE_URI_CMD',
      'MLFLOW_S3_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION',
    ]);
    const dbSecret = objectNamed(manifests, 'Secret', 'postgres-database-mlflow-credentials').metadata.name;
    const userSecret = objectNamed(manifests, 'Secret', 'minio-user-test-mlflow').metadata.name;
    expect(expandEnvLikeKubelet(mlflow)).toEqual({
      HOME: '/tmp',
      DB_USER: `<secret:${dbSecret}/username>`,
      DB_PASSWORD: `<secret:${dbSecret}/password>`,
      MLFLOW_BACKEND_STORE_URI_CMD: expect.stringContaining(`print("postgresql://" + q("DB_USER") + ":" + q("DB_PASSWORD") + "@${postgres.endpoint.hostPort}/mlflow")`),
      MLFLOW_S3_ENDPOINT_URL: `http://${objectNamed(manifests, 'Service', 'minio-service').metadata.name}.mlops.svc:9000`,
      AWS_ACCESS_KEY_ID: `<secret:${userSecret}/username>`,
      AWS_SECRET_ACCESS_KEY: `<secret:${userSecret}/password>`,
      AWS_DEFAULT_REGION: 'us-east-1',
    });
  });

  test('no password or secret value appears in any manifest, argument or literal env value', () => {
    // GIVEN
    const { chart, props, postgres } = platform();
    // WHEN
    new MlflowTracking(chart, 'Mlflow', {
      ...props,
      basicAuth: { database: postgres.database('mlflow_auth') },
      gc: {},
    });
    // THEN
    const manifests = synthValid(chart);
    for (const secret of objectsOfKind(manifests, 'Secret')) {
      expect(secret.data).toBeUndefined();
      expect(secret.stringData).toBeUndefined();
    }
    expect(objectsOfKind(manifests, 'ConfigMap')).toEqual([]);
    const text = JSON.stringify(manifests);
    expect(text).not.toMatch(/:\/\/[^$"@/\s]+:[^$"@\s]+@/); // user:password@ only as $(VAR) references
    for (const workload of manifests.filter((m) => ['Deployment', 'Job', 'CronJob'].includes(m.kind))) {
      const spec = podSpec(workload);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        for (const entry of c.env ?? []) {
          if (/(PASSWORD|SECRET_KEY|SECRET_ACCESS_KEY)$/.test(entry.name)) {
            expect({ name: entry.name, secretKeyRef: entry.valueFrom?.secretKeyRef !== undefined }).toEqual({ name: entry.name, secretKeyRef: true });
          }
        }
      }
    }
  });

  test('takes a MySQL backend store through PyMySQL', () => {
    // GIVEN
    const chart = testChart('mlops');
    const mysql = new Mysql(chart, 'Mysql', { databases: ['mlflow'] });
    const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['mlflow-artifacts'] });
    // WHEN
    new MlflowTracking(chart, 'Mlflow', { database: mysql.database('mlflow'), artifacts: minio.bucket('mlflow-artifacts') });
    // THEN
    const command = envOf(container(server(synthValid(chart)), 'mlflow')).MLFLOW_BACKEND_STORE_URI_CMD.value;
    expect(command).toMatch(/print\("mysql\+pymysql:\/\/" \+ q\("DB_USER"\) \+ ":" \+ q\("DB_PASSWORD"\) \+ "@test-mysql-service-[a-z0-9]+\.mlops\.svc:3306\/mlflow"\)/);
  });

  test('migrates the schema with a hash-named `mlflow db upgrade` Job that waits for the database; the server waits for the schema', () => {
    // GIVEN
    const { chart, props } = platform();
    // WHEN
    const mlflow = new MlflowTracking(chart, 'Mlflow', props);
    // THEN
    const manifests = synthValid(chart);
    const job = objectNamed(manifests, 'Job', 'test-mlflow-upgrade-');
    expect(job.metadata.name).toMatch(/^test-mlflow-upgrade-[0-9a-f]{10}$/);
    const upgrade = container(job, 'upgrade');
    expect(upgrade.image).toBe(DefaultImages.MLFLOW);
    const [python, flag, script] = launchedCommand(upgrade, 'MLFLOW_BACKEND_STORE_URI');
    expect([python, flag]).toEqual(['python', '-c']);
    expect(script).toContain('engine.connect().close()');
    expect(script).toContain('for attempt in range(1, 61):');
    expect(script).toMatch(/os\.execvp\("mlflow", \["mlflow", "db", "upgrade", uri\]\)$/);
    expect(Object.keys(envOf(upgrade))).toEqual(['HOME', 'DB_USER', 'DB_PASSWORD', 'MLFLOW_BACKEND_STORE_URI_CMD']);
    expect(podSpec(job).automountServiceAccountToken).toBe(false);
    expect(mlflow.upgradeJob.containers[0].name).toBe('upgrade');

    const waitForSchema = podSpec(server(manifests)).initContainers[0];
    expect(waitForSchema.name).toBe('wait-for-schema');
    const [, , waitScript] = launchedCommand(waitForSchema, 'MLFLOW_BACKEND_STORE_URI');
    expect(waitScript).toContain('ScriptDirectory(migrations).get_current_head()');
    expect(waitScript).toContain("waiting for %s from the 'mlflow db upgrade' Job");
    expect(envOf(waitForSchema).MLFLOW_BACKEND_STORE_URI_CMD).toEqual(envOf(upgrade).MLFLOW_BACKEND_STORE_URI_CMD);

    const toPostgres = objectsOfKind(manifests, 'NetworkPolicy').filter((p) => p.spec.ingress[0].ports[0].port === 5432);
    const consumers = toPostgres.map((p) => p.spec.ingress[0].from[0].podSelector.matchLabels['cdk8s.io/metadata.addr']);
    expect(consumers).toEqual(expect.arrayContaining([
      job.spec.template.metadata.labels['cdk8s.io/metadata.addr'],
      server(manifests).spec.template.metadata.labels['cdk8s.io/metadata.addr'],
    ]));
  });

  test('a new image runs a new migration Job', () => {
    // GIVEN
    const first = platform();
    const second = platform();
    // WHEN
    new MlflowTracking(first.chart, 'Mlflow', first.props);
    new MlflowTracking(second.chart, 'Mlflow', { ...second.props, image: 'ghcr.io/mlflow/mlflow:v3.18.0-full' });
    // THEN
    const name = (chart: Chart) => objectNamed(Testing.synth(chart), 'Job', 'test-mlflow-upgrade-').metadata.name;
    expect(name(first.chart)).not.toBe(name(second.chart));
  });

  test('probes /health, under the static prefix when there is one', () => {
    // GIVEN
    const { chart, props } = platform();
    // WHEN
    const mlflow = new MlflowTracking(chart, 'Mlflow', { ...props, staticPrefix: '/mlflow' });
    // THEN
    const c = container(server(synthValid(chart)), 'mlflow');
    expect(argValue(c.args, '--static-prefix')).toBe('/mlflow');
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/mlflow/health', port: 5000, scheme: 'HTTP' }, failureThreshold: 3, periodSeconds: 10, timeoutSeconds: 5 });
    expect(c.livenessProbe.failureThreshold).toBe(6);
    expect(c.startupProbe.failureThreshold).toBe(30);
    expect(mlflow.trackingUri).toBe(`http://${mlflow.service.name}.mlops.svc:5000/mlflow`);
  });

  test('runs every container as uid 65534 with a read-only root filesystem and HOME=/tmp', () => {
    // GIVEN
    const { chart, props } = platform();
    // WHEN
    new MlflowTracking(chart, 'Mlflow', props);
    // THEN
    const deployment = server(synthValid(chart));
    expect(podSpec(deployment).securityContext).toMatchObject({ runAsUser: 65534, runAsGroup: 65534, runAsNonRoot: true });
    expect(podSpec(deployment).automountServiceAccountToken).toBe(false);
    for (const c of [...podSpec(deployment).initContainers, ...podSpec(deployment).containers]) {
      expect(c.securityContext).toMatchObject({ runAsUser: 65534, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(envOf(c).HOME).toEqual({ value: '/tmp' });
    }
    expect(container(deployment, 'mlflow').resources).toEqual({ requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '2048Mi' } });
  });
});

describe('MlflowTracking consumers', () => {
  test('bind sets MLFLOW_TRACKING_URI (and the user with credentials) and lets the consumer through', () => {
    // GIVEN
    const { chart, props } = platform();
    const mlflow = new MlflowTracking(chart, 'Mlflow', props);
    const consumer = notebook(chart);
    const user = kplus.Secret.fromSecretName(chart, 'User', 'alice');
    // WHEN
    mlflow.bind(consumer, consumer.containers[0], { credentials: Credentials.fromSecret(user) });
    // THEN
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'alice', keys: ['username', 'password'] }]);
    const c = container(objectNamed(manifests, 'Deployment', 'notebook'), 'notebook');
    expect(envOf(c)).toEqual({
      MLFLOW_TRACKING_URI: { value: `http://${mlflow.service.name}.mlops.svc:5000` },
      MLFLOW_TRACKING_USERNAME: { valueFrom: { secretKeyRef: { name: 'alice', key: 'username' } } },
      MLFLOW_TRACKING_PASSWORD: { valueFrom: { secretKeyRef: { name: 'alice', key: 'password' } } },
    });
    const policy = objectNamed(manifests, 'NetworkPolicy', 'mlflow-allowfrom-test-notebook');
    expect(policy.spec.podSelector.matchLabels).toEqual(server(manifests).spec.selector.matchLabels);
    expect(policy.spec.ingress[0].ports).toEqual([{ port: 5000, protocol: 'TCP' }]);
  });

  test('exposes /metrics on the Service as a scrape target and lets the scraper through', () => {
    // GIVEN
    const { chart, props } = platform();
    const mlflow = new MlflowTracking(chart, 'Mlflow', props);
    const prometheus = kplus.Pods.select(chart, 'Prometheus', { labels: { app: 'prometheus' } });
    // WHEN
    mlflow.allowScrapeFrom(prometheus);
    // THEN
    const manifests = synthValid(chart);
    const service = objectNamed(manifests, 'Service', 'mlflow-service');
    expect(mlflow.scrapeTargets).toEqual([{
      name: 'mlflow',
      discovery: ScrapeDiscovery.SERVICE,
      namespace: 'mlops',
      selector: {
        'app.kubernetes.io/name': 'mlflow',
        'app.kubernetes.io/instance': service.metadata.labels['app.kubernetes.io/instance'],
        'app.kubernetes.io/component': 'tracking',
      },
      endpoints: [{ port: 'http', path: '/metrics' }],
    }]);
    expect(service.metadata.labels).toMatchObject(mlflow.scrapeTargets[0].selector);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 5000, targetPort: 5000 }]);
    const policy = objectNamed(manifests, 'NetworkPolicy', 'allowfrom-test-prometheus');
    expect(policy.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({ app: 'prometheus' });
  });
});

describe('MlflowTracking bad input', () => {
  test.each([
    [{ staticPrefix: 'mlflow' }, "staticPrefix 'mlflow' is invalid: must start with '/', not end with '/' and hold no spaces (MLflow's --static-prefix rule), e.g. '/mlflow'"],
    [{ staticPrefix: '/mlflow/' }, "staticPrefix '/mlflow/' is invalid: must start with '/', not end with '/' and hold no spaces (MLflow's --static-prefix rule), e.g. '/mlflow'"],
    [{ allowedHosts: ['https://mlflow.example.com'] }, "allowedHosts entry 'https://mlflow.example.com' is invalid: give a host name as clients send it in the Host header (optionally with ':port' or '*' wildcards), without scheme or path, e.g. 'mlflow.example.com'"],
    [{ corsAllowedOrigins: ['mlflow.example.com'] }, "corsAllowedOrigins entry 'mlflow.example.com' is invalid: give an origin, 'http://' or 'https://' and a host without path, e.g. 'https://mlflow.example.com'"],
    [{ workers: 0 }, "workers '0' is invalid: must be a whole number from 1 to 64"],
    [{ replicas: 1.5 }, "replicas '1.5' is invalid: must be a whole number from 1 to 100"],
    [{ gc: { olderThan: '30 days' } }, "gc.olderThan '30 days' is invalid: use MLflow's #d#h#m#s form, e.g. '30d' or '12h30m'"],
  ])('%j', (extra, message) => {
    // GIVEN
    const { chart, props } = platform();
    // THEN
    expect(() => new MlflowTracking(chart, 'Mlflow', { ...props, ...extra as Partial<MlflowTrackingProps> })).toThrow(`MlflowTracking 'test/Mlflow': ${message}`);
  });

  test('the auth app cannot share the tracking database', () => {
    // GIVEN
    const { chart, props } = platform();
    // THEN
    expect(() => new MlflowTracking(chart, 'Mlflow', { ...props, basicAuth: { database: props.database } })).toThrow(
      "MlflowTracking 'test/Mlflow': basicAuth.database is invalid: it is the tracking database, and the auth app keeps its own Alembic history; give it a database of its own, e.g. postgres.addDatabase('mlflow_auth')");
  });

  test('a container is bound once', () => {
    // GIVEN
    const { chart, props } = platform();
    const mlflow = new MlflowTracking(chart, 'Mlflow', props);
    const consumer = notebook(chart);
    mlflow.bind(consumer, consumer.containers[0]);
    // THEN
    expect(() => mlflow.bind(consumer, consumer.containers[0])).toThrow(
      "MlflowTracking 'test/Mlflow': env var 'MLFLOW_TRACKING_URI' is invalid: container 'notebook' already has it; bind each container once, or give another uriEnv");
  });
});

describe('MlflowTracking backend store URI', () => {
  (HAS_PYTHON ? test : test.skip)('any password works: the launcher builds the URI in the pod, percent-encoded, and puts it into $(...) arguments', () => {
    // GIVEN the gc CronJob's container, whose arguments name the URI
    const { chart, props } = platform();
    new MlflowTracking(chart, 'Mlflow', { ...props, gc: {} });
    const gc = container(objectNamed(Testing.synth(chart), 'CronJob', 'mlflow-gc'), 'gc');
    const [python, flag, launcher, name] = gc.command;
    // WHEN the launcher runs a program that shows what it got, with a password of every special character
    const shown = spawnSync(python === 'python' ? 'python3' : python, [flag, launcher, name, 'python3', '-c',
      'import os, sys; print(os.environ["MLFLOW_BACKEND_STORE_URI"]); print(sys.argv[1:])', ...gc.args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', DB_USER: 'mlflow', DB_PASSWORD: SPECIAL_PASSWORD, MLFLOW_BACKEND_STORE_URI_CMD: envOf(gc).MLFLOW_BACKEND_STORE_URI_CMD.value },
    });
    // THEN the URI carries the password percent-encoded, in the env and in place of $(MLFLOW_BACKEND_STORE_URI)
    const [uri, argv] = shown.stdout.trim().split('\n');
    const parsed = spawnSync('python3', ['-c', 'import sys, urllib.parse as p; u = p.urlsplit(sys.argv[1]); print(u.scheme); print(p.unquote(u.password))', uri],
      { encoding: 'utf8' }).stdout.split('\n');
    expect(parsed.slice(0, 2)).toEqual(['postgresql', SPECIAL_PASSWORD]);
    expect(argv).toContain(`'--backend-store-uri', '${uri}'`);
  });
});
