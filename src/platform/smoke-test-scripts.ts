// The scripts the smoke test Jobs run (`SmokeTests`). Each tries its check up to `SMOKE_ATTEMPTS` times,
// `SMOKE_RETRY_SECONDS` apart (a service may still be starting when `kubectl apply` users run it), prints `ok: <what>`
// and exits 0, or prints `smoke test failed: <what>: <why>` on stderr and exits 1. Credentials reach them only through
// env vars that reference Secrets; the shell scripts pass them to the clients in the clients' own env vars or on
// stdin, never in arguments or through a second round of shell parsing.

/** POSIX sh: runs `check` until it succeeds and its output (in `$output`) passes `accept`, or gives up. */
function retryingShell(what: string, check: string, accept: string): string {
  return `set -u
attempt=1
until output=$(${check} 2>&1) && ${accept}; do
  if [ "$attempt" -ge "$SMOKE_ATTEMPTS" ]; then
    echo "smoke test failed: ${what}: $output" >&2
    exit 1
  fi
  echo "${what}: not yet (attempt $attempt of $SMOKE_ATTEMPTS): $output"
  attempt=$((attempt + 1))
  sleep "$SMOKE_RETRY_SECONDS"
done
echo "ok: ${what}"`;
}

/**
 * `SELECT 1` with psql as the database's own user: `PGHOST`, `PGPORT`, `PGDATABASE` (and, with TLS, `PGSSLMODE`,
 * `PGSSLROOTCERT`) from the env, the user and password from `DB_USER` / `DB_PASSWORD`.
 */
export const POSTGRES_CHECK_SCRIPT = retryingShell(
  'PostgreSQL database $PGDATABASE at $PGHOST:$PGPORT as $DB_USER',
  'PGUSER="$DB_USER" PGPASSWORD="$DB_PASSWORD" psql --no-psqlrc --no-password --tuples-only --no-align --command=\'SELECT 1\'',
  '[ "$output" = 1 ]',
);

/**
 * `SELECT 1` with the mysql client as the database's own user (`MYSQL_HOST`, `MYSQL_TCP_PORT`, `DB_NAME`, `DB_USER`,
 * `DB_PASSWORD`); with `caFile` (the server runs TLS), verifying its certificate and host name.
 */
export function mysqlCheckScript(caFile?: string): string {
  const verify = caFile ? ` --ssl-mode=VERIFY_IDENTITY --ssl-ca=${caFile}` : '';
  return retryingShell(
    `MySQL database $DB_NAME at $MYSQL_HOST:$MYSQL_TCP_PORT as $DB_USER${caFile ? ' over TLS' : ''}`,
    `MYSQL_PWD="$DB_PASSWORD" mysql --host="$MYSQL_HOST" --port="$MYSQL_TCP_PORT" --user="$DB_USER" --database="$DB_NAME"${verify} `
      + '--connect-timeout=10 --batch --skip-column-names --execute=\'SELECT 1\'',
    '[ "$output" = 1 ]',
  );
}

/** `PING` with redis-cli (`REDIS_HOST`, `REDIS_PORT`, the password in `REDIS_PASSWORD`); with `tls`, verified by the bundle at `SSL_CERT_FILE`. */
export function redisCheckScript(tls: boolean): string {
  const flags = tls ? ' --tls --cacert "$SSL_CERT_FILE"' : '';
  return retryingShell(
    `Redis at $REDIS_HOST:$REDIS_PORT${tls ? ' over TLS' : ''}`,
    `REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT"${flags} ping`,
    '[ "$output" = PONG ]',
  );
}

/**
 * `mc ls` of `BUCKET` with the granted user's keys (`S3_ACCESS_KEY`, `S3_SECRET_KEY`, given to `mc alias set` on
 * stdin) at `S3_URL`; `mc` keeps its configuration in `/tmp/mc`.
 */
export function bucketCheckScript(pathStyle: boolean): string {
  return `mc() { command mc --config-dir /tmp/mc "$@"; }
${retryingShell(
  'listing bucket $BUCKET at $S3_URL with the granted user',
  `{ printf '%s\\n%s\\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" | mc alias set smoke "$S3_URL" --path ${pathStyle ? 'on' : 'auto'} > /dev/null && mc ls "smoke/$BUCKET"; }`,
  'true',
)}`;
}

/** What every HTTP check shares (Python 3 stdlib): requests, the answer check, and the retry loop. */
const HTTP_PRELUDE = String.raw`
import base64, json, os, sys, time, urllib.error, urllib.parse, urllib.request

ATTEMPTS = int(os.environ["SMOKE_ATTEMPTS"])
PAUSE = float(os.environ["SMOKE_RETRY_SECONDS"])


class Failed(Exception):
    pass


