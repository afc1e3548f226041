import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AIRFLOW_CHECK_SCRIPT, bucketCheckScript, GRAFANA_CHECK_SCRIPT, MLFLOW_CHECK_SCRIPT, MODEL_CHECK_SCRIPT, mysqlCheckScript, POSTGRES_CHECK_SCRIPT,
  PROMETHEUS_CHECK_SCRIPT, redisCheckScript,
} from '../../src/platform/smoke-test-scripts';
import { freePort, postgresBinaries, RunningServer, serverAvailable, SPECIAL_PASSWORD, startMariadb, startPostgres } from '../real-servers';

// The smoke tests' scripts as the Jobs run them: the client checks against real servers, the HTTP checks (python3)
// against node servers standing in for MLflow, Airflow, Prometheus, Grafana and a model server.

const ONE_TRY = { SMOKE_ATTEMPTS: '1', SMOKE_RETRY_SECONDS: '0' };

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runShell(script: string, env: Record<string, string>): Outcome {
  const result = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...ONE_TRY, ...env }, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** python3 in a child process, so that the stand-in in this process keeps answering. */
async function runPython(script: string, env: Record<string, string>): Promise<Outcome> {
  const child = spawn('python3', ['-c', script], { env: { PATH: process.env.PATH ?? '', ...ONE_TRY, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { status, stdout, stderr };
}

type Route = (request: IncomingMessage, body: Buffer) => [number, unknown] | undefined;

/** A node HTTP server answering with `route`'s JSON (a Buffer as it is), 404 for what it does not know. */
class StandIn {
  public readonly requests: string[] = [];
  public url = '';
  private server?: Server;

  constructor(private readonly route: Route) {}

  public async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => {
        this.requests.push(`${request.method} ${request.url}`);
        const [status, body] = this.route(request, Buffer.concat(chunks)) ?? [404, { error_code: 'RESOURCE_DOES_NOT_EXIST' }];
        response.writeHead(status, { 'Content-Type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json' });
        response.end(Buffer.isBuffer(body) ? body : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

const POSTGRES = serverAvailable('postgresql', [`${postgresBinaries()}/initdb`, '/usr/bin/psql']);
(POSTGRES ? describe : describe.skip)('the Postgres check against a real PostgreSQL', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startPostgres('admin');
    const admin = (sql: string, vars: string[] = []) => spawnSync('psql', ['--no-psqlrc', '-v', 'ON_ERROR_STOP=1', ...vars, '-c', sql],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PGHOST: '127.0.0.1', PGPORT: String(server.port), PGUSER: 'postgres', PGPASSWORD: 'admin' } });
    expect(admin('CREATE DATABASE mlflow').status).toBe(0);
    // psql quotes the variable as a literal, so the password of every special character arrives as it is.
    expect(spawnSync('psql', ['--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-v', `pw=${SPECIAL_PASSWORD}`], {
      encoding: 'utf8',
      input: "CREATE USER mlflow PASSWORD :'pw';\n",
      env: { PATH: process.env.PATH ?? '', PGHOST: '127.0.0.1', PGPORT: String(server.port), PGUSER: 'postgres', PGPASSWORD: 'admin' },
    }).status).toBe(0);
  });
  afterAll(() => server?.stop());

  const env = (password: string) => ({
    PGHOST: '127.0.0.1', PGPORT: String(server.port), PGDATABASE: 'mlflow', PGCONNECT_TIMEOUT: '10', DB_USER: 'mlflow', DB_PASSWORD: password,
  });

  test('SELECT 1 succeeds as the database user with a password of every special character', () => {
    // WHEN
    const outcome = runShell(POSTGRES_CHECK_SCRIPT, env(SPECIAL_PASSWORD));
    // THEN
    expect(outcome).toEqual({ status: 0, stdout: `ok: PostgreSQL database mlflow at 127.0.0.1:${server.port} as mlflow\n`, stderr: '' });
  });

  test('a wrong password fails the check with the server\'s answer', () => {
    // WHEN
    const outcome = runShell(POSTGRES_CHECK_SCRIPT, env('wrong'));
    // THEN
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toContain(`smoke test failed: PostgreSQL database mlflow at 127.0.0.1:${server.port} as mlflow: `);
    expect(outcome.stderr).toContain('password authentication failed for user "mlflow"');
  });

  test('retries SMOKE_ATTEMPTS times, SMOKE_RETRY_SECONDS apart, before it fails', () => {
    // WHEN
    const outcome = runShell(POSTGRES_CHECK_SCRIPT, { ...env('wrong'), SMOKE_ATTEMPTS: '2' });
    // THEN
    expect(outcome.status).toBe(1);
    expect(outcome.stdout).toContain(`PostgreSQL database mlflow at 127.0.0.1:${server.port} as mlflow: not yet (attempt 1 of 2): `);
  });
});

const MARIADB = serverAvailable('mariadb-server', ['/usr/sbin/mariadbd', '/usr/bin/mysql']);
(MARIADB ? describe : describe.skip)('the MySQL check against a real MariaDB', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startMariadb('admin');
    const quoted = SPECIAL_PASSWORD.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    const sql = `CREATE DATABASE mlflow; CREATE USER 'mlflow'@'%' IDENTIFIED BY '${quoted}'; GRANT ALL ON mlflow.* TO 'mlflow'@'%';`;
    expect(spawnSync('mysql', ['--host=127.0.0.1', `--port=${server.port}`, '--user=root'], {
      encoding: 'utf8', input: sql, env: { PATH: process.env.PATH ?? '', MYSQL_PWD: 'admin' },
    }).status).toBe(0);
  });
  afterAll(() => server?.stop());

  const env = (password: string) => ({ MYSQL_HOST: '127.0.0.1', MYSQL_TCP_PORT: String(server.port), DB_NAME: 'mlflow', DB_USER: 'mlflow', DB_PASSWORD: password });

  test('SELECT 1 succeeds as the database user with a password of every special character', () => {
    // WHEN
    const outcome = runShell(mysqlCheckScript(), env(SPECIAL_PASSWORD));
    // THEN
    expect(outcome).toEqual({ status: 0, stdout: `ok: MySQL database mlflow at 127.0.0.1:${server.port} as mlflow\n`, stderr: '' });
  });

  test('a wrong password fails the check with the server\'s answer', () => {
    // WHEN
    const outcome = runShell(mysqlCheckScript(), env('wrong'));
    // THEN
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toContain(`smoke test failed: MySQL database mlflow at 127.0.0.1:${server.port} as mlflow: `);
    expect(outcome.stderr).toContain('Access denied');
  });

  test('with TLS the client verifies the server\'s certificate and host name', () => {
    expect(mysqlCheckScript('/etc/mlops/ca/ca.crt')).toContain('--database="$DB_NAME" --ssl-mode=VERIFY_IDENTITY --ssl-ca=/etc/mlops/ca/ca.crt ');
  });
});

