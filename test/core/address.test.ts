import { checkGitUrl, checkHost, checkHostPort, checkPort, checkUrl } from '../../src/core/address';

const WEBHOOK = { schemes: ['http', 'https'], example: 'https://hooks.example.com/retrain' };

describe('checkUrl', () => {
  test.each([
    'https://hooks.example.com/retrain',
    'http://10.0.0.7:8080/',
    'http://[fd00::1]:9090/federate',
    'http://retrain-trigger.mlops.svc:8080/alerts',
  ])('accepts %s', (url) => {
    expect(checkUrl('Test', 'webhookUrl', url, WEBHOOK).toString()).toBe(new URL(url).toString());
  });

  test.each([
    ['https://hooks.example.com/retrain\n', 'must not contain whitespace or line breaks'],
    [' https://hooks.example.com', 'must not contain whitespace or line breaks'],
    ['hooks.example.com/retrain', 'must be an absolute URL (http:// or https://host[:port][/path])'],
    ['ftp://hooks.example.com', "its scheme must be 'http' or 'https', not 'ftp'"],
    ['https://hooks.example.com:0/x', 'its port must be from 1 to 65535, not 0'],
    ['https://hooks.example.com:70000/x', 'its port must be from 1 to 65535, not 70000'],
    ['https://hooks.example.com/x?token=1', 'must not have a query or a fragment'],
    ['https://hooks_example.com/x', "its host 'hooks_example.com' must be a DNS name or an IP address"],
  ])('refuses %j: %s', (url, why) => {
    expect(() => checkUrl("AlertRoute 'a/b'", 'webhookUrl', url, WEBHOOK)).toThrow(
      `AlertRoute 'a/b': webhookUrl '${JSON.stringify(url).slice(1, -1)}' is invalid: ${why}`);
    expect(() => checkUrl('Test', 'webhookUrl', url, WEBHOOK)).toThrow("e.g. 'https://hooks.example.com/retrain'");
  });

  test.each([
    'https://user:secret@hooks.example.com/x',
    'https://secret@hooks.example.com/x',
    'https://user:secret@hooks.example.com:70000/x',
    'https://user:secret@hooks.example.com/x ',
    'ftp://user:secret@hooks.example.com/x',
  ])('refuses %j without showing its credentials', (url) => {
    expect(() => checkUrl("AlertRoute 'a/b'", 'webhookUrl', url, WEBHOOK)).toThrow("AlertRoute 'a/b': webhookUrl 'https://***@hooks.example.com".replace('https', url.slice(0, url.indexOf(':'))));
    expect(() => checkUrl('Test', 'webhookUrl', url, WEBHOOK)).not.toThrow(/secret/);
  });

  test('refuses what is not a string, with an example', () => {
    expect(() => checkUrl('Test', 'webhookUrl', undefined, WEBHOOK)).toThrow(
      "Test: webhookUrl is invalid: expected a URL, got undefined; give e.g. 'https://hooks.example.com/retrain'");
  });
});

describe('checkHost, checkPort, checkHostPort', () => {
  test('a host is a DNS name or an IP address, and an IP address where one is allowed', () => {
    expect(checkHost('Test', 'host', 'db.example.com', { example: 'db.example.com' })).toBe('db.example.com');
    expect(checkHost('Test', 'host', '10.1.2.3', { example: 'db.example.com' })).toBe('10.1.2.3');
    expect(() => checkHost('Test', 'host', '10.1.2.3', { example: 'mlops.example.com', ipAddress: false })).toThrow(
      "Test: host '10.1.2.3' is invalid: must be a DNS name, without a scheme, credentials, port, path or whitespace, e.g. 'mlops.example.com'");
    for (const bad of ['https://db.example.com', 'db.example.com:5432', 'db.example.com ', 'db.example.com/x', '999.1.1.1']) {
      expect(() => checkHost('Test', 'host', bad, { example: 'db.example.com' })).toThrow(`host '${bad}' is invalid: must be a DNS name or an IP address`);
    }
  });

  test('a port is a whole number from 1 to 65535', () => {
    expect(checkPort('Test', 'port', 5432)).toBe(5432);
    for (const bad of [0, 65536, 5432.5, -1, Number.NaN, '5432']) {
      expect(() => checkPort('Test', 'port', bad)).toThrow('is invalid: must be a whole number from 1 to 65535, e.g. 443');
    }
  });

  test('host:port', () => {
    expect(checkHostPort('Test', 'bootstrapServers[0]', 'kafka.example.com:9092', 'kafka.example.com:9092')).toEqual({ host: 'kafka.example.com', port: 9092 });
    for (const bad of ['kafka.example.com', 'kafka.example.com:0', 'PLAINTEXT://kafka:9092', ':9092']) {
      expect(() => checkHostPort('Test', 'bootstrapServers[0]', bad, 'kafka.example.com:9092')).toThrow(
        `Test: bootstrapServers[0] '${bad}' is invalid: must be host:port`);
    }
  });
});