def call(method, url, body=None, headers=None, ok=(200,)):
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, method=method, data=data)
    request.add_header("Accept", "application/json")
    if body is not None and not isinstance(body, bytes):
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        raise Failed("%s %s: %s" % (method, url, getattr(error, "reason", error)))
    if status not in ok:
        raise Failed("%s %s: HTTP %s %s" % (method, url, status, text[:300].decode(errors="replace")))
    return status, text


def call_json(method, url, body=None, headers=None, ok=(200,)):
    status, text = call(method, url, body, headers, ok)
    try:
        return status, json.loads(text) if text else {}
    except ValueError:
        raise Failed("%s %s: HTTP %s, not JSON: %s" % (method, url, status, text[:300].decode(errors="replace")))


def basic_auth(username, password):
    return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (username, password)).encode()).decode()}


def run(what, check):
    for attempt in range(1, ATTEMPTS + 1):
        try:
            detail = check()
            print("ok: %s%s" % (what, ": " + detail if detail else ""), flush=True)
            return
        except Failed as error:
            if attempt >= ATTEMPTS:
                print("smoke test failed: %s: %s" % (what, error), file=sys.stderr, flush=True)
                sys.exit(1)
            print("%s: not yet (attempt %d of %d): %s" % (what, attempt, ATTEMPTS, error), flush=True)
            time.sleep(PAUSE)
`.trim();

/**
 * MLflow's REST API at `MLFLOW_TRACKING_URI` (basic auth from `MLFLOW_TRACKING_USERNAME` / `_PASSWORD` when set): the
 * experiment `smoke-test` (created if missing), a run in it, a metric logged and an artifact uploaded through the
 * server's artifact proxy (`--serve-artifacts`), both read back, and the run finished.
 */
export const MLFLOW_CHECK_SCRIPT = `${HTTP_PRELUDE}

tracking = os.environ["MLFLOW_TRACKING_URI"].rstrip("/")
api = tracking + "/api/2.0/mlflow"
headers = basic_auth(os.environ["MLFLOW_TRACKING_USERNAME"], os.environ["MLFLOW_TRACKING_PASSWORD"]) if os.environ.get("MLFLOW_TRACKING_USERNAME") else {}
EXPERIMENT = "smoke-test"


def check():
    status, found = call_json("GET", api + "/experiments/get-by-name?experiment_name=" + EXPERIMENT, headers=headers, ok=(200, 404))
    if status == 404:
        experiment_id = call_json("POST", api + "/experiments/create", {"name": EXPERIMENT}, headers)[1]["experiment_id"]
    else:
        experiment_id = found["experiment"]["experiment_id"]
    now = int(time.time() * 1000)
    info = call_json("POST", api + "/runs/create", {"experiment_id": experiment_id, "run_name": "smoke-test", "start_time": now}, headers)[1]["run"]["info"]
    run_id = info["run_id"]
    call_json("POST", api + "/runs/log-metric", {"run_id": run_id, "key": "smoke", "value": 1.0, "timestamp": now, "step": 0}, headers)
    artifact_uri = info["artifact_uri"]
    if not artifact_uri.startswith("mlflow-artifacts:"):
        raise Failed("run %s stores artifacts at %s, not through the server's artifact proxy; start the server with --serve-artifacts" % (run_id, artifact_uri))
    artifact = tracking + "/api/2.0/mlflow-artifacts/artifacts/" + urllib.parse.urlparse(artifact_uri).path.lstrip("/") + "/smoke.txt"
    content = ("smoke test run " + run_id).encode()
    call("PUT", artifact, content, headers)
    read = call("GET", artifact, headers=headers)[1]
    if read != content:
        raise Failed("GET %s returned %r, not the %r just uploaded" % (artifact, read[:100], content))
    metrics = call_json("GET", api + "/runs/get?run_id=" + run_id, headers=headers)[1]["run"]["data"].get("metrics", [])
    if not any(metric["key"] == "smoke" and metric["value"] == 1.0 for metric in metrics):
        raise Failed("run %s does not have the metric smoke=1 it logged: %s" % (run_id, metrics))
    call_json("POST", api + "/runs/update", {"run_id": run_id, "status": "FINISHED", "end_time": int(time.time() * 1000)}, headers)
    return "run %s of experiment %s" % (run_id, experiment_id)


run("MLflow at " + tracking, check)
`;

/**
 * Airflow 3's api-server at `AIRFLOW_API_URL`: `/api/v2/monitor/health` reports every component healthy, and with a
 * JWT for `AIRFLOW_USERNAME` / `AIRFLOW_PASSWORD` (`POST /auth/token`) the DAG `AIRFLOW_DAG_ID` exists, or, when it
 * is empty, at least one DAG was parsed.
 */
export const AIRFLOW_CHECK_SCRIPT = `${HTTP_PRELUDE}

