import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { DefaultImages } from '../../src/core/images';
import { Kafka } from '../../src/data/kafka';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

describe('Kafka', () => {
  test('runs one restricted KRaft broker (its own controller) as uid 1000 in a StatefulSet behind a Service on port 9092', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const kafka = new Kafka(chart, 'Kafka');
    // THEN
    const manifests = synthValid(chart);
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'kafka');
    expect(statefulSet.spec.replicas).toBe(1);
    const spec = podSpec(statefulSet);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.enableServiceLinks).toBe(false);
    expect(spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true });
    const broker = container(statefulSet, 'kafka');
    expect(broker.image).toBe(DefaultImages.KAFKA);
    expect(DefaultImages.KAFKA).toBe('docker.io/apache/kafka:4.3.1');
    expect(broker.imagePullPolicy).toBe('IfNotPresent');
    expect(broker.securityContext).toMatchObject({ runAsUser: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(broker.ports).toEqual([{ containerPort: 9092, name: 'kafka' }]);
    expect(broker.resources).toEqual({ requests: { cpu: '200m', memory: '1024Mi' }, limits: { memory: '1024Mi' } });
    expect(broker.readinessProbe).toMatchObject({ tcpSocket: { port: 9092 }, failureThreshold: 3 });
    expect(broker.livenessProbe).toMatchObject({ tcpSocket: { port: 9092 }, failureThreshold: 60 });

    const service = objectNamed(manifests, 'Service', 'kafka-service');
    expect(service.spec.ports).toEqual([{ name: 'kafka', port: 9092, targetPort: 9092 }]);
    expect(service.spec.selector).toEqual(statefulSet.spec.selector.matchLabels);
    expect(statefulSet.spec.serviceName).toBe(objectNamed(manifests, 'Service', 'kafka-headless').metadata.name);
    expect(kafka.bootstrapServers).toEqual([`${service.metadata.name}.data.svc:9092`]);
    expect(kafka.endpoint.url()).toBe(`kafka://${service.metadata.name}.data.svc:9092`);
  });

  test('configures KRaft through the image\'s KAFKA_* variables: one node, the controller on localhost, every topic with one replica', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const kafka = new Kafka(chart, 'Kafka');
    // THEN
    const env = envOf(container(objectNamed(synthValid(chart), 'StatefulSet', 'kafka'), 'kafka'));
    const values = Object.fromEntries(Object.entries(env).map(([name, entry]) => [name, entry.value]));
    expect(values).toEqual({
      CLUSTER_ID: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://127.0.0.1:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${kafka.bootstrapServers[0]}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@127.0.0.1:9093',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_LOG_DIRS: '/var/lib/kafka/data/kraft-combined-logs',
      KAFKA_LOG_RETENTION_MS: '604800000',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      KAFKA_NUM_PARTITIONS: '1',
      KAFKA_DEFAULT_REPLICATION_FACTOR: '1',
      KAFKA_MIN_INSYNC_REPLICAS: '1',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_HEAP_OPTS: '-Xms512m -Xmx512m',
    });
  });

  test('the cluster id stays the same across syntheses and differs between brokers', () => {
    // GIVEN
    const clusterIdOf = (id: string) => {
      const chart = testChart('data');
      new Kafka(chart, id);
      return envOf(container(objectNamed(synthValid(chart), 'StatefulSet', 'kafka'), 'kafka')).CLUSTER_ID.value;
    };
    // THEN
    expect(clusterIdOf('Kafka')).toBe(clusterIdOf('Kafka'));
    expect(clusterIdOf('Kafka')).not.toBe(clusterIdOf('Kafka2'));
  });

  test('keeps its log on a PersistentVolumeClaim; the entrypoint\'s config, the logs and /tmp are emptyDirs under a read-only root', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const kafka = new Kafka(chart, 'Kafka', { storageSize: Size.gibibytes(50), storageClassName: 'fast-ssd' });
    // THEN
    const manifests = synthValid(chart);
    const claim = objectNamed(manifests, 'PersistentVolumeClaim', 'kafka-data');
    expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '50Gi' } } });
    expect(kafka.claim?.name).toBe(claim.metadata.name);
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'kafka');
    const mounts = Object.fromEntries(container(statefulSet, 'kafka').volumeMounts.map((m: any) => [m.mountPath, m.name]));
    expect(mounts).toEqual({ '/opt/kafka/config': 'config', '/opt/kafka/logs': 'logs', '/tmp': 'tmp', '/var/lib/kafka/data': 'data' });
    const volumes = Object.fromEntries(podSpec(statefulSet).volumes.map((v: any) => [v.name, v]));
    expect(volumes.data.persistentVolumeClaim).toEqual({ claimName: claim.metadata.name, readOnly: false });
    expect(['config', 'logs', 'tmp'].map((name) => volumes[name].emptyDir)).toEqual([{}, {}, {}]);
  });

  test('sizes the JVM heap at half the memory limit and keeps messages for logRetention', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    new Kafka(chart, 'Kafka', {
      resources: { memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) } },
      logRetention: Duration.days(1),
    });
    // THEN
    const env = envOf(container(objectNamed(synthValid(chart), 'StatefulSet', 'kafka'), 'kafka'));
    expect(env.KAFKA_HEAP_OPTS).toEqual({ value: '-Xms2048m -Xmx2048m' });
    expect(env.KAFKA_LOG_RETENTION_MS).toEqual({ value: '86400000' });
  });

  test('denies all ingress to the broker, then lets in exactly the clients given to allowFrom, on 9092', () => {
    // GIVEN
    const chart = testChart('data');
    const kafka = new Kafka(chart, 'Kafka');
    const client = kplus.Pods.select(chart, 'Client', { labels: { app: 'producer' } });
    // WHEN
    kafka.allowFrom(client);
    kafka.allowFrom(client);
    // THEN
    const manifests = synthValid(chart);
    const selector = objectNamed(manifests, 'StatefulSet', 'kafka').spec.selector.matchLabels;
    const deny = objectNamed(manifests, 'NetworkPolicy', 'kafka-denyingress');
    expect(deny.spec).toEqual({ podSelector: { matchLabels: selector }, policyTypes: ['Ingress'] });
    const allow = objectNamed(manifests, 'NetworkPolicy', 'kafka-allowfrom-test-client');
    expect(allow.spec.podSelector.matchLabels).toEqual(selector);
    expect(allow.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'producer' } } }], ports: [{ port: 9092, protocol: 'TCP' }] }]);
  });

  test('storage you bring replaces the claim', () => {
    // GIVEN
    const chart = testChart('data');
    const claim = kplus.PersistentVolumeClaim.fromClaimName(chart, 'Existing', 'kafka-data');
    // WHEN
    new Kafka(chart, 'Kafka', { storage: kplus.Volume.fromPersistentVolumeClaim(chart, 'Volume', claim) });
    // THEN
    const manifests = synthValid(chart, [{ kind: 'PersistentVolumeClaim', name: 'kafka-data' }]);
    expect(objectsOfKind(manifests, 'PersistentVolumeClaim')).toEqual([]);
  });

  test('Kafka.fromBootstrapServers: an external bus hands out its brokers and opens no NetworkPolicy', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const bus = Kafka.fromBootstrapServers(chart, 'Shared', ['kafka-0.kafka.example.internal:9092', '10.0.0.12:9094']);
    bus.allowFrom(kplus.Pods.select(chart, 'Client', { labels: { app: 'producer' } }));
    // THEN
    expect(bus.bootstrapServers).toEqual(['kafka-0.kafka.example.internal:9092', '10.0.0.12:9094']);
    expect(Kafka.name).toBe('Kafka');
    expect(bus).not.toBeInstanceOf(Kafka);
    expect(synthValid(chart)).toEqual([]);
  });
});

