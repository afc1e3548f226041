import { workload } from './fixtures';
import { PlatformTls } from '../../src';
import { Postgres } from '../../src/data';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

const CA_FILE = '/etc/mlops/ca/ca.crt';

function tlsPostgres() {
  const chart = testChart('data');
  const tls = new PlatformTls(chart, 'Tls', { name: 'platform' });
  const postgres = new Postgres(chart, 'Postgres', { tls: tls.serverTls });
  return { chart, tls, postgres };
}

describe('Postgres with tls', () => {
  test('serves TLS with the certificate of its Service, the key 0640 and group-owned by the pod', () => {
    // GIVEN
    const { chart, postgres } = tlsPostgres();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const statefulSet = objectNamed(manifests, 'StatefulSet', 'postgres');
    const server = container(statefulSet, 'postgres');
    expect(server.args).toEqual(['postgres', '-c', 'ssl=on', '-c', 'ssl_cert_file=/etc/postgresql/tls/tls.crt', '-c', 'ssl_key_file=/etc/postgresql/tls/tls.key']);
    expect(server.volumeMounts).toContainEqual({ name: 'certs', mountPath: '/etc/postgresql/tls', readOnly: true });
    expect(podSpec(statefulSet).volumes).toContainEqual({ name: 'certs', secret: { secretName: `${postgres.service.name}-tls`, defaultMode: 0o640 } });
    expect(podSpec(statefulSet).securityContext.fsGroup).toBe(999);
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.metadata.namespace === 'data');
    expect(certificate.spec.dnsNames[2]).toBe(`${postgres.service.name}.data.svc`);
    expect(postgres.endpoint.trustBundle?.configMapName).toBe('platform-ca-bundle');
  });

  test('a sidecar reloads the configuration once cert-manager renewed the certificate', () => {
    // GIVEN
    const { chart } = tlsPostgres();
    // WHEN
    const statefulSet = objectNamed(synthValid(chart), 'StatefulSet', 'postgres');
    // THEN
    const reloader = container(statefulSet, 'tls-reload');
    expect(reloader.image).toBe(container(statefulSet, 'postgres').image);
    expect(reloader.volumeMounts).toEqual([{ name: 'certs', mountPath: '/etc/postgresql/tls', readOnly: true }]);
    expect(reloader.command[2].split('\n')).toEqual([
      "trap 'exit 0' TERM INT",
      'last=$(cksum < /etc/postgresql/tls/tls.crt)',
      'while true; do',
      '  sleep 600 & wait $!',
      '  now=$(cksum < /etc/postgresql/tls/tls.crt)',
      '  if [ "$now" != "$last" ] && PGPASSWORD="$POSTGRES_PASSWORD" psql --host=127.0.0.1 --port=5432 --username="$POSTGRES_USER" '
        + "--dbname=postgres --no-psqlrc --quiet --command='SELECT pg_reload_conf()'; then",
      '    echo "reloaded the renewed certificate"',
      '    last=$now',
      '  fi',
      'done',
    ]);
    expect(envOf(reloader).POSTGRES_PASSWORD).toEqual(envOf(container(statefulSet, 'postgres')).POSTGRES_PASSWORD);
  });

  test('a bound client verifies the server: PGSSLMODE verify-full and PGSSLROOTCERT from the bundle', () => {
    // GIVEN
    const { chart, postgres } = tlsPostgres();
    const { deployment, main } = workload(chart, 'Consumer');
    // WHEN
    postgres.addDatabase('mlflow').bind(deployment, main, { uriEnv: 'DB_URI' });
    // THEN
    const manifests = synthValid(chart);
    const env = envOf(container(objectNamed(manifests, 'Deployment', 'consumer'), 'main'));
    expect(env.PGSSLMODE).toEqual({ value: 'verify-full' });
    expect(env.PGSSLROOTCERT).toEqual({ value: CA_FILE });
    expect(env.DB_URI.value).toBe(`postgresql://$(DB_USER):$(DB_PASSWORD)@${postgres.service.name}.data.svc:5432/mlflow`);
  });

  test("each database's setup Job verifies the server too", () => {
    // GIVEN
    const { chart, postgres } = tlsPostgres();
    // WHEN
    postgres.addDatabase('mlflow');
    // THEN
    const setup = objectsOfKind(synthValid(chart), 'Job').find((j) => j.metadata.name.includes('-setup-'));
    const env = envOf(container(setup, 'setup'));
    expect(env.PGSSLMODE).toEqual({ value: 'verify-full' });
    expect(env.PGSSLROOTCERT).toEqual({ value: CA_FILE });
  });

  test('without tls, clients get no TLS settings', () => {
    const chart = testChart('data');
    const postgres = new Postgres(chart, 'Postgres');
    const { deployment, main } = workload(chart, 'Consumer');
    postgres.addDatabase('mlflow').bind(deployment, main);
    const env = envOf(container(objectNamed(synthValid(chart), 'Deployment', 'consumer'), 'main'));
    expect(env.PGSSLMODE).toBeUndefined();
    expect(container(objectNamed(synthValid(chart), 'StatefulSet', 'postgres'), 'postgres').args).toBeUndefined();
  });

  test('refuses a tls that is not a ServerTls', () => {
    expect(() => new Postgres(testChart('data'), 'Postgres', { tls: true as any })).toThrow(
      "Postgres 'test/Postgres': props.tls is invalid: expected a ServerTls, got a boolean (true); give e.g. platformTls.serverTls");
  });
});
