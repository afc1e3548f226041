import { Names } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Credentials } from '../core/credentials';
import { SecretSource } from '../core/secret-source';

/** How much of a bucket a grantee may touch; a higher level includes the lower ones. */
export class BucketAccess {
  public static readonly READ = new BucketAccess(1);
  public static readonly READ_WRITE = new BucketAccess(2);

  private constructor(public readonly level: number) {}
}

/**
 * The IAM policy document that lets its user read (or read and write) exactly one bucket: the bucket-level actions on
 * `arn:aws:s3:::<bucket>`, the object-level actions on `arn:aws:s3:::<bucket>/*`.
 */
export function bucketPolicyDocument(bucketName: string, access: BucketAccess): object {
  const write = access.level >= BucketAccess.READ_WRITE.level;
  const bucketActions = ['s3:GetBucketLocation', 's3:ListBucket', ...(write ? ['s3:ListBucketMultipartUploads'] : [])];
  const objectActions = ['s3:GetObject', ...(write
    ? ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']
    : [])];
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: bucketActions, Resource: [`arn:aws:s3:::${bucketName}`] },
      { Effect: 'Allow', Action: objectActions, Resource: [`arn:aws:s3:::${bucketName}/*`] },
    ],
  };
}

/**
 * The script of a grant Job (run after the client Job's wait-for-MinIO prelude). The user's keys come from the env
 * vars `USER_ACCESS_KEY` / `USER_SECRET_KEY` and reach `mc` on stdin, the policy document from `POLICY`.
 *
 * Every step may run again: adding an existing user sets the same secret key again, `policy create` replaces the
 * policy, and re-attaching an attached policy answers `XMinioAdminPolicyChangeAlreadyApplied` ("The specified policy
 * change is already in effect."), the one error that is tolerated. Recent `mc` releases tolerate it themselves;
 * checking here keeps older `mc` images working too.
 */
export function grantScript(policyName: string, bucketName: string): string {
  return [
    'printf \'%s\\n%s\\n\' "$USER_ACCESS_KEY" "$USER_SECRET_KEY" | mc admin user add minio',
    'printf \'%s\' "$POLICY" > /tmp/policy.json',
    `mc admin policy create minio ${policyName} /tmp/policy.json`,
    `if output=$(mc admin policy attach minio ${policyName} --user "$USER_ACCESS_KEY" 2>&1); then`,
    '  echo "$output"',
    'else',
    '  case "$output" in',
    `    *"policy change is already in effect"*) echo "policy ${policyName} is already attached" ;;`,
    '    *) echo "$output" >&2; exit 1 ;;',
    '  esac',
    'fi',
    `echo "user $USER_ACCESS_KEY has policy ${policyName} on bucket ${bucketName}"`,
  ].join('\n');
}

/** The MinIO user of one grantee. */
export interface MinioUser {
  /** The user name, which is the S3 access key id unless an existing Secret holds another one. */
  readonly userName: string;
  /** `Credentials.USERNAME` (the access key id) and `Credentials.PASSWORD` (the secret access key). */
  readonly credentials: Credentials;
  /** The existing Secret the credentials come from; undefined when they are generated. */
  readonly source?: SecretSource;
}

/** The user name (access key id) of `grantee`: its construct path as a DNS label with a hash, at most 32 characters. */
export function minioUserName(grantee: IConstruct): string {
  return Names.toDnsLabel(grantee as Construct, { maxLen: 32 });
}

/**
 * Creates the user of `grantee` under `scope`: the user name and password from `source`, an existing Secret (which
 * holds the user name too when its `keys` name one), or else the fixed user name and a random password in a Secret
 * generated inside the cluster.
 */
export function createMinioUser(scope: Construct, grantee: IConstruct, source?: SecretSource): MinioUser {
  const userName = minioUserName(grantee);
  const credentials = (source ?? SecretSource.generated()).bind(scope, `User-${userName}`, {
    secretValues: [Credentials.PASSWORD],
    values: { [Credentials.USERNAME]: userName },
  });
  return { userName, credentials, source };
}
