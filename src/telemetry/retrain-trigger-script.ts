/**
 * The receiver of `RetrainTrigger` (Python 3 stdlib only). It reads its settings from the JSON file named by
 * `RETRAIN_TRIGGER_CONFIG` and the Airflow user from `AIRFLOW_USERNAME` / `AIRFLOW_PASSWORD`, serves Alertmanager's
 * webhook (`POST /alerts`) and `/healthz` on `webhookPort`, and Prometheus metrics on `metricsPort`.
 *
 * For each firing alert whose name maps to a DAG, outside the cooldown of its model, it checks the DAG (a paused DAG
 * is reported, not queued) and starts a run through Airflow 3's REST API with a JWT from `POST /auth/token`:
 * `POST /api/v2/dags/{dag_id}/dagRuns` with `logical_date: null`, a `dag_run_id` made of the alert's fingerprint and
 * start (Airflow answers 409 to a repeat, so a notification sent again starts nothing) and the alert's labels in
 * `conf`. Connection errors, 429 and 5xx are retried with exponential backoff; when they persist the webhook answers
 * 503, so that Alertmanager sends the notification again. With `otlpTracesUrl`, each alert handled is a span sent
 * as OTLP/HTTP JSON.
 */
export const RETRAIN_TRIGGER_SCRIPT = String.raw`
import base64, json, os, re, threading, time, urllib.error, urllib.parse, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

config = json.load(open(os.environ["RETRAIN_TRIGGER_CONFIG"]))
api = config["airflowUrl"].rstrip("/")
dags = config["dags"]
cooldown = float(config["cooldownSeconds"])
cooldown_label = config["cooldownLabel"]
retries = int(config["retries"])
backoff = float(config["backoffSeconds"])
traces_url = config.get("otlpTracesUrl")
username = os.environ["AIRFLOW_USERNAME"]
password = os.environ["AIRFLOW_PASSWORD"]

REASONS = {
    "suppressed": ["resolved", "unmapped", "cooldown", "duplicate"],
    "failed": ["dag_paused", "dag_not_found", "rejected", "unreachable"],
}
lock = threading.Lock()
counters = {("received", ""): 0}
for kind, reasons in REASONS.items():
    for reason in reasons:
        counters[(kind, reason)] = 0
triggered = {dag: 0 for dag in sorted(set(dags.values()))}
last_run = {}


def log(event, **fields):
    print(json.dumps(dict(event=event, **fields), sort_keys=True), flush=True)


def count(kind, reason=""):
    with lock:
        counters[(kind, reason)] += 1


class Transient(Exception):
    pass


class Rejected(Exception):
    pass


def send(method, path, body=None, token=None):
    request = urllib.request.Request(api + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Accept", "application/json")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    except (urllib.error.URLError, OSError) as error:
        raise Transient("%s %s: %s" % (method, path, error))
    if status == 429 or status >= 500:
        raise Transient("%s %s: HTTP %s %s" % (method, path, status, text[:200]))
    try:
        return status, json.loads(text) if text else {}
    except ValueError:
        return status, {"detail": text[:200]}


class Session:
    def __init__(self):
        self.token = None
        self.expires = 0.0

    def fresh_token(self):
        status, answer = send("POST", "/auth/token", {"username": username, "password": password})
        if status not in (200, 201) or "access_token" not in answer:
            raise Rejected("POST /auth/token: HTTP %s %s; check the user and password in the Secret" % (status, answer))
        self.token = answer["access_token"]
        self.expires = time.time() + 300
        try:
            claims = self.token.split(".")[1]
            self.expires = float(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["exp"])
        except (IndexError, KeyError, ValueError):
            pass

    def call(self, method, path, body=None):
        if self.token is None or time.time() > self.expires - 60:
            self.fresh_token()
        status, answer = send(method, path, body, self.token)
        if status == 401:
            self.fresh_token()
            status, answer = send(method, path, body, self.token)
        return status, answer


session = Session()


def with_retries(what, action):
    for attempt in range(retries + 1):
        try:
            return action()
        except Transient as error:
            if attempt == retries:
                raise
            pause = backoff * 2 ** attempt
            log("retrying", what=what, error=str(error), attempt=attempt + 1, pause_seconds=pause)
            time.sleep(pause)


def export_span(name, started, attributes, ok):
    # One span per alert, as OTLP/HTTP JSON (the stdlib has no OTel SDK); best effort, off the request path.
    if not traces_url:
        return
    value = lambda v: {"intValue": str(v)} if isinstance(v, int) else {"stringValue": str(v)}
    span = {
        "traceId": os.urandom(16).hex(), "spanId": os.urandom(8).hex(), "name": name, "kind": 2,
        "startTimeUnixNano": str(int(started * 1e9)), "endTimeUnixNano": str(int(time.time() * 1e9)),
        "attributes": [{"key": k, "value": value(v)} for k, v in sorted(attributes.items())],
        "status": {"code": 1 if ok else 2},
    }
    body = {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "retrain-trigger"}}]},
        "scopeSpans": [{"scope": {"name": "retrain-trigger"}, "spans": [span]}],
    }]}

    def post():
        request = urllib.request.Request(traces_url, method="POST", data=json.dumps(body).encode())
        request.add_header("Content-Type", "application/json")
        try:
            urllib.request.urlopen(request, timeout=5).close()
        except (urllib.error.URLError, OSError) as error:
            log("span_export_failed", error=str(error))
    threading.Thread(target=post, daemon=True).start()


def traced(handle_alert):
    def wrapper(alert):
        started = time.time()
        outcome = handle_alert(alert)
        labels = alert.get("labels", {})
        attributes = {"alertname": labels.get("alertname", ""), "outcome": outcome[1]}
        for key in ("model", "cluster"):
            if key in labels:
                attributes["alert." + key] = labels[key]
        if outcome[2]:
            attributes["airflow.dag_id"] = outcome[2]
        export_span("alert " + attributes["alertname"], started, attributes, outcome[1] not in REASONS["failed"])
        return outcome[0]
    return wrapper


def run_id(alert):
    starts = re.sub(r"[^0-9A-Za-z]", "", alert.get("startsAt", ""))
    return "alert__%s__%s" % (alert.get("fingerprint", "unknown"), starts)


@traced
def handle(alert):
    """Returns (handled, outcome, dag_id): handled is False when Airflow could not be reached and the notification
    should come again."""
    labels = alert.get("labels", {})
    name = labels.get("alertname", "")
    count("received")
    if alert.get("status") != "firing":
        count("suppressed", "resolved")
        log("ignored", reason="resolved", alertname=name)
        return True, "resolved", None
    dag = dags.get(name)
    if dag is None:
        count("suppressed", "unmapped")
        log("ignored", reason="unmapped", alertname=name)
        return True, "unmapped", None
    key = (dag, labels.get(cooldown_label) or alert.get("fingerprint", ""))
    since = time.time() - last_run.get(key, float("-inf"))
    if since < cooldown:
        count("suppressed", "cooldown")
        log("suppressed", reason="cooldown", alertname=name, dag_id=dag, key=key[1], seconds_left=round(cooldown - since))
        return True, "cooldown", dag
    dag_path = "/api/v2/dags/" + urllib.parse.quote(dag, safe="")
    try:
        status, info = with_retries("GET " + dag_path, lambda: session.call("GET", dag_path))
        if status == 404:
            count("failed", "dag_not_found")
            log("failed", reason="dag_not_found", dag_id=dag, detail=info)
            return True, "dag_not_found", dag
        if status == 200 and info.get("is_paused"):
            count("failed", "dag_paused")
            log("failed", reason="dag_paused", dag_id=dag,
                detail="the DAG is paused, so a run would stay queued: unpause it, or create it with is_paused_upon_creation=False")
            return True, "dag_paused", dag
        conf = dict(labels)
        conf["alert_fingerprint"] = alert.get("fingerprint", "")
        conf["alert_starts_at"] = alert.get("startsAt", "")
        body = {
            "dag_run_id": run_id(alert),
            "logical_date": None,
            "conf": conf,
            "note": "Started by RetrainTrigger on alert %s" % name,
        }
        status, answer = with_retries("POST " + dag_path, lambda: session.call("POST", dag_path + "/dagRuns", body))
    except Transient as error:
        count("failed", "unreachable")
        log("failed", reason="unreachable", dag_id=dag, error=str(error))
        return False, "unreachable", dag
    except Rejected as error:
        count("failed", "rejected")
        log("failed", reason="rejected", dag_id=dag, error=str(error))
        return True, "rejected", dag
    if status in (200, 201):
        last_run[key] = time.time()
        with lock:
            triggered[dag] = triggered.get(dag, 0) + 1
        log("triggered", alertname=name, dag_id=dag, dag_run_id=body["dag_run_id"], key=key[1])
        return True, "triggered", dag
    if status == 409:
        last_run[key] = time.time()
        count("suppressed", "duplicate")
        log("suppressed", reason="duplicate", dag_id=dag, dag_run_id=body["dag_run_id"])
        return True, "duplicate", dag
    count("failed", "rejected")
    log("failed", reason="rejected", dag_id=dag, status=status, detail=answer)
    return True, "rejected", dag


handling = threading.Lock()


def metrics_text():
    help_text = {
        "received": "Alerts received from Alertmanager.",
        "suppressed": "Alerts that started no run, by reason.",
        "failed": "Alerts whose run could not be started, by reason.",
    }
    lines = []
    with lock:
        for kind in ("received", "suppressed", "failed"):
            metric = "retrain_trigger_alerts_%s_total" % kind
            lines += ["# HELP %s %s" % (metric, help_text[kind]), "# TYPE %s counter" % metric]
            for (counter, reason), value in sorted(counters.items()):
                if counter == kind:
                    lines.append('%s{reason="%s"} %d' % (metric, reason, value) if reason else "%s %d" % (metric, value))
        metric = "retrain_trigger_runs_triggered_total"
        lines += ["# HELP %s DAG runs started, by DAG." % metric, "# TYPE %s counter" % metric]
        for dag, value in sorted(triggered.items()):
            lines.append('%s{dag_id="%s"} %d' % (metric, dag, value))
    return "\n".join(lines) + "\n"


class Handler(BaseHTTPRequestHandler):
    server_version = "retrain-trigger"

    def reply(self, status, text, content_type="text/plain; charset=utf-8"):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.server.serves == "webhook" and self.path == "/healthz":
            self.reply(200, "ok\n")
        elif self.server.serves == "metrics" and self.path == "/metrics":
            self.reply(200, metrics_text(), "text/plain; version=0.0.4; charset=utf-8")
        else:
            self.reply(404, "not found\n")

    def do_POST(self):
        if self.server.serves != "webhook" or self.path != "/alerts":
            self.reply(404, "not found\n")
            return
        try:
            payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            alerts = payload["alerts"]
        except (ValueError, KeyError, TypeError):
            self.reply(400, "expected an Alertmanager webhook payload (version 4) with alerts\n")
            return
        with handling:
            done = [handle(alert) for alert in alerts]
        if all(done):
            self.reply(200, "ok\n")
        else:
            self.reply(503, "Airflow is unreachable; send the notification again\n")

    def log_message(self, format, *args):
        pass


def server(port, serves):
    created = ThreadingHTTPServer(("", int(port)), Handler)
    created.serves = serves
    return created


metrics = server(config["metricsPort"], "metrics")
webhook = server(config["webhookPort"], "webhook")
threading.Thread(target=metrics.serve_forever, daemon=True).start()
log("listening", webhook_port=int(config["webhookPort"]), metrics_port=int(config["metricsPort"]), airflow=api, dags=dags)
webhook.serve_forever()
`.trimStart();
