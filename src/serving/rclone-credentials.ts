import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IBucket } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { MlopsValidationError } from '../core/errors';
import { GENERATED_KEYS_ANNOTATION } from '../core/generated-secret';
import { HashedJob } from '../core/hashed-job';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { SMALL_CONTAINER_RESOURCES } from '../core/resources';
import { secretApiScript } from '../core/secret-api-script';
import { ImageUser, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';

const NOBODY: ImageUser = { user: 65534, group: 65534 };

/**
 * The rclone remote name: Seldon's agent matches it against the `storageUri` scheme, and `ModelSource.fromBucket`
 * writes `s3://` (scheduler/pkg/agent/rclone/rclone.go @v2.6.0, `createUriWithConfig`).
 */
export const RCLONE_REMOTE = 's3';

/**
 * Writes the bucket's rclone remote into the Secret's one key: the `config/create` form `{name, type, parameters}`
 * in JSON, every parameter a string (the agent parses them into `map[string]string`; docs
 * `kubernetes/storage-secrets` @v2.6.0). `provider: Other` is rclone's any-S3-compatible store; `force_path_style`
 * follows the store's addressing. The access key pair comes in as env vars from the grant's Secret, so the script
 * never reads that Secret. It writes only when the key is missing or holds other credentials, and refuses a Secret
 * with keys of someone else: the agent reads a Secret of exactly one key.
 */
const RCLONE_SCRIPT = secretApiScript(`
import base64
secret_name = os.environ["SECRET_NAME"]
remote = os.environ["RCLONE_REMOTE"]
config = {"name": remote, "type": "s3", "parameters": {
    "provider": "Other",
    "env_auth": "false",
    "access_key_id": os.environ["AWS_ACCESS_KEY_ID"],
    "secret_access_key": os.environ["AWS_SECRET_ACCESS_KEY"],
    "endpoint": os.environ["S3_ENDPOINT"],
    "region": os.environ["S3_REGION"],
    "force_path_style": os.environ["S3_FORCE_PATH_STYLE"],
}}
wanted = base64.b64encode(json.dumps(config).encode()).decode()
current = wait_for_secret(secret_name).get("data") or {}
others = sorted(key for key in current if key != remote)
if others:
    sys.exit("Secret %s has keys %s besides %s, and Seldon reads a storage Secret of exactly one key; remove them, then run this Job again" % (secret_name, ", ".join(others), remote))
if current.get(remote) == wanted:
    print("Secret %s is up to date" % secret_name, flush=True)
    sys.exit(0)
call("PATCH", secret_path(secret_name), {"data": {remote: wanted}})
print("Secret %s: wrote the rclone remote %s" % (secret_name, remote), flush=True)
`);

/** What Seldon's agent needs to download models from one bucket. */
export interface RcloneCredentialsProps {
  readonly bucket: IBucket;
  /** The access key pair, from `bucket.grantRead(...)`. */
  readonly credentials: Credentials;
  readonly labels: Record<string, string>;
}

/**
 * A one-key Secret holding the rclone remote `s3` of a bucket, for a Model's `secretName` or a runtime's preloaded
 * secrets, filled in by a hash-named Job from the bucket grant's Secret. The Secret has no data in the manifests.
 */
export class RcloneCredentials extends Construct {
  public readonly secret: kplus.Secret;
  public readonly job: HashedJob;

  constructor(scope: Construct, id: string, props: RcloneCredentialsProps) {
    super(scope, id);
    checkSecretNamespace(this, props.bucket.bucketName, props.credentials.secret);
    const store = props.bucket.objectStore;
    this.secret = new kplus.Secret(this, 'Resource', {
      metadata: { labels: props.labels, annotations: { [GENERATED_KEYS_ANNOTATION]: RCLONE_REMOTE } },
    });
    ApiObject.of(this.secret).addJsonPatch(JsonPatch.remove('/stringData'));

    const writer = new kplus.ServiceAccount(this, 'WriterServiceAccount', { automountToken: false });
    const role = new kplus.Role(this, 'WriterRole');
    role.allow(['get', 'patch'], this.secret);
    new kplus.RoleBinding(this, 'WriterRoleBinding', { role }).addSubjects(writer);

    this.job = new HashedJob(this, 'Write', {
      metadata: { labels: props.labels },
      serviceAccount: writer,
      automountServiceAccountToken: true,
      securityContext: restrictedPodSecurity(NOBODY),
      backoffLimit: 6,
      containers: [{
        name: 'write',
        image: defaultImage(this, DefaultImages.PYTHON),
        imagePullPolicy: imagePullPolicy(DefaultImages.PYTHON),
        command: ['python', '-c', RCLONE_SCRIPT],
        envVariables: {
          SECRET_NAME: kplus.EnvValue.fromValue(this.secret.name),
          RCLONE_REMOTE: kplus.EnvValue.fromValue(RCLONE_REMOTE),
          S3_ENDPOINT: kplus.EnvValue.fromValue(store.endpoint.url()),
          S3_REGION: kplus.EnvValue.fromValue(store.region),
          S3_FORCE_PATH_STYLE: kplus.EnvValue.fromValue(store.pathStyle ? 'true' : 'false'),
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

/** The Job reads the grant's Secret through env vars, which only reach Secrets of its own namespace. */
function checkSecretNamespace(scope: Construct, bucketName: string, secret: kplus.ISecret): void {
  if (!(secret instanceof kplus.Resource)) return;
  const theirs = secret.metadata.namespace ?? Chart.of(secret).namespace;
  const ours = Chart.of(scope).namespace;
  if (theirs && ours && theirs !== ours) {
    throw new MlopsValidationError(scope.node.scope ?? scope, `model bucket '${bucketName}' is invalid: its credentials Secret is in namespace '${theirs}' and the Seldon runtime in '${ours}', whose pods cannot read it; `
      + `put the runtime in '${theirs}', or import the bucket in '${ours}' with MinioBucket.fromBucketAttributes() and credentials from a Secret there`);
  }
}
