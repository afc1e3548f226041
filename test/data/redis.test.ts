import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { addRestrictedContainer, workload } from './fixtures';
import { Credentials } from '../../src/core/credentials';
import { DefaultImages } from '../../src/core/images';
import { ScrapeDiscovery } from '../../src/core/scrape-target';
import { SecretSource } from '../../src/core/secret-source';
import { Redis } from '../../src/data/redis';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

function redisContainer(manifests: any[]): any {
  return container(objectNamed(manifests, 'StatefulSet', 'redis'), 'redis');
}

describe('Redis', () => {
  test('runs one restricted redis 7.2 pod as uid 999 in a StatefulSet behind a Service on port 6379 named redis', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const redis = new Redis(chart, 'Redis');
    // THEN
    const manifests = synthValid(chart);
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'redis');
    expect(statefulSet.spec.replicas).toBe(1);
    const spec = podSpec(statefulSet);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
    const redisC = container(statefulSet, 'redis');
    expect(redisC.image).toBe(DefaultImages.REDIS);
    expect(redisC.securityContext).toMatchObject({ runAsUser: 999, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(redisC.ports).toEqual([{ containerPort: 6379, name: 'redis' }]);
    expect(redisC.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } });

    const service = objectNamed(manifests, 'Service', 'redis-service');
    expect(service.spec.ports).toEqual([{ name: 'redis', port: 6379, targetPort: 6379 }]);
    expect(service.spec.selector).toEqual(statefulSet.spec.selector.matchLabels);
    expect(statefulSet.spec.serviceName).toBe(objectNamed(manifests, 'Service', 'redis-headless').metadata.name);
    expect(redis.service.name).toBe(service.metadata.name);
    expect(redis.statefulSet.name).toBe(statefulSet.metadata.name);
    expect(redis.endpoint.url()).toBe(`redis://${service.metadata.name}.data.svc:6379`);
  });

  test('the password reaches redis-server on stdin, never in the manifests or its arguments', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const redis = new Redis(chart, 'Redis');
    // THEN
    const manifests = synthValid(chart);
    const secret = objectNamed(manifests, 'Secret', 'redis-password');
    expect(secret.data).toBeUndefined();
    expect(secret.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBe('password');
    expect(redis.credentials.secret.name).toBe(secret.metadata.name);

    const redisC = redisContainer(manifests);
    expect(redisC.env).toEqual([
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'password' } } },
      { name: 'REDISCLI_AUTH', value: '$(REDIS_PASSWORD)' },
    ]);
    expect(redisC.command).toEqual(['sh', '-c', [
      'set -eu',
      'umask 0077',
      'if [ -z "$REDIS_PASSWORD" ]; then',
      "  echo 'REDIS_PASSWORD is empty: refusing to start Redis without a password' >&2",
      '  exit 1',
      'fi',
      "password=$(printf '%s' \"$REDIS_PASSWORD\" | od -An -v -tx1 | tr -d ' \\n' | sed 's/../\\\\x&/g')",
      'exec redis-server - "$@" <<EOF',
      'requirepass "$password"',
      'EOF',
    ].join('\n'), 'redis-server']);
    expect(redisC.args.join(' ')).not.toContain('REDIS_PASSWORD');
  });

  test('without persistence it is a cache: data in an emptyDir, no AOF, no RDB snapshots', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const redis = new Redis(chart, 'Redis');
    // THEN
    const manifests = synthValid(chart);
    expect(redis.claim).toBeUndefined();
    expect(objectsOfKind(manifests, 'PersistentVolumeClaim')).toEqual([]);
    const redisC = redisContainer(manifests);
    expect(redisC.args).toEqual(['--port', '6379', '--dir', '/data', '--appendonly', 'no', '--save', '']);
    expect(redisC.volumeMounts).toEqual([{ mountPath: '/data', name: 'data' }]);
    expect(podSpec(objectNamed(manifests, 'StatefulSet', 'redis')).volumes).toEqual([{ name: 'data', emptyDir: {} }]);
  });

  test('with persistence it appends to a file on a claim of the given size and class', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const redis = new Redis(chart, 'Redis', { persistence: true, storageSize: Size.gibibytes(5), storageClassName: 'fast' });
    // THEN
    const manifests = synthValid(chart);
    const [pvc] = objectsOfKind(manifests, 'PersistentVolumeClaim');
    expect(pvc.metadata.name).toBe(redis.claim!.name);
    expect(pvc.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } });
    const redisC = redisContainer(manifests);
    expect(redisC.args).toEqual(['--port', '6379', '--dir', '/data', '--appendonly', 'yes']);
    expect(redisC.volumeMounts).toEqual([{ mountPath: '/data', name: 'data' }]);
    expect(podSpec(objectNamed(manifests, 'StatefulSet', 'redis')).volumes)
      .toEqual([{ name: 'data', persistentVolumeClaim: { claimName: pvc.metadata.name, readOnly: false } }]);
  });

  test('persistence defaults to a 1Gi claim of the default class', () => {
    const chart = testChart('data');
    new Redis(chart, 'Redis', { persistence: true });
    const [pvc] = objectsOfKind(synthValid(chart), 'PersistentVolumeClaim');
    expect(pvc.spec.resources.requests.storage).toBe('1Gi');
    expect(pvc.spec.storageClassName).toBeUndefined();
  });

  test('probes ping with the password from REDISCLI_AUTH and check the reply', () => {
    const chart = testChart('data');
    new Redis(chart, 'Redis');
    const redisC = redisContainer(synthValid(chart));
    expect(redisC.readinessProbe.exec.command).toEqual(['sh', '-c', 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -qx PONG']);
    expect(redisC.livenessProbe.exec.command).toEqual(['sh', '-c', "redis-cli -h 127.0.0.1 -p 6379 ping | grep -qE '^(PONG|LOADING)'"]);
    expect(redisC.livenessProbe).toMatchObject({ initialDelaySeconds: 10, periodSeconds: 15, failureThreshold: 4 });
  });

  test('reads the password from an existing Secret and generates nothing', () => {
    // GIVEN
    const chart = testChart('data');
    const secret = kplus.Secret.fromSecretName(chart, 'Auth', 'redis-auth');
    // WHEN
    new Redis(chart, 'Redis', { password: SecretSource.fromSecret(secret, { keys: { password: 'redis-password' } }) });
    // THEN
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'redis-auth', keys: ['redis-password'] }]);
    expect(objectsOfKind(manifests, 'Secret')).toEqual([]);
    expect(objectsOfKind(manifests, 'Job')).toEqual([]);
    expect(envOf(redisContainer(manifests)).REDIS_PASSWORD).toEqual({
      valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'redis-password' } },
    });
  });

  test('takes the image and resources it is given', () => {
    const chart = testChart('data');
    new Redis(chart, 'Redis', {
      image: 'registry.example.com:5000/redis:7.2.10',
      resources: { cpu: { request: kplus.Cpu.millis(200) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) } },
    });
    const manifests = synthValid(chart);
    const redisC = redisContainer(manifests);
    expect(redisC.image).toBe('registry.example.com:5000/redis:7.2.10');
    expect(objectNamed(manifests, 'StatefulSet', 'redis').metadata.labels['app.kubernetes.io/version']).toBe('7.2.10');
    expect(redisC.resources).toEqual({ requests: { cpu: '200m', memory: '1024Mi' }, limits: { memory: '2048Mi' } });
  });

  test('keeps the default cpu when only memory is given', () => {
    const chart = testChart('data');
    new Redis(chart, 'Redis', { resources: { memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) } } });
    expect(redisContainer(synthValid(chart)).resources).toEqual({ requests: { cpu: '50m', memory: '1024Mi' }, limits: { memory: '1024Mi' } });
  });

  test('synthesizes byte-identical output twice', () => {
    const synth = () => {
      const chart = testChart('data');
      const redis = new Redis(chart, 'Redis', { persistence: true });
      const { deployment, main } = workload(chart, 'Worker');
      redis.bind(deployment, main, { urlEnv: 'CELERY_BROKER_URL' });
      return JSON.stringify(Testing.synth(chart));
    };
    expect(synth()).toBe(synth());
  });

  test('default output', () => {
    const chart = testChart('data');
    new Redis(chart, 'Redis');
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('fails when storageSize is given without persistence', () => {
    const chart = testChart('data');
    expect(() => new Redis(chart, 'Redis', { storageSize: Size.gibibytes(5) })).toThrow(
      "Redis 'test/Redis': storageSize and storageClassName are invalid without persistence: "
      + 'they describe the PersistentVolumeClaim that persistence creates; set persistence: true or leave them out');
  });

  test('fails when the size is not a whole number of gibibytes', () => {
    const chart = testChart('data');
    expect(() => new Redis(chart, 'Redis', { persistence: true, storageSize: Size.mebibytes(512) })).toThrow(
      "Redis 'test/Redis': storageSize '512Mi' is invalid: must be a whole number of gibibytes, at least 1Gi; e.g. Size.gibibytes(1)");
  });

  test('fails on an empty storageClassName', () => {
    const chart = testChart('data');
    expect(() => new Redis(chart, 'Redis', { persistence: true, storageClassName: '' })).toThrow(
      "Redis 'test/Redis': storageClassName '' is invalid: must be the name of a StorageClass");
  });
});

