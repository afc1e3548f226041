import { spawnSync } from 'node:child_process';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, SecretSource, SecretValueFormat } from '../../src';
import { HAS_PYTHON, patchedSecrets, runAgainstFakeApi } from '../fake-kubernetes-api';
import { container, envOf, objectsOfKind, synthValid, testChart } from '../util';

/** The Secrets the chart's secret generator Job fills in, as its `SECRETS` env var lists them. */
function generatorSpecs(manifests: any[]): any[] {
  const [job] = objectsOfKind(manifests, 'Job');
  return JSON.parse(envOf(container(job, 'generate')).SECRETS.value);
}

describe('SecretSource.generated', () => {
  test('renders an empty Secret, annotated with its keys, and the chart\'s generator Job fills it in', () => {
    // GIVEN
    const chart = testChart('data');
    // WHEN
    const credentials = SecretSource.generated().bind(chart, 'Admin', {
      secretValues: [Credentials.PASSWORD],
      values: { [Credentials.USERNAME]: 'postgres' },
    });
    // THEN
    const manifests = synthValid(chart);
    const [secret] = objectsOfKind(manifests, 'Secret');
    expect(secret.data).toBeUndefined();
    expect(secret.stringData).toBeUndefined();
    expect(secret.metadata.annotations).toEqual({ 'mlops.cdk8s.io/generated-keys': 'password,username' });
    expect(credentials.secret.name).toBe(secret.metadata.name);

    const [job] = objectsOfKind(manifests, 'Job');
    const generate = container(job, 'generate');
    expect(generate.command.slice(0, 2)).toEqual(['python', '-c']);
    expect(generate.command[2]).toContain('if key not in present');
    expect(generate.command[2]).toContain('application/merge-patch+json');
    expect(generatorSpecs(manifests)).toEqual([{
      name: secret.metadata.name, secretValues: ['password'], values: { username: 'postgres' }, format: 'ALPHANUMERIC', length: 32,
    }]);
    expect(job.metadata.name).toMatch(/^test-mlopssecretgenerator-job-[0-9a-f]{10}$/);
    expect(job.metadata.labels).toEqual({
      'app.kubernetes.io/component': 'secret-generator', 'app.kubernetes.io/part-of': 'cdk8s-mlops', 'app.kubernetes.io/managed-by': 'cdk8s',
    });
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(true);
  });

  test('one Job per chart generates every Secret, and may only get and patch those Secrets, by name', () => {
    // GIVEN
    const chart = testChart();
    // WHEN
    const a = SecretSource.generated().bind(chart, 'A', { secretValues: ['password'] });
    const b = SecretSource.generated({ length: 64 }).bind(chart, 'B', { secretValues: ['token'] });
    // THEN
    const manifests = synthValid(chart);
    const [role] = objectsOfKind(manifests, 'Role');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: [a.secret.name], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: [b.secret.name], verbs: ['get', 'patch'] },
    ]);
    const [serviceAccount] = objectsOfKind(manifests, 'ServiceAccount');
    const jobs = objectsOfKind(manifests, 'Job');
    expect(jobs).toHaveLength(1);
    expect(jobs[0].spec.template.spec.serviceAccountName).toBe(serviceAccount.metadata.name);
    expect(generatorSpecs(manifests).map((spec) => [spec.name, spec.length])).toEqual([[a.secret.name, 32], [b.secret.name, 64]]);
  });

  test('credentials read every value from the generated Secret', () => {
    const chart = testChart();
    const credentials = SecretSource.generated().bind(chart, 'Admin', {
      secretValues: ['password'], values: { username: 'admin' },
    });
    expect(credentials.envValue('username').valueFrom).toEqual({
      secretKeyRef: { name: credentials.secret.name, key: 'username' },
    });
    expect(SecretSource.generated().isGenerated).toBe(true);
  });

  test('each format is in the Job\'s spec: a Fernet key has no length, a url-safe token takes one', () => {
    // GIVEN
    const chart = testChart();
    // WHEN
    const fernet = SecretSource.generated({ format: SecretValueFormat.FERNET_KEY });
    fernet.bind(chart, 'Fernet', { secretValues: ['fernet-key'] });
    SecretSource.generated({ format: SecretValueFormat.URL_SAFE_TOKEN, length: 48 }).bind(chart, 'Token', { secretValues: ['jwt-secret'] });
    // THEN
    const specs = generatorSpecs(synthValid(chart)).map(({ name, ...spec }) => spec);
    expect(specs).toEqual([
      { secretValues: ['fernet-key'], values: {}, format: 'FERNET_KEY' },
      { secretValues: ['jwt-secret'], values: {}, format: 'URL_SAFE_TOKEN', length: 48 },
    ]);
    expect(fernet.format).toBe(SecretValueFormat.FERNET_KEY);
    expect(SecretSource.generated().format).toBe(SecretValueFormat.ALPHANUMERIC);
    expect(SecretSource.fromSecret(kplus.Secret.fromSecretName(chart, 'Existing', 'keys')).format).toBeUndefined();
  });

  test('the Job\'s name follows what it generates: the same sources give the same name, another Secret a new one', () => {
    const jobName = (secrets: string[]) => {
      const chart = testChart();
      for (const id of secrets) {
        SecretSource.generated().bind(chart, id, { secretValues: ['password'] });
      }
      return objectsOfKind(synthValid(chart), 'Job')[0].metadata.name;
    };
    expect(jobName(['A'])).toEqual(jobName(['A']));
    expect(jobName(['A', 'B'])).not.toEqual(jobName(['A']));
  });

  (HAS_PYTHON ? test : test.skip)('the Job\'s script parses and adds only the missing keys of each Secret, in each format', () => {
    // GIVEN
    const chart = testChart();
    for (const format of [SecretValueFormat.ALPHANUMERIC, SecretValueFormat.FERNET_KEY, SecretValueFormat.URL_SAFE_TOKEN]) {
      SecretSource.generated({ format }).bind(chart, format.name, { secretValues: ['new', 'kept'], values: { username: 'admin' } });
    }
    const generate = container(objectsOfKind(synthValid(chart), 'Job')[0], 'generate');
    const script = { code: generate.command[2], secrets: envOf(generate).SECRETS.value };
    expect(spawnSync('python3', ['-c', 'import ast,sys; ast.parse(sys.stdin.read())'], { input: script.code }).status).toBe(0);
    const names: string[] = JSON.parse(script.secrets).map((spec: { name: string }) => spec.name);
    // WHEN
    const run = runAgainstFakeApi(script.code, { namespace: 'test', data: { kept: 'b2xk' } }, { SECRETS: script.secrets });
    const patched = patchedSecrets(run);
    // THEN
    expect(run.status).toBe(0);
    expect(run.calls.filter((call) => call.startsWith('GET '))).toEqual(names.map((name) => `GET /api/v1/namespaces/test/secrets/${name}`));
    expect(Object.keys(patched)).toEqual(names);
    for (const name of names) {
      expect(Object.keys(patched[name]).sort()).toEqual(['new', 'username']);
      expect(patched[name].username).toBe('admin');
      expect(run.stdout).toContain(`Secret ${name}: generated ['new', 'username']; kept ['kept']`);
    }
    const [letters, fernetKey, token] = names.map((name) => patched[name].new);
    expect(letters).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(fernetKey).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(Buffer.from(fernetKey, 'base64url')).toHaveLength(32);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const complete = { namespace: 'test', data: { new: 'bmV3', kept: 'b2xk', username: 'YWRtaW4=' } };
    expect(runAgainstFakeApi(script.code, complete, { SECRETS: script.secrets }).calls).toHaveLength(names.length);
  });

  test('fails on a length for a Fernet key, whose size is fixed', () => {
    const chart = testChart();
    expect(() => SecretSource.generated({ format: SecretValueFormat.FERNET_KEY, length: 32 }).bind(chart, 'Key', { secretValues: ['key'] }))
      .toThrow("Chart 'test': generated secret length 32 is invalid with SecretValueFormat.FERNET_KEY: its values have a fixed size; remove length");
  });

  test('fails on a length that is too short for a secret', () => {
    const chart = testChart();
    expect(() => SecretSource.generated({ length: 8 }).bind(chart, 'Admin', { secretValues: ['password'] }))
      .toThrow("Chart 'test': generated secret length 8 is invalid: use a whole number from 16 to 256");
  });
});

