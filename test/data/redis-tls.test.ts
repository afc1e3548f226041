import { workload } from './fixtures';
import { PlatformTls } from '../../src';
import { Redis } from '../../src/data';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

function tlsRedis() {
  const chart = testChart('data');
  const tls = new PlatformTls(chart, 'Tls', { name: 'platform' });
  const redis = new Redis(chart, 'Redis', { tls: tls.serverTls, metrics: true });
  return { chart, tls, redis };
}

describe('Redis with tls', () => {
  test('serves TLS only on 6379, without requiring client certificates', () => {
    // GIVEN
    const { chart, redis } = tlsRedis();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'redis');
    const server = container(statefulSet, 'redis');
    expect(server.args).toEqual([
      '--port', '0', '--tls-port', '6379', '--tls-cert-file', '/etc/redis/tls/tls.crt', '--tls-key-file', '/etc/redis/tls/tls.key',
      '--tls-auth-clients', 'no', '--dir', '/data', '--appendonly', 'no', '--save', '',
    ]);
    expect(podSpec(statefulSet).volumes).toContainEqual({ name: 'certs', secret: { secretName: `${redis.service.name}-tls`, defaultMode: 0o440 } });
    expect(server.readinessProbe.exec.command).toEqual(['sh', '-c', 'redis-cli --tls --insecure -h 127.0.0.1 -p 6379 ping | grep -qx PONG']);
    const exporter = envOf(podSpec(statefulSet).containers.find((c: any) => c.name !== 'redis'));
    expect(exporter.REDIS_ADDR).toEqual({ value: 'rediss://127.0.0.1:6379' });
    expect(exporter.REDIS_EXPORTER_SKIP_TLS_VERIFICATION).toEqual({ value: 'true' });
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.metadata.namespace === 'data');
    expect(certificate.spec.secretName).toBe(`${redis.service.name}-tls`);
  });

  test('a bound client gets a rediss:// URL and the trust bundle', () => {
    // GIVEN
    const { chart, redis } = tlsRedis();
    const { deployment, main } = workload(chart, 'Consumer');
    // WHEN
    const binding = redis.bind(deployment, main, { urlEnv: 'REDIS_URL' });
    // THEN
    const env = envOf(container(objectNamed(synthValid(chart), 'Deployment', 'consumer'), 'main'));
    expect(binding.url).toBe(`rediss://:$(REDIS_PASSWORD)@${redis.service.name}.data.svc:6379/0`);
    expect(env.REDIS_URL).toEqual({ value: binding.url });
    expect(env.SSL_CERT_FILE).toEqual({ value: '/etc/mlops/ca/ca.crt' });
  });
});
