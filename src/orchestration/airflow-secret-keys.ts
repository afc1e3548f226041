import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MlopsValidationError } from '../core/errors';
import { GENERATED_KEYS_ANNOTATION } from '../core/generated-secret';
import { HashedJob } from '../core/hashed-job';
import { DefaultImages } from '../core/images';
import { SecretSource } from '../core/secret-source';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';

const NOBODY = { user: 65534, group: 65534 };

/**
 * Adds each missing key of one Secret through the Kubernetes API, never overwriting a key that exists. Unlike the
 * generic generator (letters and digits), a `fernet` key is 32 random bytes in url-safe base64, the only form
 * Airflow's Fernet accepts; a `token` is 32 random bytes in url-safe base64 without padding.
 */
const GENERATE_SCRIPT = `
import base64, json, os, secrets, ssl, sys, time, urllib.error, urllib.request
sa = "/var/run/secrets/kubernetes.io/serviceaccount"
name = os.environ["SECRET_NAME"]
url = "https://%s:%s/api/v1/namespaces/%s/secrets/%s" % (
    os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"], open(sa + "/namespace").read().strip(), name)
context = ssl.create_default_context(cafile=sa + "/ca.crt")

def call(method, body=None, content_type="application/json"):
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Authorization", "Bearer " + open(sa + "/token").read().strip())
    request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        return json.load(response)

for attempt in range(60):
    try:
        present = call("GET").get("data") or {}
        break
    except urllib.error.HTTPError as error:
        if error.code != 404:
            sys.exit("reading Secret %s failed: HTTP %s %s" % (name, error.code, error.read().decode()))
        print("Secret %s does not exist yet, retrying in 5s" % name, flush=True)
        time.sleep(5)
else:
    sys.exit("Secret %s never appeared; apply the manifests that define it" % name)

generate = {
    "fernet": lambda: base64.urlsafe_b64encode(os.urandom(32)).decode(),
    "token": lambda: secrets.token_urlsafe(32),
}
missing = {key: generate[kind]() for key, kind in json.loads(os.environ["SECRET_KEYS"]).items() if key not in present}
if missing:
    call("PATCH", {"data": {key: base64.b64encode(value.encode()).decode() for key, value in missing.items()}}, "application/merge-patch+json")
print("Secret %s: generated %s; kept %s" % (name, sorted(missing) or "nothing", sorted(present) or "nothing"))
`.trim();

/** One of Airflow's own secret keys. */
interface SecretKeySpec {
  /** The Secret key, as the Airflow Helm chart names it. */
  readonly key: string;
  /** The env var Airflow reads it from. */
  readonly env: string;
  readonly kind: 'fernet' | 'token';
  readonly source?: SecretSource;
}

/** Where Airflow's secret keys come from. */
export interface AirflowSecretKeysProps {
  readonly fernetKey?: SecretSource;
  readonly apiSecretKey?: SecretSource;
  readonly jwtSecret?: SecretSource;
}

/**
 * Airflow's fernet key (`AIRFLOW__CORE__FERNET_KEY`), API secret key (`AIRFLOW__API__SECRET_KEY`) and JWT secret
 * (`AIRFLOW__API_AUTH__JWT_SECRET`): read from the given sources, and the others generated in one Secret by a
 * hash-named Job with its own ServiceAccount, allowed to `get` and `patch` that Secret only.
 */
export class AirflowSecretKeys extends Construct {
  /** The env vars, in order. */
  public readonly env: Array<[string, kplus.EnvValue]> = [];
  /** The generated Secret, when any key is generated. */
  public readonly generatedSecret?: kplus.Secret;

  constructor(scope: Construct, id: string, props: AirflowSecretKeysProps) {
    super(scope, id);
    if (props.fernetKey?.isGenerated) {
      throw new MlopsValidationError(scope, 'fernetKey is invalid: SecretSource.generated() makes letters and digits, not a Fernet key '
        + '(32 url-safe base64-encoded bytes); leave fernetKey out to have one generated, or give SecretSource.fromSecret(...)');
    }
    const specs: SecretKeySpec[] = [
      { key: 'fernet-key', env: 'AIRFLOW__CORE__FERNET_KEY', kind: 'fernet', source: props.fernetKey },
      { key: 'api-secret-key', env: 'AIRFLOW__API__SECRET_KEY', kind: 'token', source: props.apiSecretKey },
      { key: 'jwt-secret', env: 'AIRFLOW__API_AUTH__JWT_SECRET', kind: 'token', source: props.jwtSecret },
    ];
    const generated = specs.filter((spec) => spec.source === undefined);
    if (generated.length > 0) {
      this.generatedSecret = this.generate(generated);
    }
    for (const spec of specs) {
      const credentials = spec.source?.bind(this, spec.key, { secretValues: [spec.key] });
      const value = credentials
        ? credentials.envValue(spec.key)
        : kplus.EnvValue.fromSecretValue({ secret: this.generatedSecret!, key: spec.key });
      this.env.push([spec.env, value]);
    }
  }

  private generate(specs: SecretKeySpec[]): kplus.Secret {
    const secret = new kplus.Secret(this, 'Resource', {
      metadata: { annotations: { [GENERATED_KEYS_ANNOTATION]: specs.map((s) => s.key).sort().join(',') } },
    });
    ApiObject.of(secret).addJsonPatch(JsonPatch.remove('/stringData'));
    const serviceAccount = new kplus.ServiceAccount(this, 'Generator', { automountToken: false });
    const role = new kplus.Role(this, 'GeneratorRole');
    role.allow(['get', 'patch'], secret);
    role.bind(serviceAccount);
    new HashedJob(this, 'Generate', {
      serviceAccount,
      automountServiceAccountToken: true,
      securityContext: restrictedPodSecurity(NOBODY),
      backoffLimit: 6,
      containers: [{
        name: 'generate',
        image: DefaultImages.PYTHON,
        command: ['python', '-c', GENERATE_SCRIPT],
        envVariables: {
          SECRET_NAME: kplus.EnvValue.fromValue(secret.name),
          SECRET_KEYS: kplus.EnvValue.fromValue(JSON.stringify(Object.fromEntries(specs.map((s) => [s.key, s.kind])))),
          PYTHONDONTWRITEBYTECODE: kplus.EnvValue.fromValue('1'),
        },
        securityContext: restrictedContainerSecurity(NOBODY),
        resources: {
          cpu: { request: kplus.Cpu.millis(10) },
          memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) },
        },
      }],
    });
    return secret;
  }
}