const REDIS = serverAvailable('redis-server', ['/usr/bin/redis-server', '/usr/bin/redis-cli']);
(REDIS ? describe : describe.skip)('the Redis check against a real redis-server', () => {
  let port: number;
  let dir: string;
  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'redis-smoke-'));
    const server = spawnSync('sh', ['-c', `redis-server --port ${port} --bind 127.0.0.1 --dir ${dir} --save '' > ${dir}/log 2>&1 &`]);
    expect(server.status).toBe(0);
    for (let attempt = 0; attempt < 50 && spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().trim() !== 'PONG'; attempt++) {
      spawnSync('sleep', ['0.1']);
    }
    // As an argument, not through a shell: the password arrives as it is.
    expect(spawnSync('redis-cli', ['-p', String(port), 'CONFIG', 'SET', 'requirepass', SPECIAL_PASSWORD], { encoding: 'utf8' }).stdout.trim()).toBe('OK');
  });
  afterAll(() => {
    spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { env: { PATH: process.env.PATH ?? '', REDISCLI_AUTH: SPECIAL_PASSWORD } });
    rmSync(dir, { recursive: true, force: true });
  });

  test('PING answers PONG with a password of every special character', () => {
    // WHEN
    const outcome = runShell(redisCheckScript(false), { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port), REDIS_PASSWORD: SPECIAL_PASSWORD });
    // THEN
    expect(outcome).toEqual({ status: 0, stdout: `ok: Redis at 127.0.0.1:${port}\n`, stderr: '' });
  });

  test('a wrong password fails the check with the server\'s answer', () => {
    // WHEN
    const outcome = runShell(redisCheckScript(false), { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port), REDIS_PASSWORD: 'wrong' });
    // THEN
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toMatch(new RegExp(`^smoke test failed: Redis at 127.0.0.1:${port}: .*(WRONGPASS|invalid username-password)`, 's'));
  });
});

