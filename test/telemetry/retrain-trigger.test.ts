import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { FakeAirflow } from './fake-airflow';
import {
  Alertmanager, FederatedPrometheus, GitSyncAirflow, MlopsAlerts, RetrainTrigger, RetrainTriggerProps, SecretSource,
} from '../../src';
import { airflow, fixture } from '../orchestration/fixtures';
import { freePort } from '../real-servers';
import { container, envOf, generatedSecretSpec, objectNamed, objectsOfKind, podSpec, synthValid } from '../util';

function trigger(props: Partial<RetrainTriggerProps> = {}): { manifests: any[]; trigger: RetrainTrigger; airflow: GitSyncAirflow } {
  const f = fixture();
  const af = airflow(f);
  const made = new RetrainTrigger(f.chart, 'Retrain', { airflow: af, dags: { ModelDrifted: 'retrain' }, ...props });
  return { manifests: synthValid(f.chart), trigger: made, airflow: af };
}

describe('RetrainTrigger manifests', () => {
  const { manifests, trigger: made } = trigger();
  const deployment = objectNamed(manifests, 'Deployment', 'retrain');
  const receiver = container(deployment, 'receiver');
  const config = JSON.parse(objectNamed(manifests, 'ConfigMap', 'retrain-config').data['config.json']);

  test('the receiver runs the script from its ConfigMap as nobody, with the Airflow user from its Secret', () => {
    expect(receiver.command).toEqual(['python3', '-u', '/etc/retrain-trigger/receiver.py']);
    expect(receiver.image).toBe('docker.io/library/python:3.13.15-slim-bookworm');
    expect(podSpec(deployment).securityContext).toMatchObject({ runAsUser: 65534, runAsNonRoot: true });
    const env = envOf(receiver);
    expect(env.RETRAIN_TRIGGER_CONFIG).toEqual({ value: '/etc/retrain-trigger/config.json' });
    const secret = objectNamed(manifests, 'Secret', 'apiuser-retrain-trigger').metadata.name;
    expect(env.AIRFLOW_USERNAME).toEqual({ valueFrom: { secretKeyRef: { name: secret, key: 'username' } } });
    expect(env.AIRFLOW_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: secret, key: 'password' } } });
    expect(receiver.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 8080, scheme: 'HTTP' });
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('the config points at the api-server with the mapping, cooldown and retries', () => {
    expect(config).toEqual({
      airflowUrl: `http://${objectNamed(manifests, 'Service', 'airflow-service').metadata.name}.mlops.svc:8080`,
      dags: { ModelDrifted: 'retrain' },
      cooldownSeconds: 3600,
      cooldownLabel: 'model',
      retries: 4,
      backoffSeconds: 2,
      webhookPort: 8080,
      metricsPort: 9102,
    });
    expect(made.webhookUrl).toMatch(/^http:\/\/test-retrain-service-[0-9a-f]+\.mlops\.svc:8080\/alerts$/);
  });

  test('a Job creates the Airflow user with the role User, and the api-server lets the receiver in', () => {
    const job = objectsOfKind(manifests, 'Job').find((j) => j.metadata.name.includes('apiuser-retrain-trigger'));
    const env = envOf(container(job, 'create-api-user'));
    expect(env.API_ROLE).toEqual({ value: 'User' });
    expect(generatedSecretSpec(manifests, 'apiuser-retrain-trigger')).toMatchObject({ values: { username: 'retrain-trigger' } });
    const script = container(job, 'create-api-user').command.join(' ');
    expect(script).toContain('airflow users create --role "$API_ROLE" --username "$API_USERNAME"');
    expect(script).toContain('airflow users reset-password --username "$API_USERNAME" --password "$API_PASSWORD"');
    const policy = objectNamed(manifests, 'NetworkPolicy', 'airflow-allowfrom-test-retrain');
    expect(policy.spec.podSelector.matchLabels).toEqual({ 'cdk8s.io/metadata.addr': 'test-Airflow-ApiServer-c88b6c24' });
    expect(policy.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mlops' } }, podSelector: { matchLabels: { 'cdk8s.io/metadata.addr': 'test-Retrain-c8c4b7e2' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
  });

  test('the receiver may reach only DNS and the api-server', () => {
    const egress = objectNamed(manifests, 'NetworkPolicy', 'retrain-egress');
    expect(egress.spec.policyTypes).toEqual(['Egress']);
    expect(egress.spec.egress).toHaveLength(2);
    expect(egress.spec.egress[0]).toEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mlops' } }, podSelector: { matchLabels: { 'cdk8s.io/metadata.addr': 'test-Airflow-ApiServer-c88b6c24' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
    expect(egress.spec.egress[1].ports).toEqual([{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }]);
  });

  test('its metrics are a scrape target on their own port', () => {
    expect(made.scrapeTargets).toEqual([expect.objectContaining({ name: 'retrain-trigger', endpoints: [{ port: 'metrics', path: '/metrics' }] })]);
    expect(objectNamed(manifests, 'Service', 'retrain-service').spec.ports.map((p: any) => [p.name, p.port])).toEqual([['webhook', 8080], ['metrics', 9102]]);
  });
});