describe('Redis.bind', () => {
  test('adds the password, then the URL that refers to it, and lets the workload reach port 6379', () => {
    // GIVEN
    const chart = testChart('data');
    const redis = new Redis(chart, 'Redis');
    const { deployment, main } = workload(chart, 'Worker');
    // WHEN
    const binding = redis.bind(deployment, main, { urlEnv: 'CELERY_BROKER_URL', database: 1 });
    // THEN
    const manifests = synthValid(chart);
    const host = `${redis.service.name}.data.svc`;
    expect(binding).toEqual({ passwordEnv: 'REDIS_PASSWORD', url: `redis://:$(REDIS_PASSWORD)@${host}:6379/1` });
    expect(container(objectNamed(manifests, 'Deployment', 'worker'), 'main').env).toEqual([
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: redis.credentials.secret.name, key: 'password' } } },
      { name: 'CELERY_BROKER_URL', value: `redis://:$(REDIS_PASSWORD)@${host}:6379/1` },
    ]);

    const [policy] = objectsOfKind(manifests, 'NetworkPolicy');
    expect(policy.spec.podSelector.matchLabels).toEqual(objectNamed(manifests, 'StatefulSet', 'redis').spec.selector.matchLabels);
    expect(policy.spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } },
        podSelector: { matchLabels: objectNamed(manifests, 'Deployment', 'worker').spec.selector.matchLabels },
      }],
      ports: [{ port: 6379, protocol: 'TCP' }],
    }]);
  });

  test('by default adds only REDIS_PASSWORD and returns the URL of database 0', () => {
    const chart = testChart('data');
    const redis = new Redis(chart, 'Redis');
    const { deployment, main } = workload(chart, 'Worker');
    const binding = redis.bind(deployment, main);
    expect(binding.url).toBe(`redis://:$(REDIS_PASSWORD)@${redis.service.name}.data.svc:6379/0`);
    expect(Object.keys(main.env.variables)).toEqual(['REDIS_PASSWORD']);
  });

  test('two containers of one workload share one NetworkPolicy; each workload gets its own', () => {
    const chart = testChart('data');
    const redis = new Redis(chart, 'Redis');
    const worker = workload(chart, 'Worker');
    const second = addRestrictedContainer(worker.deployment, 'second');
    const scheduler = workload(chart, 'Scheduler');
    redis.bind(worker.deployment, worker.main);
    redis.bind(worker.deployment, second, { passwordEnv: 'BROKER_PASSWORD' });
    redis.bind(scheduler.deployment, scheduler.main);
    expect(objectsOfKind(synthValid(chart), 'NetworkPolicy')).toHaveLength(2);
    expect(Object.keys(second.env.variables)).toEqual(['BROKER_PASSWORD']);
  });

  test('fails when the database number is out of range', () => {
    const chart = testChart('data');
    const redis = new Redis(chart, 'Redis');
    const { deployment, main } = workload(chart, 'Worker');
    expect(() => redis.bind(deployment, main, { database: 16 })).toThrow(
      "Redis 'test/Redis': bind: database '16' is invalid: must be a whole number from 0 to 15; leave it out for 0");
  });

  test('fails when the container already has the env var', () => {
    const chart = testChart('data');
    const redis = new Redis(chart, 'Redis');
    const { deployment, main } = workload(chart, 'Worker');
    redis.bind(deployment, main);
    expect(() => redis.bind(deployment, main)).toThrow(
      "Redis 'test/Redis': env var 'REDIS_PASSWORD' is invalid: container 'main' already has it (another bind or the container's own env); give another name with passwordEnv");
  });

  test('fails when the URL var has the password var\'s name', () => {
    const chart = testChart('data');
    const redis = new Redis(chart, 'Redis');
    const { deployment, main } = workload(chart, 'Worker');
    expect(() => redis.bind(deployment, main, { urlEnv: 'REDIS_PASSWORD' })).toThrow(
      "Redis 'test/Redis': env var 'REDIS_PASSWORD' is invalid: container 'main' already has it (another bind or the container's own env); give another name with urlEnv");
  });

  test.each(['REDIS-PASSWORD', '1REDIS', 'REDIS PASSWORD', ''])('fails when passwordEnv %j is not an env var name', (passwordEnv) => {
    const chart = testChart('data');
    const redis = new Redis(chart, 'Redis');
    const { deployment, main } = workload(chart, 'Worker');
    expect(() => redis.bind(deployment, main, { passwordEnv })).toThrow(
      `Redis 'test/Redis': bind: passwordEnv '${passwordEnv}' is invalid: an env var name is letters, digits and '_', not starting with a digit, e.g. 'REDIS_PASSWORD'`);
  });
});