describe('the bucket check with a stand-in mc', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mc-smoke-'));
    // Records its arguments and stdin, and accepts only the granted user's keys on stdin.
    writeFileSync(join(dir, 'mc'), `#!/bin/sh
echo "$*" >> "${dir}/calls"
case "$3" in
  alias) cat > "${dir}/stdin"; [ "$(cat "${dir}/stdin")" = "$(printf '%s\\n%s' "$EXPECTED_KEY" "$EXPECTED_SECRET")" ] || { echo "mc: <ERROR> Unable to initialize new alias: The Access Key Id you provided does not exist" >&2; exit 1; } ;;
  ls) echo '[2026-11-23 10:00:00 UTC]   12B STANDARD data.csv' ;;
esac
`);
    chmodSync(join(dir, 'mc'), 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const env = (secret: string) => ({
    PATH: `${dir}:${process.env.PATH}`,
    S3_URL: 'http://minio.mlops.svc:9000',
    BUCKET: 'models',
    S3_ACCESS_KEY: 'smoke',
    S3_SECRET_KEY: secret,
    EXPECTED_KEY: 'smoke',
    EXPECTED_SECRET: SPECIAL_PASSWORD,
  });

  test('gives mc the keys on stdin and lists the bucket', () => {
    // WHEN
    const outcome = runShell(bucketCheckScript(true), env(SPECIAL_PASSWORD));
    // THEN
    expect(outcome).toEqual({ status: 0, stdout: 'ok: listing bucket models at http://minio.mlops.svc:9000 with the granted user\n', stderr: '' });
    expect(readFileSync(join(dir, 'calls'), 'utf8').split('\n').slice(-3, -1)).toEqual([
      '--config-dir /tmp/mc alias set smoke http://minio.mlops.svc:9000 --path on',
      '--config-dir /tmp/mc ls smoke/models',
    ]);
  });

  test('refused keys fail the check with mc\'s message', () => {
    // WHEN
    const outcome = runShell(bucketCheckScript(false), env('wrong'));
    // THEN
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toBe('smoke test failed: listing bucket models at http://minio.mlops.svc:9000 with the granted user: '
      + 'mc: <ERROR> Unable to initialize new alias: The Access Key Id you provided does not exist\n');
  });
});