describe('SecretSource.fromSecret', () => {
  test('maps names to the keys of the existing Secret and keeps fixed values literal', () => {
    // GIVEN
    const chart = testChart();
    const existing = kplus.Secret.fromSecretName(chart, 'Existing', 'pg-admin');
    // WHEN
    const credentials = SecretSource.fromSecret(existing, { keys: { password: 'postgres-password' } })
      .bind(chart, 'Admin', { secretValues: ['password'], values: { username: 'postgres' } });
    // THEN
    expect(credentials.envValue('password').valueFrom).toEqual({ secretKeyRef: { name: 'pg-admin', key: 'postgres-password' } });
    expect(credentials.envValue('username').value).toBe('postgres');
    expect(SecretSource.fromSecret(existing).isGenerated).toBe(false);
    expect(synthValid(chart)).toEqual([]);
  });

  test('reads a fixed value from the Secret when the Secret is said to hold it', () => {
    const chart = testChart();
    const existing = kplus.Secret.fromSecretName(chart, 'Existing', 'db');
    const credentials = SecretSource.fromSecret(existing, { keys: { username: 'user' } })
      .bind(chart, 'Db', { secretValues: ['password'], values: { username: 'airflow' } });
    expect(credentials.envValue('username').valueFrom).toEqual({ secretKeyRef: { name: 'db', key: 'user' } });
    expect(credentials.envValue('password').valueFrom).toEqual({ secretKeyRef: { name: 'db', key: 'password' } });
  });
});