describe('RetrainTrigger bad input', () => {
  const make = (props: Partial<RetrainTriggerProps>) => () => trigger(props);

  test('a DAG id Airflow would reject', () => {
    expect(make({ dags: { ModelDrifted: 'retrain model' } })).toThrow(
      "RetrainTrigger 'test/Retrain': dags: DAG id 'retrain model' of alert 'ModelDrifted' is invalid: Airflow accepts only letters, digits, '_', '.' and '-', at most 250; e.g. 'retrain'");
  });

  test('a cooldown of 0', () => {
    expect(make({ cooldown: Duration.seconds(0) })).toThrow(
      "RetrainTrigger 'test/Retrain': cooldown '0 seconds' is invalid: must be whole seconds, at least 1 second; e.g. Duration.hours(1)");
  });

  test('an alert name Prometheus would not have', () => {
    expect(make({ dags: { 'model-drifted': 'retrain' } })).toThrow(
      "RetrainTrigger 'test/Retrain': dags: alert name 'model-drifted' is invalid: must be a Prometheus alert name (letters, digits and '_', not starting with a digit), e.g. 'ModelDrifted'");
  });

  test('an alert name no rule defines is refused where the route to the trigger is made', () => {
    const f = fixture();
    const prometheus = new FederatedPrometheus(f.chart, 'Prometheus', { clusterName: 'central' });
    const alertmanager = new Alertmanager(f.chart, 'Alertmanager', { configLabels: prometheus.monitorLabels });
    prometheus.addAlertmanager(alertmanager.alertmanagerEndpoint);
    const made = new RetrainTrigger(f.chart, 'Retrain', { airflow: airflow(f), dags: { ModelDrfted: 'retrain' } });
    expect(() => prometheus.addAlertRoute('retrain', { alerts: Object.keys(made.dags), webhookUrl: made.webhookUrl })).toThrow(
      "FederatedPrometheus 'test/Prometheus': addAlertRoute('retrain'): alerts is invalid: 'ModelDrfted' is not defined here; use "
      + MlopsAlerts.ALL.join(', '));
  });

  test('no DAGs, a bad label, a user taken twice', () => {
    expect(make({ dags: {} })).toThrow("dags is invalid: it is empty; map at least one alert to the DAG it starts, e.g. { ModelDrifted: 'retrain' }");
    expect(make({ cooldownLabel: 'model-name' })).toThrow("cooldownLabel 'model-name' is invalid: must be a Prometheus label name");
    const f = fixture();
    const af = airflow(f);
    new RetrainTrigger(f.chart, 'One', { airflow: af, dags: { ModelDrifted: 'retrain' } });
    expect(() => new RetrainTrigger(f.chart, 'Two', { airflow: af, dags: { ModelDrifted: 'retrain' } })).toThrow(
      "GitSyncAirflow 'test/Airflow': grantTriggerDagRuns: username 'retrain-trigger' is invalid: it was granted already; give each client its own user");
  });
});

/** The receiver script as synthesized, run with python3 against a fake Airflow. */
class RunningReceiver {
  public output = '';
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'retrain-trigger-'));

  constructor(private readonly configMap: any) {}

  public async start(airflowUrl: string, overrides: Record<string, unknown> = {}): Promise<{ webhook: string; metrics: string }> {
    const [webhookPort, metricsPort] = [await freePort(), await freePort()];
    const config = { ...JSON.parse(this.configMap.data['config.json']), airflowUrl, webhookPort, metricsPort, backoffSeconds: 0.05, ...overrides };
    writeFileSync(join(this.dir, 'receiver.py'), this.configMap.data['receiver.py']);
    writeFileSync(join(this.dir, 'config.json'), JSON.stringify(config));
    this.process = spawn('python3', ['-u', join(this.dir, 'receiver.py')], {
      env: {
        PATH: process.env.PATH ?? '',
        RETRAIN_TRIGGER_CONFIG: join(this.dir, 'config.json'),
        AIRFLOW_USERNAME: 'retrain-trigger',
        AIRFLOW_PASSWORD: 'secret-password',
      },
    });
    this.process.stdout!.on('data', (chunk) => (this.output += chunk));
    this.process.stderr!.on('data', (chunk) => (this.output += chunk));
    const webhook = `http://127.0.0.1:${webhookPort}`;
    for (let attempt = 0; attempt < 100; attempt++) {
      const ready = await fetch(`${webhook}/healthz`).then((r) => r.ok, () => false);
      if (ready) {
        return { webhook, metrics: `http://127.0.0.1:${metricsPort}/metrics` };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the receiver did not become ready:\n${this.output}`);
  }

  public stop(): void {
    this.process?.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function alert(status: string, labels: Record<string, string>, fingerprint: string, startsAt = '2026-12-03T10:00:00.000Z') {
  return { status, labels: { alertname: 'ModelDrifted', severity: 'warning', ...labels }, annotations: {}, startsAt, fingerprint };
}

async function notify(webhook: string, alerts: any[]): Promise<number> {
  const response = await fetch(`${webhook}/alerts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ version: '4', status: alerts[0].status, receiver: 'webhook', groupLabels: {}, commonLabels: {}, alerts }),
  });
  return response.status;
}