describe('the MLflow check against a stand-in MLflow', () => {
  const runs = new Map<string, { metrics: any[]; status: string }>();
  const artifacts = new Map<string, Buffer>();
  let artifactRoot = 'mlflow-artifacts:';
  const mlflow = new StandIn((request, body) => {
    const url = new URL(request.url!, 'http://x');
    const path = url.pathname.replace(/^\/mlflow/, '');
    const json = body.length > 0 && !path.includes('mlflow-artifacts') ? JSON.parse(body.toString()) : {};
    if (request.headers.authorization !== basicAuth('admin', SPECIAL_PASSWORD)) return [401, { error_code: 'UNAUTHENTICATED' }];
    if (path === '/api/2.0/mlflow/experiments/get-by-name') return undefined;
    if (path === '/api/2.0/mlflow/experiments/create') return [200, { experiment_id: '7' }];
    if (path === '/api/2.0/mlflow/runs/create') {
      const runId = `run${runs.size}`;
      runs.set(runId, { metrics: [], status: 'RUNNING' });
      return [200, { run: { info: { run_id: runId, artifact_uri: `${artifactRoot}/${json.experiment_id}/${runId}/artifacts` }, data: {} } }];
    }
    if (path === '/api/2.0/mlflow/runs/log-metric') {
      runs.get(json.run_id)!.metrics.push({ key: json.key, value: json.value, timestamp: json.timestamp, step: json.step });
      return [200, {}];
    }
    if (path.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) {
      if (request.method === 'PUT') artifacts.set(path, body);
      return artifacts.has(path) ? [200, artifacts.get(path)!] : undefined;
    }
    if (path === '/api/2.0/mlflow/runs/get') return [200, { run: { data: { metrics: runs.get(url.searchParams.get('run_id')!)!.metrics } } }];
    if (path === '/api/2.0/mlflow/runs/update') {
      runs.get(json.run_id)!.status = json.status;
      return [200, {}];
    }
    return undefined;
  });
  beforeAll(() => mlflow.start());
  afterAll(() => mlflow.stop());

  const env = () => ({ MLFLOW_TRACKING_URI: `${mlflow.url}/mlflow`, MLFLOW_TRACKING_USERNAME: 'admin', MLFLOW_TRACKING_PASSWORD: SPECIAL_PASSWORD });

  test('creates the experiment, logs a metric and an artifact, reads both back and finishes the run', async () => {
    // WHEN
    const outcome = await runPython(MLFLOW_CHECK_SCRIPT, env());
    // THEN
    expect(outcome).toEqual({ status: 0, stdout: `ok: MLflow at ${mlflow.url}/mlflow: run run0 of experiment 7\n`, stderr: '' });
    expect(artifacts.get('/api/2.0/mlflow-artifacts/artifacts/7/run0/artifacts/smoke.txt')?.toString()).toBe('smoke test run run0');
    expect(runs.get('run0')).toEqual({ metrics: [expect.objectContaining({ key: 'smoke', value: 1, step: 0 })], status: 'FINISHED' });
  });

  test('a run whose artifacts bypass the proxy fails the check with the fix', async () => {
    // GIVEN
    artifactRoot = 's3://mlflow-artifacts';
    // WHEN
    const outcome = await runPython(MLFLOW_CHECK_SCRIPT, env());
    artifactRoot = 'mlflow-artifacts:';
    // THEN
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toBe(`smoke test failed: MLflow at ${mlflow.url}/mlflow: run run1 stores artifacts at s3://mlflow-artifacts/7/run1/artifacts, `
      + "not through the server's artifact proxy; start the server with --serve-artifacts\n");
  });

  test('refused credentials fail the check with the HTTP status', async () => {
    // WHEN
    const outcome = await runPython(MLFLOW_CHECK_SCRIPT, { ...env(), MLFLOW_TRACKING_PASSWORD: 'wrong' });
    // THEN
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toBe(`smoke test failed: MLflow at ${mlflow.url}/mlflow: GET ${mlflow.url}/mlflow/api/2.0/mlflow/experiments/get-by-name`
      + '?experiment_name=smoke-test: HTTP 401 {"error_code":"UNAUTHENTICATED"}\n');
  });
});