describe('Kafka bad input', () => {
  test.each([
    ['an empty list', [], "ExternalKafka 'test/Shared': bootstrapServers is invalid: the list is empty; give at least one broker, e.g. ['kafka-0.kafka.example.internal:9092']"],
    ['a URL', ['kafka://kafka:9092'], "ExternalKafka 'test/Shared': bootstrapServers[0] 'kafka://kafka:9092' is invalid: must be host:port, a DNS name or an IP address and a port from 1 to 65535, without a scheme or whitespace, e.g. 'kafka-0.kafka.example.internal:9092'"],
    ['no port', ['kafka.example.internal'], "ExternalKafka 'test/Shared': bootstrapServers[0] 'kafka.example.internal' is invalid: must be host:port, a DNS name or an IP address and a port from 1 to 65535, without a scheme or whitespace, e.g. 'kafka-0.kafka.example.internal:9092'"],
  ])('fromBootstrapServers refuses %s', (_case, servers, message) => {
    expect(() => Kafka.fromBootstrapServers(testChart('data'), 'Shared', servers as string[])).toThrow(message);
  });

  test('a memory limit too small for the heap', () => {
    expect(() => new Kafka(testChart('data'), 'Kafka', { resources: { memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) } } })).toThrow(
      "Kafka 'test/Kafka': resources.memory.limit '256Mi' is invalid: the broker's JVM heap is half of it and needs at least 256Mi; give at least Size.mebibytes(512), e.g. Size.gibibytes(1)");
  });

  test('no memory limit', () => {
    expect(() => new Kafka(testChart('data'), 'Kafka', { resources: { memory: { request: Size.gibibytes(1) } } })).toThrow(
      "Kafka 'test/Kafka': resources.memory.limit is missing: the broker's JVM heap is half of it; give a limit, e.g. { request: Size.gibibytes(2), limit: Size.gibibytes(2) }");
  });
});