describe('Redis.fromRedisAttributes', () => {
  test('binds an external server: env vars only, no NetworkPolicy', () => {
    // GIVEN
    const chart = testChart('data');
    const secret = kplus.Secret.fromSecretName(chart, 'Auth', 'elasticache-auth');
    const store = Redis.fromRedisAttributes(chart, 'Cache', {
      host: 'cache.example.com', port: 6380, credentials: Credentials.fromSecret(secret, { keys: { password: 'token' } }),
    });
    const { deployment, main } = workload(chart, 'Worker');
    // WHEN
    const binding = store.bind(deployment, main, { urlEnv: 'CACHE_URL', passwordEnv: 'CACHE_PASSWORD', database: 20 });
    // THEN
    const manifests = synthValid(chart, [{ kind: 'Secret', name: 'elasticache-auth', keys: ['token'] }]);
    expect(store.endpoint.hostPort).toBe('cache.example.com:6380');
    expect(binding.url).toBe('redis://:$(CACHE_PASSWORD)@cache.example.com:6380/20');
    expect(envOf(container(objectNamed(manifests, 'Deployment', 'worker'), 'main'))).toEqual({
      CACHE_PASSWORD: { valueFrom: { secretKeyRef: { name: 'elasticache-auth', key: 'token' } } },
      CACHE_URL: { value: 'redis://:$(CACHE_PASSWORD)@cache.example.com:6380/20' },
    });
    expect(objectsOfKind(manifests, 'NetworkPolicy')).toEqual([]);
  });

  test('defaults to port 6379', () => {
    const chart = testChart('data');
    const store = Redis.fromRedisAttributes(chart, 'Cache', {
      host: '10.1.2.3', credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'Auth', 'auth')),
    });
    expect(store.endpoint.url()).toBe('redis://10.1.2.3:6379');
  });

  test('fails when the host is not a host name', () => {
    const chart = testChart('data');
    const credentials = Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'Auth', 'auth'));
    expect(() => Redis.fromRedisAttributes(chart, 'Cache', { host: 'redis://cache.example.com', credentials })).toThrow(
      "ExternalRedis 'test/Cache': host 'redis://cache.example.com' is invalid: must be a DNS name or an IP address, without a scheme, credentials, port, path or whitespace, e.g. 'redis.example.internal'");
  });

  test('fails when the port is out of range', () => {
    const chart = testChart('data');
    const credentials = Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'Auth', 'auth'));
    expect(() => Redis.fromRedisAttributes(chart, 'Cache', { host: 'cache.example.com', port: 70000, credentials })).toThrow(
      "ExternalRedis 'test/Cache': port 70000 is invalid: must be a whole number from 1 to 65535, or leave it out for 6379");
  });

  test('fails when the database number is negative', () => {
    const chart = testChart('data');
    const credentials = Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'Auth', 'auth'));
    const store = Redis.fromRedisAttributes(chart, 'Cache', { host: 'cache.example.com', credentials });
    const { deployment, main } = workload(chart, 'Worker');
    expect(() => store.bind(deployment, main, { database: -1 })).toThrow(
      "ExternalRedis 'test/Cache': bind: database '-1' is invalid: must be a whole number 0 or more; leave it out for 0");
  });
});