describe('the Airflow check against a stand-in api-server', () => {
  let health: Record<string, unknown> = {};
  let dags: string[] = [];
  const airflow = new StandIn((request, body) => {
    const url = new URL(request.url!, 'http://x');
    const path = url.pathname.replace(/^\/airflow/, '');
    if (path === '/api/v2/monitor/health') return [200, health];
    if (path === '/auth/token' && request.method === 'POST') {
      const credentials = JSON.parse(body.toString());
      return credentials.username === 'smoke-test' && credentials.password === SPECIAL_PASSWORD ? [201, { access_token: 'jwt' }] : [401, { detail: 'Invalid credentials' }];
    }
    if (request.headers.authorization !== 'Bearer jwt') return [401, { detail: 'Not authenticated' }];
    if (path === '/api/v2/dags') return [200, { dags: dags.slice(0, 1).map((dag_id) => ({ dag_id })), total_entries: dags.length }];
    const dag = /^\/api\/v2\/dags\/([^/]+)$/.exec(path)?.[1];
    return dag && dags.includes(dag) ? [200, { dag_id: dag }] : [404, { detail: 'DAG not found' }];
  });
  beforeAll(() => airflow.start());
  afterAll(() => airflow.stop());
  beforeEach(() => {
    health = { metadatabase: { status: 'healthy' }, scheduler: { status: 'healthy' }, triggerer: { status: 'healthy' }, dag_processor: { status: null } };
    dags = ['retrain', 'train'];
  });

  const env = (dagId = '') => ({ AIRFLOW_API_URL: `${airflow.url}/airflow`, AIRFLOW_USERNAME: 'smoke-test', AIRFLOW_PASSWORD: SPECIAL_PASSWORD, AIRFLOW_DAG_ID: dagId });

  test('healthy with parsed DAGs, or with the named DAG', async () => {
    expect(await runPython(AIRFLOW_CHECK_SCRIPT, env())).toEqual({ status: 0, stdout: `ok: Airflow at ${airflow.url}/airflow: 2 DAGs parsed\n`, stderr: '' });
    expect(await runPython(AIRFLOW_CHECK_SCRIPT, env('retrain'))).toEqual({ status: 0, stdout: `ok: Airflow at ${airflow.url}/airflow: DAG retrain parsed\n`, stderr: '' });
  });

  test('an unhealthy component, a missing DAG or no DAG at all fails the check', async () => {
    // GIVEN
    health.scheduler = { status: 'unhealthy' };
    // THEN
    expect((await runPython(AIRFLOW_CHECK_SCRIPT, env())).stderr)
      .toBe(`smoke test failed: Airflow at ${airflow.url}/airflow: GET ${airflow.url}/airflow/api/v2/monitor/health: scheduler is unhealthy\n`);
    health.scheduler = { status: 'healthy' };
    expect((await runPython(AIRFLOW_CHECK_SCRIPT, env('nightly'))).stderr).toBe(`smoke test failed: Airflow at ${airflow.url}/airflow: `
      + "DAG nightly is not parsed (yet): check git-sync's logs and GET /api/v2/importErrors\n");
    dags = [];
    const outcome = await runPython(AIRFLOW_CHECK_SCRIPT, env());
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toBe(`smoke test failed: Airflow at ${airflow.url}/airflow: no DAG is parsed (yet): check git-sync's logs and GET /api/v2/importErrors\n`);
  });

  test('a refused password fails the check at the token', async () => {
    const outcome = await runPython(AIRFLOW_CHECK_SCRIPT, { ...env(), AIRFLOW_PASSWORD: 'wrong' });
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toBe(`smoke test failed: Airflow at ${airflow.url}/airflow: POST ${airflow.url}/airflow/auth/token: HTTP 401 {"detail":"Invalid credentials"}\n`);
  });
});

