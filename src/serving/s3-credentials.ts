import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IBucket } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { GENERATED_KEYS_ANNOTATION } from '../core/generated-secret';
import { HashedJob } from '../core/hashed-job';
import { DefaultImages } from '../core/images';
import { ImageUser, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';

const NOBODY: ImageUser = { user: 65534, group: 65534 };
/** The annotation the copy Job sets on the InferenceService when it changed the credentials, to roll its pods. */
export const CREDENTIALS_VERSION_ANNOTATION = 'mlops.cdk8s.io/s3-credentials-version';

/**
 * Copies the access key pair from the Job's env into the KServe credentials Secret, under the key names KServe reads.
 * KServe's webhook decides whether to give the storage initializer S3 credentials when it admits a pod, by looking at
 * the Secret's keys; a pod admitted before the copy has none. So after changing the Secret the Job annotates the
 * InferenceService, which rolls its pods. It never reads the source Secret: the kubelet hands the values in as env
 * vars, and keeps the pod waiting until their keys exist.
 */
const COPY_SCRIPT = `
import base64, json, os, ssl, sys, time, urllib.error, urllib.request
sa = "/var/run/secrets/kubernetes.io/serviceaccount"
namespace = open(sa + "/namespace").read().strip()
api = "https://%s:%s" % (os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"])
context = ssl.create_default_context(cafile=sa + "/ca.crt")
secret = "/api/v1/namespaces/%s/secrets/%s" % (namespace, os.environ["SECRET_NAME"])
isvc = "/apis/serving.kserve.io/v1beta1/namespaces/%s/inferenceservices/%s" % (namespace, os.environ["INFERENCE_SERVICE"])

def call(method, path, body=None):
    request = urllib.request.Request(api + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Authorization", "Bearer " + open(sa + "/token").read().strip())
    request.add_header("Content-Type", "application/merge-patch+json")
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        return json.load(response)

wanted = {key: base64.b64encode(os.environ[key].encode()).decode() for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
for attempt in range(60):
    try:
        current = call("GET", secret)
        break
    except urllib.error.HTTPError as error:
        if error.code != 404:
            sys.exit("reading Secret %s failed: HTTP %s %s" % (os.environ["SECRET_NAME"], error.code, error.read().decode()))
        print("Secret %s does not exist yet, retrying in 5s" % os.environ["SECRET_NAME"], flush=True)
        time.sleep(5)
else:
    sys.exit("Secret %s never appeared; apply the manifests that define it" % os.environ["SECRET_NAME"])
if all((current.get("data") or {}).get(key) == value for key, value in wanted.items()):
    print("Secret %s is up to date" % os.environ["SECRET_NAME"], flush=True)
    sys.exit(0)
version = call("PATCH", secret, {"data": wanted})["metadata"]["resourceVersion"]
print("Secret %s: copied AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" % os.environ["SECRET_NAME"], flush=True)
try:
    call("PATCH", isvc, {"metadata": {"annotations": {"${CREDENTIALS_VERSION_ANNOTATION}": version}}})
    print("InferenceService %s: rolling its pods onto the new credentials" % os.environ["INFERENCE_SERVICE"], flush=True)
except urllib.error.HTTPError as error:
    if error.code != 404:
        sys.exit("annotating InferenceService %s failed: HTTP %s %s" % (os.environ["INFERENCE_SERVICE"], error.code, error.read().decode()))
    print("InferenceService %s does not exist yet; its pods will start with the credentials" % os.environ["INFERENCE_SERVICE"], flush=True)
`.trim();

/** What the storage initializer of one InferenceService needs to download from a bucket. */
export interface S3CredentialsProps {
  readonly bucket: IBucket;
  /** The access key pair, from `bucket.grantRead(...)`. */
  readonly credentials: Credentials;
  readonly inferenceServiceName: string;
  readonly labels: Record<string, string>;
}

/**
 * KServe's S3 wiring for one InferenceService: a ServiceAccount listing a Secret that carries the
 * `serving.kserve.io/s3-*` annotations and, once the copy Job has run, `AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY`. The Secret has no data in the manifests.
 */
export class S3Credentials extends Construct {
  public readonly secret: kplus.Secret;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly job: HashedJob;

  constructor(scope: Construct, id: string, props: S3CredentialsProps) {
    super(scope, id);
    const store = props.bucket.objectStore;
    this.secret = new kplus.Secret(this, 'Resource', {
      metadata: {
        labels: props.labels,
        annotations: {
          'serving.kserve.io/s3-endpoint': store.endpoint.hostPort,
          'serving.kserve.io/s3-usehttps': store.endpoint.scheme === 'https' ? '1' : '0',
          'serving.kserve.io/s3-region': store.region,
          'serving.kserve.io/s3-usevirtualbucket': store.pathStyle ? 'false' : 'true',
          [GENERATED_KEYS_ANNOTATION]: 'AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY',
        },
      },
    });
    ApiObject.of(this.secret).addJsonPatch(JsonPatch.remove('/stringData'));
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { labels: props.labels },
      automountToken: false,
      secrets: [this.secret],
    });

    const copier = new kplus.ServiceAccount(this, 'CopierServiceAccount', { automountToken: false });
    const role = new kplus.Role(this, 'CopierRole');
    role.allow(['get', 'patch'], this.secret);
    role.allow(['patch'], { apiGroup: 'serving.kserve.io', resourceType: 'inferenceservices', resourceName: props.inferenceServiceName });
    new kplus.RoleBinding(this, 'CopierRoleBinding', { role }).addSubjects(copier);

    this.job = new HashedJob(this, 'Copy', {
      metadata: { labels: props.labels },
      serviceAccount: copier,
      automountServiceAccountToken: true,
      securityContext: restrictedPodSecurity(NOBODY),
      backoffLimit: 6,
      containers: [{
        name: 'copy',
        image: DefaultImages.PYTHON,
        command: ['python', '-c', COPY_SCRIPT],
        envVariables: {
          SECRET_NAME: kplus.EnvValue.fromValue(this.secret.name),
          INFERENCE_SERVICE: kplus.EnvValue.fromValue(props.inferenceServiceName),
          AWS_ACCESS_KEY_ID: props.credentials.envValue(Credentials.USERNAME),
          AWS_SECRET_ACCESS_KEY: props.credentials.envValue(Credentials.PASSWORD),
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