api = os.environ["AIRFLOW_API_URL"].rstrip("/")
dag_id = os.environ.get("AIRFLOW_DAG_ID", "")


def check():
    health = call_json("GET", api + "/api/v2/monitor/health")[1]
    unhealthy = ["%s is %s" % (name, part.get("status")) for name, part in sorted(health.items())
                 if isinstance(part, dict) and part.get("status") not in (None, "healthy")]
    if unhealthy:
        raise Failed("GET %s/api/v2/monitor/health: %s" % (api, ", ".join(unhealthy)))
    token = call_json("POST", api + "/auth/token", {"username": os.environ["AIRFLOW_USERNAME"], "password": os.environ["AIRFLOW_PASSWORD"]}, ok=(200, 201))[1].get("access_token")
    if not token:
        raise Failed("POST %s/auth/token answered no access_token" % api)
    auth = {"Authorization": "Bearer " + token}
    if dag_id:
        status, dag = call_json("GET", api + "/api/v2/dags/" + urllib.parse.quote(dag_id, safe=""), headers=auth, ok=(200, 404))
        if status == 404:
            raise Failed("DAG %s is not parsed (yet): check git-sync's logs and GET /api/v2/importErrors" % dag_id)
        return "DAG %s parsed" % dag_id
    dags = call_json("GET", api + "/api/v2/dags?limit=1", headers=auth)[1]
    if not dags.get("total_entries"):
        raise Failed("no DAG is parsed (yet): check git-sync's logs and GET /api/v2/importErrors")
    return "%s DAGs parsed" % dags["total_entries"]


run("Airflow at " + api, check)
`;

/** Prometheus at `PROMETHEUS_URL` scrapes targets, and none is down: the query `up` is not empty and has no 0. */
export const PROMETHEUS_CHECK_SCRIPT = `${HTTP_PRELUDE}

api = os.environ["PROMETHEUS_URL"].rstrip("/")


def check():
    series = call_json("GET", api + "/api/v1/query?query=up")[1].get("data", {}).get("result", [])
    if not series:
        raise Failed("the query up returns nothing: Prometheus scrapes no target (yet)")
    down = sorted("%s/%s" % (s["metric"].get("job", "?"), s["metric"].get("instance", "?")) for s in series if s["value"][1] != "1")
    if down:
        raise Failed("%d of %d targets are down: %s" % (len(down), len(series), ", ".join(down)))
    return "%d targets up" % len(series)


run("Prometheus at " + api, check)
`;

/**
 * Grafana at `GRAFANA_URL`, as its admin (`GRAFANA_USERNAME`, `GRAFANA_PASSWORD`): each data source of the
 * comma-separated uids in `GRAFANA_DATASOURCES` answers its health check (`/api/datasources/uid/<uid>/health`).
 */
export const GRAFANA_CHECK_SCRIPT = `${HTTP_PRELUDE}

url = os.environ["GRAFANA_URL"].rstrip("/")
headers = basic_auth(os.environ["GRAFANA_USERNAME"], os.environ["GRAFANA_PASSWORD"])
uids = [uid for uid in os.environ["GRAFANA_DATASOURCES"].split(",") if uid]


def check():
    for uid in uids:
        health = call_json("GET", url + "/api/datasources/uid/" + uid + "/health", headers=headers)[1]
        if health.get("status") != "OK":
            raise Failed("data source %s is %s: %s" % (uid, health.get("status"), health.get("message")))
    return "data sources " + ", ".join(uids) + " healthy"


run("Grafana at " + url, check)
`;

/**
 * A model behind the Open Inference Protocol (v2) at `MODEL_URL`: the server and the model `MODEL_NAME` are ready,
 * and, when `INFERENCE_REQUEST` holds a request body, one inference answers with `outputs`. `MODEL_HEADERS` (a JSON
 * object) is sent with every request, e.g. Seldon's routing header.
 */
export const MODEL_CHECK_SCRIPT = `${HTTP_PRELUDE}

base = os.environ["MODEL_URL"].rstrip("/")
name = os.environ["MODEL_NAME"]
headers = json.loads(os.environ.get("MODEL_HEADERS") or "{}")
inference = os.environ.get("INFERENCE_REQUEST", "")
model = base + "/v2/models/" + urllib.parse.quote(name, safe="")


def check():
    call("GET", base + "/v2/health/ready", headers=headers)
    call("GET", model + "/ready", headers=headers)
    if not inference:
        return "ready"
    answer = call_json("POST", model + "/infer", inference.encode(), dict(headers, **{"Content-Type": "application/json"}))[1]
    if not answer.get("outputs"):
        raise Failed("POST %s/infer answered no outputs: %s" % (model, json.dumps(answer)[:300]))
    return "ready, and an inference answered %d outputs" % len(answer["outputs"])


run("model %s at %s" % (name, base), check)
`;
