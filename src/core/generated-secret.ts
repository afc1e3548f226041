import { ApiObject, Chart, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MlopsValidationError } from './errors';
import { HashedJob } from './hashed-job';
import { DefaultImages } from './images';
import { restrictedContainerSecurity, restrictedPodSecurity } from './security';

/** The annotation listing the keys a generated Secret will hold once its Job has run (read by the validation harness). */
export const GENERATED_KEYS_ANNOTATION = 'mlops.cdk8s.io/generated-keys';

const NOBODY = { user: 65534, group: 65534 };

/**
 * Fills in the missing keys of one Secret through the Kubernetes API (stdlib only; the Secret must exist: it is
 * part of the same manifests). It retries while the Secret is not there yet and fails loudly on anything else.
 */
const GENERATE_SCRIPT = `
import base64, json, os, secrets, ssl, string, sys, time, urllib.error, urllib.request
sa = "/var/run/secrets/kubernetes.io/serviceaccount"
namespace = open(sa + "/namespace").read().strip()
url = "https://%s:%s/api/v1/namespaces/%s/secrets/%s" % (
    os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"], namespace, os.environ["SECRET_NAME"])
context = ssl.create_default_context(cafile=sa + "/ca.crt")
spec = json.loads(os.environ["SECRET_SPEC"])

def call(method, body=None, content_type="application/json"):
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Authorization", "Bearer " + open(sa + "/token").read().strip())
    request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        return json.load(response)

for attempt in range(60):
    try:
        current = call("GET")
        break
    except urllib.error.HTTPError as error:
        if error.code != 404:
            sys.exit("reading Secret %s failed: HTTP %s %s" % (os.environ["SECRET_NAME"], error.code, error.read().decode()))
        print("Secret %s does not exist yet, retrying in 5s" % os.environ["SECRET_NAME"], flush=True)
        time.sleep(5)
else:
    sys.exit("Secret %s never appeared; apply the manifests that define it" % os.environ["SECRET_NAME"])

present = current.get("data") or {}
alphabet = string.ascii_letters + string.digits
missing = {}
for key in spec["secretValues"]:
    if key not in present:
        missing[key] = "".join(secrets.choice(alphabet) for _ in range(spec["length"]))
for key, value in spec["values"].items():
    if key not in present:
        missing[key] = value
if missing:
    encoded = {key: base64.b64encode(value.encode()).decode() for key, value in missing.items()}
    call("PATCH", {"data": encoded}, "application/merge-patch+json")
print("Secret %s: generated %s; kept %s" % (os.environ["SECRET_NAME"], sorted(missing) or "nothing", sorted(present) or "nothing"))
`.trim();

/** What to generate. */
export interface GeneratedSecretProps {
  readonly secretValues: string[];
  readonly values: { [name: string]: string };
  readonly length: number;
}

/**
 * An empty Secret plus the hash-named Job that fills it in. The Secret object is part of the manifests (so that
 * references to it resolve and `kubectl delete` removes it); its values are never in them.
 */
export class GeneratedSecret extends Construct {
  public readonly secret: kplus.Secret;
  public readonly job: HashedJob;

  constructor(scope: Construct, id: string, props: GeneratedSecretProps) {
    super(scope, id);
    if (!Number.isInteger(props.length) || props.length < 16 || props.length > 256) {
      throw new MlopsValidationError(scope, `generated secret length ${props.length} is invalid: use a whole number from 16 to 256`);
    }
    const keys = [...props.secretValues, ...Object.keys(props.values)].sort();
    this.secret = new kplus.Secret(this, 'Resource', {
      metadata: { annotations: { [GENERATED_KEYS_ANNOTATION]: keys.join(',') } },
    });
    // kplus renders `stringData: {}` for a Secret without data; the generated Secret carries no data field at all.
    ApiObject.of(this.secret).addJsonPatch(JsonPatch.remove('/stringData'));

    const generator = SecretGenerator.of(this);
    generator.role.allow(['get', 'patch'], this.secret);

    this.job = new HashedJob(this, 'Generate', {
      serviceAccount: generator.serviceAccount,
      automountServiceAccountToken: true,
      securityContext: restrictedPodSecurity(NOBODY),
      backoffLimit: 6,
      containers: [{
        name: 'generate',
        image: DefaultImages.PYTHON,
        command: ['python', '-c', GENERATE_SCRIPT],
        envVariables: {
          SECRET_NAME: kplus.EnvValue.fromValue(this.secret.name),
          SECRET_SPEC: kplus.EnvValue.fromValue(JSON.stringify({
            secretValues: props.secretValues, values: props.values, length: props.length,
          })),
          PYTHONDONTWRITEBYTECODE: kplus.EnvValue.fromValue('1'),
        },
        securityContext: restrictedContainerSecurity(NOBODY),
        resources: {
          cpu: { request: kplus.Cpu.millis(10) },
          memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) },
        },
      }],
    });
  }
}

/**
 * The ServiceAccount and Role every secret-generating Job of a chart shares. The Role grants `get` and `patch` on
 * exactly the generated Secrets, by name.
 */
class SecretGenerator extends Construct {
  public static of(scope: Construct): SecretGenerator {
    const chart = Chart.of(scope);
    const existing = chart.node.tryFindChild(SecretGenerator.ID);
    return existing instanceof SecretGenerator ? existing : new SecretGenerator(chart, SecretGenerator.ID);
  }

  private static readonly ID = 'MlopsSecretGenerator';

  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly role: kplus.Role;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { automountToken: false });
    this.role = new kplus.Role(this, 'Role');
    this.role.bind(this.serviceAccount);
  }
}
