import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IBucket } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { GENERATED_KEYS_ANNOTATION } from '../core/generated-secret';
import { HashedJob } from '../core/hashed-job';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { SMALL_CONTAINER_RESOURCES } from '../core/resources';
import { secretApiScript } from '../core/secret-api-script';
import { ImageUser, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { TrustBundle } from '../core/trust-bundle';

const NOBODY: ImageUser = { user: 65534, group: 65534 };
/** Where KServe mounts the `s3-cabundle-configmap` ConfigMap in the storage initializer. */
const KSERVE_CA_DIR = '/etc/ssl/custom-certs';
/** The annotation the copy Job sets on the InferenceService when it changed the credentials, to roll its pods. */
export const CREDENTIALS_VERSION_ANNOTATION = 'mlops.cdk8s.io/s3-credentials-version';

/**
 * Copies the access key pair from the Job's env into the KServe credentials Secret, under the key names KServe reads.
 * KServe's webhook decides whether to give the storage initializer S3 credentials when it admits a pod, by looking at
 * the Secret's keys; a pod admitted before the copy has none. So after changing the Secret the Job annotates the
 * InferenceService, which rolls its pods. It never reads the source Secret: the kubelet hands the values in as env
 * vars, and keeps the pod waiting until their keys exist.
 */
const COPY_SCRIPT = secretApiScript(`
import base64
secret_name = os.environ["SECRET_NAME"]
isvc_name = os.environ["INFERENCE_SERVICE"]
isvc_path = "/apis/serving.kserve.io/v1beta1/namespaces/%s/inferenceservices/%s" % (namespace, isvc_name)
wanted = {key: base64.b64encode(os.environ[key].encode()).decode() for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
current = wait_for_secret(secret_name)
if all((current.get("data") or {}).get(key) == value for key, value in wanted.items()):
    print("Secret %s is up to date" % secret_name, flush=True)
    sys.exit(0)
version = call("PATCH", secret_path(secret_name), {"data": wanted})["metadata"]["resourceVersion"]
print("Secret %s: copied AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" % secret_name, flush=True)
try:
    call("PATCH", isvc_path, {"metadata": {"annotations": {"${CREDENTIALS_VERSION_ANNOTATION}": version}}})
    print("InferenceService %s: rolling its pods onto the new credentials" % isvc_name, flush=True)
except urllib.error.HTTPError as error:
    if error.code != 404:
        sys.exit("annotating InferenceService %s failed: HTTP %s %s" % (isvc_name, error.code, error.read().decode()))
    print("InferenceService %s does not exist yet; its pods will start with the credentials" % isvc_name, flush=True)
`);

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
          ...caBundleAnnotations(store.endpoint.trustBundle),
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
        image: defaultImage(this, DefaultImages.PYTHON),
        imagePullPolicy: imagePullPolicy(DefaultImages.PYTHON),
        command: ['python', '-c', COPY_SCRIPT],
        envVariables: {
          SECRET_NAME: kplus.EnvValue.fromValue(this.secret.name),
          INFERENCE_SERVICE: kplus.EnvValue.fromValue(props.inferenceServiceName),
          AWS_ACCESS_KEY_ID: props.credentials.envValue(Credentials.USERNAME),
          AWS_SECRET_ACCESS_KEY: props.credentials.envValue(Credentials.PASSWORD),
          PYTHONDONTWRITEBYTECODE: kplus.EnvValue.fromValue('1'),
        },
        securityContext: restrictedContainerSecurity(NOBODY),
        resources: SMALL_CONTAINER_RESOURCES,
      }],
    });
  }
}

/**
 * KServe mounts the ConfigMap `s3-cabundle-configmap` (in the InferenceService's namespace) into the storage
 * initializer at `/etc/ssl/custom-certs`, and reads the file `s3-cabundle` names there.
 */
function caBundleAnnotations(bundle: TrustBundle | undefined): Record<string, string> {
  if (!bundle) return {};
  return {
    'serving.kserve.io/s3-cabundle-configmap': bundle.configMapName,
    'serving.kserve.io/s3-cabundle': `${KSERVE_CA_DIR}/${bundle.key}`,
  };
}
