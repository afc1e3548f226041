import * as kplus from 'cdk8s-plus-28';
import { Credentials, SecretSource } from '../../src';
import { container, envOf, objectsOfKind, synthValid, testChart } from '../util';

describe('SecretSource.generated', () => {
  test('renders an empty Secret, annotated with its keys, and a Job that fills it in', () => {
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
    expect(envOf(generate).SECRET_NAME).toEqual({ value: secret.metadata.name });
    expect(JSON.parse(envOf(generate).SECRET_SPEC.value)).toEqual({
      secretValues: ['password'], values: { username: 'postgres' }, length: 32,
    });
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(true);
  });

  test('the Job may only get and patch the generated Secrets, by name', () => {
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
    expect(jobs.map((j) => j.spec.template.spec.serviceAccountName))
      .toEqual([serviceAccount.metadata.name, serviceAccount.metadata.name]);
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