describe('the Prometheus and Grafana checks against stand-ins', () => {
  let series: Array<{ job: string; instance: string; up: string }> = [];
  let datasourceStatus = 'OK';
  const prometheus = new StandIn((request) => {
    const url = new URL(request.url!, 'http://x');
    if (url.pathname !== '/prometheus/api/v1/query' || url.searchParams.get('query') !== 'up') return undefined;
    return [200, { status: 'success', data: { resultType: 'vector', result: series.map((s) => ({ metric: { __name__: 'up', job: s.job, instance: s.instance }, value: [1, s.up] })) } }];
  });
  const grafana = new StandIn((request) => {
    if (request.headers.authorization !== basicAuth('admin', SPECIAL_PASSWORD)) return [401, { message: 'Unauthorized' }];
    const uid = /^\/grafana\/api\/datasources\/uid\/([^/]+)\/health$/.exec(request.url!)?.[1];
    if (uid === 'prometheus') return [200, { status: datasourceStatus, message: datasourceStatus === 'OK' ? 'Successfully queried the Prometheus API.' : 'connection refused' }];
    return uid ? [404, { message: 'Data source not found' }] : undefined;
  });
  beforeAll(async () => {
    await prometheus.start();
    await grafana.start();
  });
  afterAll(async () => {
    await prometheus.stop();
    await grafana.stop();
  });

  test('Prometheus: every target up passes; none, or one down, fails naming it', async () => {
    const env = { PROMETHEUS_URL: `${prometheus.url}/prometheus` };
    series = [{ job: 'minio', instance: '10.0.0.1:9000', up: '1' }, { job: 'mlflow', instance: '10.0.0.2:5000', up: '1' }];
    expect(await runPython(PROMETHEUS_CHECK_SCRIPT, env)).toEqual({ status: 0, stdout: `ok: Prometheus at ${prometheus.url}/prometheus: 2 targets up\n`, stderr: '' });
    series[1].up = '0';
    expect((await runPython(PROMETHEUS_CHECK_SCRIPT, env)).stderr).toBe(`smoke test failed: Prometheus at ${prometheus.url}/prometheus: 1 of 2 targets are down: mlflow/10.0.0.2:5000\n`);
    series = [];
    const outcome = await runPython(PROMETHEUS_CHECK_SCRIPT, env);
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toBe(`smoke test failed: Prometheus at ${prometheus.url}/prometheus: the query up returns nothing: Prometheus scrapes no target (yet)\n`);
  });

  test('Grafana: a healthy data source passes; an unhealthy or unknown one fails', async () => {
    const env = (uids: string) => ({ GRAFANA_URL: `${grafana.url}/grafana`, GRAFANA_USERNAME: 'admin', GRAFANA_PASSWORD: SPECIAL_PASSWORD, GRAFANA_DATASOURCES: uids });
    expect(await runPython(GRAFANA_CHECK_SCRIPT, env('prometheus'))).toEqual({ status: 0, stdout: `ok: Grafana at ${grafana.url}/grafana: data sources prometheus healthy\n`, stderr: '' });
    datasourceStatus = 'ERROR';
    expect((await runPython(GRAFANA_CHECK_SCRIPT, env('prometheus'))).stderr).toBe(`smoke test failed: Grafana at ${grafana.url}/grafana: data source prometheus is ERROR: connection refused\n`);
    datasourceStatus = 'OK';
    const outcome = await runPython(GRAFANA_CHECK_SCRIPT, env('prometheus,loki'));
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toBe(`smoke test failed: Grafana at ${grafana.url}/grafana: GET ${grafana.url}/grafana/api/datasources/uid/loki/health: HTTP 404 {"message":"Data source not found"}\n`);
  });
});

describe('the model check against a stand-in Open Inference Protocol server', () => {
  let ready = true;
  let outputs: unknown[] = [{ name: 'predict', shape: [1], datatype: 'INT64', data: [1] }];
  const received: any[] = [];
  const model = new StandIn((request, body) => {
    if (request.headers['seldon-model'] !== 'iris') return [404, { error: 'no route' }];
    if (request.url === '/v2/health/ready') return [200, {}];
    if (request.url === '/v2/models/iris/ready') return ready ? [200, {}] : [503, { error: 'Model iris is not ready' }];
    if (request.url === '/v2/models/iris/infer' && request.method === 'POST') {
      received.push(JSON.parse(body.toString()));
      return [200, { model_name: 'iris', outputs }];
    }
    return undefined;
  });
  beforeAll(() => model.start());
  afterAll(() => model.stop());

  const request = '{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4]]}]}';
  const env = (inference: string) => ({ MODEL_URL: model.url, MODEL_NAME: 'iris', MODEL_HEADERS: '{"Seldon-Model":"iris"}', INFERENCE_REQUEST: inference });

  test('ready, and one inference answers outputs', async () => {
    expect(await runPython(MODEL_CHECK_SCRIPT, env(''))).toEqual({ status: 0, stdout: `ok: model iris at ${model.url}: ready\n`, stderr: '' });
    expect(await runPython(MODEL_CHECK_SCRIPT, env(request)))
      .toEqual({ status: 0, stdout: `ok: model iris at ${model.url}: ready, and an inference answered 1 outputs\n`, stderr: '' });
    expect(received).toEqual([JSON.parse(request)]);
  });

  test('a model that is not ready, or answers no outputs, fails the check', async () => {
    ready = false;
    expect((await runPython(MODEL_CHECK_SCRIPT, env(request))).stderr)
      .toBe(`smoke test failed: model iris at ${model.url}: GET ${model.url}/v2/models/iris/ready: HTTP 503 {"error":"Model iris is not ready"}\n`);
    ready = true;
    outputs = [];
    const outcome = await runPython(MODEL_CHECK_SCRIPT, env(request));
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toBe(`smoke test failed: model iris at ${model.url}: POST ${model.url}/v2/models/iris/infer answered no outputs: {"model_name": "iris", "outputs": []}\n`);
  });
});
