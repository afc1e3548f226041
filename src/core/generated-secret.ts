import { ApiObject, Chart, JsonPatch, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MlopsValidationError } from './errors';
import { HashedJob } from './hashed-job';
import { defaultImage } from './image-registry';
import { DefaultImages, imagePullPolicy } from './images';
import { registerLibraryConstruct } from './library-metadata';
import { SMALL_CONTAINER_RESOURCES } from './resources';
import { secretApiScript } from './secret-api-script';
import { SecretValueFormat } from './secret-value-format';
import { restrictedContainerSecurity, restrictedPodSecurity } from './security';

/** The annotation listing the keys a generated Secret will hold once its Job has run (read by the validation harness). */
export const GENERATED_KEYS_ANNOTATION = 'mlops.cdk8s.io/generated-keys';

const NOBODY = { user: 65534, group: 65534 };

/**
 * Fills in the missing keys of each Secret in `SECRETS`: a random value in the Secret's format for each secret value,
 * the given value for each other one. It never overwrites a key that exists.
 */
const GENERATE_SCRIPT = secretApiScript(`
import base64, secrets, string
alphabet = string.ascii_letters + string.digits
formats = {
    "ALPHANUMERIC": lambda length: "".join(secrets.choice(alphabet) for _ in range(length)),
    "FERNET_KEY": lambda length: base64.urlsafe_b64encode(os.urandom(32)).decode(),
    "URL_SAFE_TOKEN": lambda length: secrets.token_urlsafe(length),
}
for spec in json.loads(os.environ["SECRETS"]):
    name = spec["name"]
    generate = formats[spec["format"]]
    present = wait_for_secret(name).get("data") or {}
    missing = {key: generate(spec.get("length")) for key in spec["secretValues"] if key not in present}
    missing.update({key: value for key, value in spec["values"].items() if key not in present})
    if missing:
        call("PATCH", secret_path(name), {"data": {key: base64.b64encode(value.encode()).decode() for key, value in missing.items()}})
    print("Secret %s: generated %s; kept %s" % (name, sorted(missing) or "nothing", sorted(present) or "nothing"), flush=True)
`);

/** What to generate. */
export interface GeneratedSecretProps {
  readonly secretValues: string[];
  readonly values: { [name: string]: string };
  readonly format: SecretValueFormat;
  /** Only for a format with a length. */
  readonly length?: number;
}

/**
 * An empty Secret that its chart's secret generator fills in. The Secret object is part of the manifests (so that
 * references to it resolve and `kubectl delete` removes it); its values are never in them.
 */
export class GeneratedSecret extends Construct {
  public readonly secret: kplus.Secret;

  constructor(scope: Construct, id: string, props: GeneratedSecretProps) {
    super(scope, id);
    const length = lengthOf(scope, props);
    const keys = [...props.secretValues, ...Object.keys(props.values)].sort();
    this.secret = new kplus.Secret(this, 'Resource', {
      metadata: { annotations: { [GENERATED_KEYS_ANNOTATION]: keys.join(',') } },
    });
    // kplus renders `stringData: {}` for a Secret without data; the generated Secret carries no data field at all.
    ApiObject.of(this.secret).addJsonPatch(JsonPatch.remove('/stringData'));
    SecretGenerator.of(this).add(this.secret, { secretValues: props.secretValues, values: props.values, format: props.format.name, length });
  }
}

/** The length the spec carries: the given or default one for a format with a length, none otherwise. */
function lengthOf(scope: Construct, props: GeneratedSecretProps): number | undefined {
  if (!props.format.hasLength) {
    if (props.length !== undefined) {
      throw new MlopsValidationError(scope, `generated secret length ${props.length} is invalid with SecretValueFormat.${props.format.name}: `
        + 'its values have a fixed size; remove length');
    }
    return undefined;
  }
  const length = props.length ?? 32;
  if (!Number.isInteger(length) || length < 16 || length > 256) {
    throw new MlopsValidationError(scope, `generated secret length ${length} is invalid: use a whole number from 16 to 256`);
  }
  return length;
}

/** The `app.kubernetes.io/component` label of the Job that generates a chart's Secrets. */
export const SECRET_GENERATOR_COMPONENT = 'secret-generator';

/**
 * One hash-named Job per chart that generates all of the chart's Secrets, with a ServiceAccount whose Role may `get`
 * and `patch` exactly those Secrets, by name. Its spec lists every Secret, so adding or changing one makes a new Job,
 * which fills in what is missing and leaves every existing value alone.
 */
class SecretGenerator extends Construct {
  public static of(scope: Construct): SecretGenerator {
    const chart = Chart.of(scope);
    const existing = chart.node.tryFindChild(SecretGenerator.ID);
    return existing instanceof SecretGenerator ? existing : new SecretGenerator(chart, SecretGenerator.ID);
  }

  private static readonly ID = 'MlopsSecretGenerator';

  private readonly role: kplus.Role;
  private readonly specs: Array<{ readonly secret: kplus.Secret; readonly spec: object }> = [];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    // It lives at the chart's level, under no component: its objects are the library's all the same.
    registerLibraryConstruct(this);
    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { automountToken: false });
    this.role = new kplus.Role(this, 'Role');
    this.role.bind(serviceAccount);
    const secrets = Lazy.any({ produce: () => JSON.stringify(this.specs.map(({ secret, spec }) => ({ name: secret.name, ...spec }))) });
    new HashedJob(this, 'Job', {
      metadata: { labels: { 'app.kubernetes.io/component': SECRET_GENERATOR_COMPONENT } },
      serviceAccount,
      automountServiceAccountToken: true,
      securityContext: restrictedPodSecurity(NOBODY),
      backoffLimit: 6,
      containers: [{
        name: 'generate',
        image: defaultImage(this, DefaultImages.PYTHON),
        imagePullPolicy: imagePullPolicy(DefaultImages.PYTHON),
        command: ['python', '-c', GENERATE_SCRIPT],
        envVariables: {
          SECRETS: kplus.EnvValue.fromValue(secrets as unknown as string),
          PYTHONDONTWRITEBYTECODE: kplus.EnvValue.fromValue('1'),
        },
        securityContext: restrictedContainerSecurity(NOBODY),
        resources: SMALL_CONTAINER_RESOURCES,
      }],
    });
  }

  /** Makes the Job fill in `secret` as `spec` says. */
  public add(secret: kplus.Secret, spec: object): void {
    this.role.allow(['get', 'patch'], secret);
    this.specs.push({ secret, spec });
  }
}