async function metric(metrics: string, series: string): Promise<number> {
  const text = await (await fetch(metrics)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  if (!line) {
    throw new Error(`no series ${series} in:\n${text}`);
  }
  return Number(line.split(' ')[1]);
}

describe('the receiver against a real HTTP server standing in for Airflow', () => {
  const configMap = objectNamed(trigger({ dags: { ModelDrifted: 'retrain', ModelHighErrorRatio: 'retrain' } }).manifests, 'ConfigMap', 'retrain-config');
  let fake: FakeAirflow;
  let receiver: RunningReceiver;
  let urls: { webhook: string; metrics: string };

  beforeEach(async () => {
    fake = new FakeAirflow('/airflow', { username: 'retrain-trigger', password: 'secret-password' });
    fake.dags.set('retrain', false);
    receiver = new RunningReceiver(configMap);
    urls = await receiver.start(await fake.start());
  });

  afterEach(async () => {
    receiver.stop();
    await fake.stop();
  });

  test('a firing alert starts a run with a token, logical_date null and the labels in conf', async () => {
    expect(await notify(urls.webhook, [alert('firing', { model: 'iris', namespace: 'mlops' }, 'a1b2c3')])).toBe(200);
    expect(fake.requests).toEqual(['POST /auth/token', 'GET /api/v2/dags/retrain', 'POST /api/v2/dags/retrain/dagRuns']);
    expect(fake.runs).toEqual([{
      dagId: 'retrain',
      body: {
        dag_run_id: 'alert__a1b2c3__20261203T100000000Z',
        logical_date: null,
        conf: {
          alertname: 'ModelDrifted',
          severity: 'warning',
          model: 'iris',
          namespace: 'mlops',
          alert_fingerprint: 'a1b2c3',
          alert_starts_at: '2026-12-03T10:00:00.000Z',
        },
        note: 'Started by RetrainTrigger on alert ModelDrifted',
      },
    }]);
    expect(await metric(urls.metrics, 'retrain_trigger_runs_triggered_total{dag_id="retrain"}')).toBe(1);
    expect(await metric(urls.metrics, 'retrain_trigger_alerts_received_total')).toBe(1);
  });

  test('a notification sent again is deduplicated by Airflow (409 on the run id) after a restart', async () => {
    expect(await notify(urls.webhook, [alert('firing', { model: 'iris' }, 'a1b2c3')])).toBe(200);
    receiver.stop();
    receiver = new RunningReceiver(configMap);
    urls = await receiver.start(fake.url);
    expect(await notify(urls.webhook, [alert('firing', { model: 'iris' }, 'a1b2c3')])).toBe(200);
    expect(fake.runs).toHaveLength(1);
    expect(await metric(urls.metrics, 'retrain_trigger_alerts_suppressed_total{reason="duplicate"}')).toBe(1);
  });

  test('the cooldown suppresses a second run for the same model, not for another', async () => {
    await notify(urls.webhook, [alert('firing', { model: 'iris' }, 'a1')]);
    await notify(urls.webhook, [
      alert('firing', { model: 'iris', alertname: 'ModelHighErrorRatio' }, 'b2'),
      alert('firing', { model: 'wine' }, 'c3'),
    ]);
    expect(fake.runs.map((run) => run.body.conf.model)).toEqual(['iris', 'wine']);
    expect(await metric(urls.metrics, 'retrain_trigger_alerts_suppressed_total{reason="cooldown"}')).toBe(1);
    expect(receiver.output).toContain('"reason": "cooldown"');
  });

  test('resolved alerts are ignored', async () => {
    expect(await notify(urls.webhook, [alert('resolved', { model: 'iris' }, 'a1')])).toBe(200);
    expect(fake.requests).toEqual([]);
    expect(await metric(urls.metrics, 'retrain_trigger_alerts_suppressed_total{reason="resolved"}')).toBe(1);
  });

  test('an expired or revoked token is replaced once (401), and the call goes through', async () => {
    await notify(urls.webhook, [alert('firing', { model: 'iris' }, 'a1')]);
    fake.revokeTokens();
    await notify(urls.webhook, [alert('firing', { model: 'wine' }, 'b2')]);
    expect(fake.runs).toHaveLength(2);
    expect(fake.requests.filter((r) => r === 'POST /auth/token')).toHaveLength(2);
  });

  test('Airflow answering 503 is retried with backoff until it answers', async () => {
    fake.failNext = 3;
    expect(await notify(urls.webhook, [alert('firing', { model: 'iris' }, 'a1')])).toBe(200);
    expect(fake.runs).toHaveLength(1);
    expect(fake.requests.slice(0, 4)).toEqual(Array(4).fill('POST /auth/token'));
    expect(receiver.output.match(/"event": "retrying"/g)).toHaveLength(3);
  });

  test('when Airflow stays down the webhook answers 503 so that Alertmanager sends again', async () => {
    fake.failNext = 100;
    expect(await notify(urls.webhook, [alert('firing', { model: 'iris' }, 'a1')])).toBe(503);
    expect(fake.requests).toHaveLength(5);
    expect(await metric(urls.metrics, 'retrain_trigger_alerts_failed_total{reason="unreachable"}')).toBe(1);
  });

  test('a paused DAG is reported, not queued', async () => {
    fake.dags.set('retrain', true);
    expect(await notify(urls.webhook, [alert('firing', { model: 'iris' }, 'a1')])).toBe(200);
    expect(fake.runs).toEqual([]);
    expect(await metric(urls.metrics, 'retrain_trigger_alerts_failed_total{reason="dag_paused"}')).toBe(1);
    expect(receiver.output).toContain('the DAG is paused, so a run would stay queued');
  });

  test('with tracing, each alert handled is a span sent as OTLP/HTTP JSON', async () => {
    receiver.stop();
    receiver = new RunningReceiver(configMap);
    urls = await receiver.start(fake.url, { otlpTracesUrl: fake.url.replace(/\/airflow$/, '/v1/traces') });
    await notify(urls.webhook, [alert('firing', { model: 'iris', cluster: 'eu' }, 'a1')]);
    for (let attempt = 0; attempt < 50 && fake.spans.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(fake.spans).toHaveLength(1);
    const [span] = fake.spans;
    expect(span).toMatchObject({ name: 'alert ModelDrifted', kind: 2, status: { code: 1 } });
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(Object.fromEntries(span.attributes.map((a: any) => [a.key, a.value.stringValue]))).toEqual({
      'airflow.dag_id': 'retrain', 'alert.cluster': 'eu', 'alert.model': 'iris', 'alertname': 'ModelDrifted', 'outcome': 'triggered',
    });
  });

  test('an unknown DAG and an unmapped alert start nothing', async () => {
    fake.dags.delete('retrain');
    await notify(urls.webhook, [alert('firing', { model: 'iris' }, 'a1'), alert('firing', { alertname: 'ScrapeTargetDown' }, 'b2')]);
    expect(await metric(urls.metrics, 'retrain_trigger_alerts_failed_total{reason="dag_not_found"}')).toBe(1);
    expect(await metric(urls.metrics, 'retrain_trigger_alerts_suppressed_total{reason="unmapped"}')).toBe(1);
  });
});

test('the password may come from an existing Secret', () => {
  const f = fixture();
  const af = airflow(f);
  new RetrainTrigger(f.chart, 'Retrain', {
    airflow: af,
    dags: { ModelDrifted: 'retrain' },
    password: SecretSource.fromSecret(kplus.Secret.fromSecretName(f.chart, 'RetrainSecret', 'airflow-retrain')),
  });
  const manifests = Testing.synth(f.chart);
  const env = envOf(container(objectNamed(manifests, 'Deployment', 'retrain'), 'receiver'));
  expect(env.AIRFLOW_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: 'airflow-retrain', key: 'password' } } });
});

test('the Airflow user must not be the admin, nor hold an \'@\'', () => {
  const f = fixture();
  const af = airflow(f);
  expect(() => new RetrainTrigger(f.chart, 'Admin', { airflow: af, dags: { ModelDrifted: 'retrain' }, username: 'admin' })).toThrow(
    "GitSyncAirflow 'test/Airflow': grantTriggerDagRuns: username 'admin' is invalid: must be 1-64 letters, digits or '_', '.', '-', and not the admin's; e.g. 'retrain-trigger'");
  expect(() => new RetrainTrigger(f.chart, 'Mail', { airflow: af, dags: { ModelDrifted: 'retrain' }, username: 'bot@example.com' })).toThrow(
    "username 'bot@example.com' is invalid");
});
