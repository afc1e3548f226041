import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether python3 is here to run the Jobs' scripts; tests that need it are skipped otherwise. */
export const HAS_PYTHON = spawnSync('python3', ['--version']).status === 0;

/** What the fake Kubernetes API holds and answers. */
export interface FakeApiScenario {
  /** The pod's namespace, as its ServiceAccount files say. */
  readonly namespace: string;
  /** The `data` (base64 values) of every object it returns. */
  readonly data: Record<string, string>;
  /** The HTTP status of each request whose path contains a key, e.g. `{ inferenceservices: 404 }`; 200 otherwise. */
  readonly statuses?: Record<string, number>;
}

/** What a run did: the exit status, the output, and each call as `METHOD path [body]`. */
export interface FakeApiRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: string[];
}

/**
 * Runs a Job's python script (`python -c`) against a fake Kubernetes API: `sitecustomize` replaces the
 * ServiceAccount files, TLS and `urlopen`, records each call, and answers every request with the scenario's `data`
 * and resourceVersion 42, or an HTTP error with `{}`.
 */
export function runAgainstFakeApi(script: string, scenario: FakeApiScenario, env: Record<string, string>): FakeApiRun {
  const dir = mkdtempSync(join(tmpdir(), 'fake-kubernetes-api-'));
  writeFileSync(join(dir, 'sitecustomize.py'), `
import builtins, io, json, os, ssl, urllib.error, urllib.request
scenario = json.loads(os.environ["SCENARIO"])
sa = "/var/run/secrets/kubernetes.io/serviceaccount"
files = {sa + "/namespace": scenario["namespace"], sa + "/token": "t"}
real_open = builtins.open
builtins.open = lambda path, *a, **k: io.StringIO(files[path]) if path in files else real_open(path, *a, **k)
ssl.create_default_context = lambda **k: None
def urlopen(request, context=None, timeout=None):
    path = request.full_url.split("443", 1)[1]
    body = request.data.decode() if request.data else None
    with real_open(os.environ["CALLS"], "a") as calls:
        calls.write(" ".join(x for x in [request.get_method(), path, body] if x) + "\\n")
    status = next((code for key, code in scenario.get("statuses", {}).items() if key in path), 200)
    if status != 200:
        raise urllib.error.HTTPError(request.full_url, status, "nope", {}, io.BytesIO(b"{}"))
    return io.BytesIO(json.dumps({"data": scenario["data"], "metadata": {"resourceVersion": "42"}}).encode())
urllib.request.urlopen = urlopen
`);
  const calls = join(dir, 'calls');
  writeFileSync(calls, '');
  const result = spawnSync('python3', ['-c', script], {
    env: {
      PYTHONPATH: dir,
      SCENARIO: JSON.stringify(scenario),
      CALLS: calls,
      KUBERNETES_SERVICE_HOST: 'api',
      KUBERNETES_SERVICE_PORT: '443',
      ...env,
    },
    encoding: 'utf-8',
  });
  const recorded = readFileSync(calls, 'utf-8').trim();
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: recorded ? recorded.split('\n') : [] };
}

/** The values each PATCH of a Secret set, decoded, by the Secret's name. */
export function patchedSecrets(run: FakeApiRun): Record<string, Record<string, string>> {
  return Object.fromEntries(run.calls.filter((call) => call.startsWith('PATCH /api/v1/')).map((call) => {
    const data = JSON.parse(call.slice(call.indexOf('{'))).data as Record<string, string>;
    return [call.split(' ')[1].split('/').pop()!, Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]))];
  }));
}