describe('Redis metrics', () => {
  test('metrics: redis_exporter next to the server, as uid 59000, with the password from the Secret', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const redis = new Redis(chart, 'Redis', { metrics: true });
    const scraper = kplus.Pods.select(chart, 'Prometheus', { labels: { 'app.kubernetes.io/name': 'prometheus' } });
    redis.allowScrapeFrom(scraper);
    // THEN
    const manifests = synthValid(chart);
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'redis');
    const secret = objectNamed(manifests, 'Secret', 'redis-password').metadata.name;
    const exporter = container(statefulSet, 'metrics');
    expect(exporter.image).toBe(DefaultImages.REDIS_EXPORTER);
    expect(exporter.env).toEqual([
      { name: 'REDIS_ADDR', value: 'redis://127.0.0.1:6379' },
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: secret, key: 'password' } } },
    ]);
    expect(exporter.ports).toEqual([{ containerPort: 9121, name: 'metrics' }]);
    expect(exporter.securityContext).toMatchObject({ runAsUser: 59000, runAsGroup: 59000, runAsNonRoot: true });
    expect(redis.scrapeTargets.map((t) => [t.name, t.discovery, t.selector['app.kubernetes.io/name']])).toEqual([['test-redis', ScrapeDiscovery.POD, 'redis']]);
    expect(objectNamed(manifests, 'NetworkPolicy', 'redis-allowfrom-test-prometheus').spec.ingress[0].ports).toEqual([{ port: 9121, protocol: 'TCP' }]);
  });

  test('without metrics: no exporter and no scrape target', () => {
    const redis = new Redis(testChart('data'), 'Redis');
    expect(redis.scrapeTargets).toEqual([]);
    expect(podSpec(objectNamed(Testing.synth(Chart.of(redis)), 'StatefulSet', 'redis')).containers.map((c: any) => c.name)).toEqual(['redis']);
  });
});