describe('checkGitUrl', () => {
  const example = 'https://github.com/org/dags.git';
  test.each([
    ['https://github.com/org/dags.git', 'https'],
    ['ssh://git@github.com/org/dags.git', 'ssh'],
    ['git@github.com:org/dags.git', 'ssh'],
  ])('accepts %s, reached by %s', (url, protocol) => {
    expect(checkGitUrl('Test', 'repository', url, example)).toBe(protocol);
  });

  test.each([
    ['github.com/org/dags', "must be an https:// URL (e.g. 'https://github.com/org/dags.git') or an SSH address (e.g. 'git@github.com:org/dags.git')"],
    ['https://github.com', 'it names no repository (the path is empty)'],
    ['https://github.com/org/dags.git ', 'must not contain whitespace or line breaks'],
    ['git@github_com:org/dags.git', "host 'github_com' is invalid: must be a DNS name or an IP address"],
    ['ftp://github.com/org/dags.git', "its scheme must be 'https' or 'http' or 'ssh', not 'ftp'"],
  ])('refuses %j: %s', (url, why) => {
    expect(() => checkGitUrl('Test', 'repository', url, example)).toThrow(why);
  });

  test.each(['https://bot:token-123@github.com/org/dags.git', 'http://token-123@github.com/org/dags.git', 'bot:token-123@github.com/org/dags.git',
    'https://bot:token-123@github.com'])('refuses %j without showing the token, and says where credentials go', (url) => {
    expect(() => checkGitUrl('Test', 'repository', url, example, 'use GitAuth.https(credentials)')).toThrow('***@github.com');
    expect(() => checkGitUrl('Test', 'repository', url, example)).not.toThrow(/token-123/);
  });

  test('credentials in an https URL: the fix names where they go', () => {
    expect(() => checkGitUrl('Test', 'repository', 'https://bot:token-123@github.com/org/dags.git', example, 'use GitAuth.https(credentials)')).toThrow(
      "Test: repository 'https://***@github.com/org/dags.git' is invalid: must not carry credentials, which would be written into the manifests; "
      + "use GitAuth.https(credentials), e.g. 'https://github.com/org/dags.git'");
  });
});

describe('checkHost with wildcards (certificate names)', () => {
  const CERTIFICATE = { example: 'minio.example.com', ipAddress: false, wildcard: true };

  test.each(['minio.example.com', '*.example.com', '*.eu.example.com'])('accepts %s', (host) => {
    expect(checkHost('Test', 'certificate DNS name', host, CERTIFICATE)).toBe(host);
  });

  test.each(['*.*.example.com', 'api.*.example.com', '*example.com', '*', '10.0.0.1', '*.10.0.0.1', 'https://minio.example.com'])('refuses %s', (host) => {
    expect(() => checkHost('Test', 'certificate DNS name', host, CERTIFICATE)).toThrow(
      `Test: certificate DNS name '${host}' is invalid: must be a DNS name (optionally '*.' and a domain), without a scheme, credentials, port, path or whitespace, e.g. 'minio.example.com'`);
  });

  test('without the option a wildcard is refused', () => {
    expect(() => checkHost('Test', 'host', '*.example.com', { example: 'minio.example.com', ipAddress: false })).toThrow("host '*.example.com' is invalid");
  });
});
