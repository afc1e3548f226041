import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** A dag run as the fake Airflow stored it. */
export interface StoredRun {
  readonly dagId: string;
  readonly body: any;
}

/** The fields of Airflow 3's `TriggerDAGRunPostBody`; the model forbids others (422). */
const TRIGGER_FIELDS = ['dag_run_id', 'data_interval_start', 'data_interval_end', 'logical_date', 'run_after', 'conf', 'note'];

/**
 * A real HTTP server standing in for Airflow 3's REST API under a base path: `POST /auth/token` (201 with a JWT whose
 * `exp` is in an hour), `GET /api/v2/dags/{dag_id}` and `POST /api/v2/dags/{dag_id}/dagRuns`, with the status codes
 * Airflow answers (401 without a valid token, 404 for an unknown DAG, 409 for a run id that exists, 422 for a body
 * the strict model refuses, `logical_date` missing included).
 */
export class FakeAirflow {
  public readonly runs: StoredRun[] = [];
  public readonly requests: string[] = [];
  /** The spans posted to `/v1/traces` (OTLP/HTTP JSON), outside the base path. */
  public readonly spans: any[] = [];
  /** DAG id → paused. */
  public readonly dags = new Map<string, boolean>();
  /** The next this many requests answer 503. */
  public failNext = 0;
  /** The API's base URL, once started. */
  public url = '';
  private readonly tokens = new Set<string>();
  private server?: Server;

  constructor(private readonly basePath: string, private readonly user: { username: string; password: string }) {}

  public async start(): Promise<string> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => this.answer(request, body, response));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.basePath}`;
    return this.url;
  }

  /** Forgets every token it issued, as after a restart with another JWT secret: the next call gets 401. */
  public revokeTokens(): void {
    this.tokens.clear();
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private answer(request: IncomingMessage, text: string, response: ServerResponse): void {
    const reply = (status: number, body: object) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'POST' && request.url === '/v1/traces') {
      this.spans.push(...JSON.parse(text).resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)));
      reply(200, {});
      return;
    }
    const path = (request.url ?? '').startsWith(this.basePath) ? request.url!.slice(this.basePath.length) : '';
    this.requests.push(`${request.method} ${path}`);
    if (this.failNext > 0) {
      this.failNext -= 1;
      reply(503, { detail: 'unavailable' });
      return;
    }
    if (request.method === 'POST' && path === '/auth/token') {
      const credentials = JSON.parse(text || '{}');
      if (credentials.username !== this.user.username || credentials.password !== this.user.password) {
        reply(401, { detail: 'Invalid credentials' });
        return;
      }
      const claims = Buffer.from(JSON.stringify({ sub: credentials.username, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
      const token = `eyJhbGciOiJIUzUxMiJ9.${claims}.signature${this.tokens.size}`;
      this.tokens.add(token);
      reply(201, { access_token: token });
      return;
    }
    if (!this.tokens.has((request.headers.authorization ?? '').replace(/^Bearer /, ''))) {
      reply(401, { detail: 'Not authenticated' });
      return;
    }
    const match = /^\/api\/v2\/dags\/([^/]+)(\/dagRuns)?$/.exec(path);
    const dagId = match ? decodeURIComponent(match[1]) : '';
    if (!match || !this.dags.has(dagId)) {
      reply(404, { detail: `The Dag with ID: \`${dagId}\` was not found` });
      return;
    }
    if (request.method === 'GET' && !match[2]) {
      reply(200, { dag_id: dagId, is_paused: this.dags.get(dagId) });
      return;
    }
    if (request.method === 'POST' && match[2]) {
      const body = JSON.parse(text);
      const extra = Object.keys(body).filter((key) => !TRIGGER_FIELDS.includes(key));
      if (!('logical_date' in body) || extra.length > 0) {
        reply(422, { detail: [{ type: extra.length > 0 ? 'extra_forbidden' : 'missing', loc: ['body', extra[0] ?? 'logical_date'] }] });
        return;
      }
      if (this.runs.some((run) => run.dagId === dagId && run.body.dag_run_id === body.dag_run_id)) {
        reply(409, { detail: `DAG with dag_id: '${dagId}' has already a DagRun with the same run_id` });
        return;
      }
      this.runs.push({ dagId, body });
      reply(200, { dag_id: dagId, dag_run_id: body.dag_run_id, state: 'queued' });
      return;
    }
    reply(405, { detail: 'Method Not Allowed' });
  }
}
