/**
 * The start of every python Job script that works on Secrets through the Kubernetes API (stdlib only), with the
 * token of the pod's ServiceAccount:
 *
 * - `namespace`: the pod's namespace; `secret_path(name)`: the API path of a Secret in it;
 * - `call(method, path, body=None)`: sends `body` as a JSON merge patch and returns the parsed answer;
 * - `wait_for_secret(name)`: returns the Secret once it exists, retrying on 404 60 times 5 s apart (it is part of
 *   the same manifests, which may still be applying), and exits with the API's answer on any other error.
 */
const SECRET_API_PRELUDE = `
import json, os, ssl, sys, time, urllib.error, urllib.request
sa = "/var/run/secrets/kubernetes.io/serviceaccount"
namespace = open(sa + "/namespace").read().strip()
api = "https://%s:%s" % (os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"])
context = ssl.create_default_context(cafile=sa + "/ca.crt")

def call(method, path, body=None):
    request = urllib.request.Request(api + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Authorization", "Bearer " + open(sa + "/token").read().strip())
    if body is not None:
        request.add_header("Content-Type", "application/merge-patch+json")
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        return json.load(response)

def secret_path(name):
    return "/api/v1/namespaces/%s/secrets/%s" % (namespace, name)

def wait_for_secret(name):
    for attempt in range(60):
        try:
            return call("GET", secret_path(name))
        except urllib.error.HTTPError as error:
            if error.code != 404:
                sys.exit("reading Secret %s failed: HTTP %s %s" % (name, error.code, error.read().decode()))
            print("Secret %s does not exist yet, retrying in 5s" % name, flush=True)
            time.sleep(5)
    sys.exit("Secret %s never appeared; apply the manifests that define it" % name)
`.trim();

/** A python script for `python -c`: the Secret API prelude, then `body`. */
export function secretApiScript(body: string): string {
  return `${SECRET_API_PRELUDE}\n\n${body.trim()}`;
}
