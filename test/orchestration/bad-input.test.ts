import * as kplus from 'cdk8s-plus-28';
import { airflow, fixture, PUBLIC_REPO } from './fixtures';
import { Credentials, SecretSource, SecretValueFormat } from '../../src';
import { DagSource, GitAuth, GitDagSourceOptions } from '../../src/orchestration';

const PREFIX = "GitSyncAirflow 'test/Airflow': ";

function withGit(options: Partial<GitDagSourceOptions>): () => void {
  return () => airflow(fixture(), { dags: DagSource.fromGit({ repository: PUBLIC_REPO, ...options }) });
}

function sshAuth(options: { knownHosts?: string; skipHostKeyVerification?: boolean } = { skipHostKeyVerification: true }): GitAuth {
  return GitAuth.ssh({ secret: kplus.Secret.fromSecretName(fixture().chart, 'Key', 'git'), ...options });
}

function httpsAuth(): GitAuth {
  return GitAuth.https(Credentials.fromSecret(kplus.Secret.fromSecretName(fixture().chart, 'Token', 'git')));
}

describe('GitSyncAirflow bad input', () => {
  test('an SSH address with HTTPS credentials', () => {
    expect(withGit({ repository: 'git@github.com:example/dags.git', auth: httpsAuth() })).toThrow(PREFIX
      + "dags repository 'git@github.com:example/dags.git' is invalid with GitAuth.https(): an SSH address needs GitAuth.ssh({ secret, ... }); for a token use the https:// URL with GitAuth.https(credentials)");
  });

  test('an SSH address without any key', () => {
    expect(withGit({ repository: 'ssh://git@git.example.internal/data/dags.git' })).toThrow(PREFIX
      + "dags repository 'ssh://git@git.example.internal/data/dags.git' is invalid with no auth: an SSH address needs GitAuth.ssh({ secret, ... }); for a token use the https:// URL with GitAuth.https(credentials)");
  });

  test('an https URL with an SSH key', () => {
    expect(withGit({ auth: sshAuth() })).toThrow(PREFIX
      + `dags repository '${PUBLIC_REPO}' is invalid with GitAuth.ssh(): an https:// URL is fetched with a user and token; give the SSH address (git@host:org/repo.git) or use GitAuth.https(credentials)`);
  });

  test('credentials inside the repository URL, which would land in the YAML, refused where the URL is given', () => {
    expect(withGit({ repository: 'https://bot:glpat-secret@gitlab.example.com/data/dags.git' })).toThrow('DagSource.fromGit: '
      + "repository 'https://***@gitlab.example.com/data/dags.git' is invalid: must not carry credentials, which would be written into the "
      + "manifests; use GitAuth.https(credentials), e.g. 'https://github.com/org/dags.git'");
  });

  test.each([
    'https://bot:glpat-secret@gitlab.example.com/data/dags.git',
    'https://glpat-secret@gitlab.example.com',
    'http://bot:glpat-secret@gitlab.example.com:99999/data/dags.git',
    'https://bot:glpat-secret@gitlab.example.com/data/dags.git ',
    'ftp://bot:glpat-secret@gitlab.example.com/data/dags.git',
    'bot:glpat-secret@gitlab.example.com/data/dags.git',
  ])('a token in a refused repository URL never appears in the error: %s', (repository) => {
    let message = '';
    try {
      DagSource.fromGit({ repository });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^DagSource\.fromGit: repository '.*\*\*\*@gitlab\.example\.com.*' is invalid: /);
    expect(message).not.toContain('glpat-secret');
  });

  test('a repository that is neither a URL nor an SSH address', () => {
    expect(withGit({ repository: 'github.com/example/dags' })).toThrow('DagSource.fromGit: '
      + "repository 'github.com/example/dags' is invalid: must be an https:// URL (e.g. 'https://github.com/org/dags.git') or an SSH address (e.g. 'git@github.com:org/dags.git')");
  });

  test('a ref with spaces', () => {
    expect(withGit({ ref: 'my branch' })).toThrow(PREFIX
      + "dags ref 'my branch' is invalid: must be a branch, tag or commit hash: no spaces, none of ~ ^ : ? * [ \\, no '..' or '@{', not starting with '-' (git would read it as an option), not starting or ending with '/' or '.'; e.g. 'main' or 'v1.2.0'");
  });

  test('a token over plain http', () => {
    expect(withGit({ repository: 'http://git.example.internal/data/dags.git', auth: httpsAuth() })).toThrow(PREFIX
      + "dags repository 'http://git.example.internal/data/dags.git' is invalid with GitAuth.https(): the user and token would cross the network "
      + 'in clear text over http://; use the https:// URL');
  });

  test('a ref that git would read as an option', () => {
    expect(withGit({ ref: '--upload-pack=touch /tmp/pwned' })).toThrow(PREFIX
      + "dags ref '--upload-pack=touch /tmp/pwned' is invalid: must be a branch, tag or commit hash: no spaces, none of ~ ^ : ? * [ \\, no '..' or '@{', not starting with '-' (git would read it as an option), not starting or ending with '/' or '.'; e.g. 'main' or 'v1.2.0'");
  });

  test('a subPath that leaves the repository', () => {
    expect(withGit({ subPath: 'dags/../../etc' })).toThrow(PREFIX
      + "dags subPath 'dags/../../etc' is invalid: must be a relative folder of the repository or volume without '.' or '..' segments or spaces, e.g. 'dags' or 'teams/forecasting'");
  });

  test('a period that is not a Go duration, or too short', () => {
    const message = (period: string) => PREFIX + `dags period '${period}' is invalid: must be a Go duration of at least 10ms, e.g. '60s' or '1m30s'`;
    expect(withGit({ period: '5 minutes' })).toThrow(message('5 minutes'));
    expect(withGit({ period: '60' })).toThrow(message('60'));
    expect(withGit({ period: '5ms' })).toThrow(message('5ms'));
    expect(withGit({ period: '1m30s' })).not.toThrow();
  });

  test('a negative depth', () => {
    expect(withGit({ depth: -1 })).toThrow(PREFIX
      + "dags depth '-1' is invalid: must be a whole number, at least 0 (0 fetches the whole history); e.g. 1");
  });

  test('an SSH key without a decision about host keys', () => {
    expect(withGit({ repository: 'git@github.com:example/dags.git', auth: sshAuth({}) })).toThrow(PREFIX
      + "GitAuth.ssh host key verification is invalid: give exactly one of knownHosts (e.g. the checked output of 'ssh-keyscan github.com'), knownHostsKey or skipHostKeyVerification: true (found 0)");
    expect(withGit({ repository: 'git@github.com:example/dags.git', auth: sshAuth({ knownHosts: 'github.com' }) })).toThrow(PREFIX
      + "GitAuth.ssh knownHosts is invalid: must hold known_hosts lines ('<host> <key-type> <base64 key>'), e.g. the output of 'ssh-keyscan github.com'");
  });

  test('a NodePort outside 30000-32767', () => {
    expect(() => airflow(fixture(), { nodePort: 8080 })).toThrow(PREFIX
      + "nodePort '8080' is invalid: must be a whole number from 30000 to 32767 (the default NodePort range); e.g. 30007");
  });

  test('an Ingress host with a scheme, or a path with a trailing slash', () => {
    expect(() => airflow(fixture(), { ingress: { host: 'https://airflow.example.com' } })).toThrow(PREFIX
      + "ingress host 'https://airflow.example.com' is invalid: must be a DNS name, without a scheme, credentials, port, path or whitespace, e.g. 'airflow.example.com'");
    expect(() => airflow(fixture(), { ingress: { host: 'airflow.example.com', path: '/airflow/' } })).toThrow(PREFIX
      + "ingress path '/airflow/' is invalid: must start with '/' and not end with one, with letters, digits, '.', '_', '~' or '-' between; e.g. '/airflow'");
  });

  test('a fernet key generated in another format than a Fernet key\'s', () => {
    expect(() => airflow(fixture(), { fernetKey: SecretSource.generated() })).toThrow(PREFIX
      + 'fernetKey is invalid: SecretSource.generated() with format SecretValueFormat.ALPHANUMERIC does not make a Fernet key '
      + '(32 url-safe base64-encoded bytes); give SecretSource.generated({ format: SecretValueFormat.FERNET_KEY }) '
      + 'or SecretSource.fromSecret(...), or leave fernetKey out to have one generated');
    expect(() => airflow(fixture(), { fernetKey: SecretSource.generated({ format: SecretValueFormat.FERNET_KEY }) })).not.toThrow();
  });

  test('variable keys and connection ids that cannot be env var names, or come twice', () => {
    const af = airflow(fixture());
    expect(() => af.addVariable('model-name', 'x')).toThrow(PREFIX
      + "variable key 'model-name' is invalid: must start with a letter and contain only letters, digits and '_' (it becomes the env var AIRFLOW_VAR_<KEY>)");
    af.addVariable('model_name', 'x');
    expect(() => af.addVariable('MODEL_NAME', 'y')).toThrow(PREFIX
      + "variable key 'MODEL_NAME' is invalid: it was added already (it becomes the env var AIRFLOW_VAR_<KEY>)");
    const f = fixture();
    const other = airflow(f);
    expect(() => other.addS3Connection('models-s3', f.minio.bucket('airflow-logs'))).toThrow(PREFIX
      + "connection id 'models-s3' is invalid: must start with a letter and contain only letters, digits and '_' (it becomes the env var AIRFLOW_CONN_<ID>); e.g. 'models_s3'");
    expect(() => other.addS3Connection('airflow_remote_logs', f.minio.bucket('airflow-logs'))).toThrow(PREFIX
      + "connection id 'airflow_remote_logs' is invalid: it was added already; give each connection its own id");
  });

  test('an admin user name with spaces, and a log prefix with a leading slash', () => {
    expect(() => airflow(fixture(), { adminUsername: 'data team' })).toThrow(PREFIX
      + "adminUsername 'data team' is invalid: must be 1-64 letters, digits or '_', '.', '@', '-'; e.g. 'admin'");
    expect(() => airflow(fixture(), { logPrefix: '/logs' })).toThrow(PREFIX
      + "logPrefix '/logs' is invalid: must be a key prefix without a leading '/' or spaces, e.g. 'logs'");
  });
});
