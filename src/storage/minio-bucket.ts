import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BucketAttributes } from './bucket-attributes';
import { ExternalBucket } from './external-bucket';
import { MinioBucketStore } from './minio-bucket-store';
import { BucketAccess } from './minio-grant';
import { IBucket, IObjectStore, s3Uri } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { MlopsValidationError } from '../core/errors';
import { assertBucketName } from '../core/names';
import { A_CONSTRUCT, checkArgument } from '../core/props-check';
import { SecretSource } from '../core/secret-source';

/** What anyone may do with a bucket without credentials: the policies of `mc anonymous set`. */
export class BucketAnonymousAccess {
  /** Nothing: every request needs credentials. */
  public static readonly NONE = new BucketAnonymousAccess('none');
  /** Anyone may list and download objects. */
  public static readonly DOWNLOAD = new BucketAnonymousAccess('download');
  /** Anyone may upload objects. */
  public static readonly UPLOAD = new BucketAnonymousAccess('upload');
  /** Anyone may list, download, upload and delete objects. */
  public static readonly PUBLIC = new BucketAnonymousAccess('public');

  private constructor(
    /** The policy name `mc anonymous set` takes. */
    public readonly policy: string,
  ) {}
}

/** Options of a bucket that `MinioWithBuckets.addBucket()` creates. */
export interface MinioBucketOptions {
  /**
   * Object versioning: `true` runs `mc version enable`, `false` runs `mc version suspend` (objects keep the versions
   * they already have).
   *
   * @default - versioning is left as it is: off for a new bucket, on for one with `objectLock`
   */
  readonly versioning?: boolean;

  /**
   * Creates the bucket with object locking (`mc mb --with-lock`), which turns versioning on for good. MinIO can only
   * enable it when it creates a bucket: setting it for a bucket that exists already changes nothing.
   *
   * @default false
   */
  readonly objectLock?: boolean;

  /**
   * What anyone may do without credentials (`mc anonymous set`). The Job sets it on every run, so an anonymous policy
   * set by hand is replaced.
   *
   * @default BucketAnonymousAccess.NONE
   */
  readonly anonymousAccess?: BucketAnonymousAccess;
}

/**
 * A bucket of a `MinioWithBuckets`, created by `addBucket()`.
 *
 * A hash-named Job creates it (`mc mb --ignore-existing`) and applies its versioning and anonymous policy, so
 * re-applying the manifests is safe and a change of options runs a new Job. `grantRead` / `grantReadWrite` give a
 * workload its own MinIO user with a policy limited to this bucket; the user's Secret is generated unless the grant
 * goes through `withUserCredentials(...)`, which takes it from an existing Secret.
 */
export class MinioBucket extends Construct implements IBucket {
  /**
   * A bucket of an S3-compatible store outside this app (AWS S3, Ceph RGW, another cluster's MinIO), for the same
   * verbs as a bucket of this app. The store's users and policies are managed elsewhere: `grantRead` and
   * `grantReadWrite` hand over `attrs.credentials` whatever they allow, and add no NetworkPolicy.
   */
  public static fromBucketAttributes(scope: Construct, id: string, attrs: BucketAttributes): IBucket {
    checkArgument('MinioBucket.fromBucketAttributes', 'scope', scope, A_CONSTRUCT);
    return new ExternalBucket(scope, id, attrs);
  }

  /** @internal */
  public static _create(store: MinioBucketStore, bucketName: string, options: MinioBucketOptions): MinioBucket {
    assertBucketName(store, bucketName);
    if (options.objectLock && options.versioning === false) {
      throw new MlopsValidationError(store, `bucket '${bucketName}' options are invalid: objectLock needs versioning, `
        + 'which MinIO turns on with the lock; remove versioning: false');
    }
    return new MinioBucket(store, bucketName, options);
  }

  public readonly bucketName: string;
  public readonly objectStore: IObjectStore;
  /** `true`: versioning enabled, `false`: suspended, undefined: left as it is. */
  public readonly versioning?: boolean;
  /** Whether the bucket is created with object locking. */
  public readonly objectLock: boolean;
  /** What anyone may do without credentials. */
  public readonly anonymousAccess: BucketAnonymousAccess;
  /** The Job that creates and configures the bucket. */
  public readonly job: kplus.Job;

  private readonly store: MinioBucketStore;
  private readonly userCredentialViews = new Map<SecretSource, IBucket>();

  private constructor(store: MinioBucketStore, bucketName: string, options: MinioBucketOptions) {
    super(store, bucketName);
    this.store = store;
    this.objectStore = store;
    this.bucketName = bucketName;
    this.versioning = options.versioning;
    this.objectLock = options.objectLock ?? false;
    this.anonymousAccess = options.anonymousAccess ?? BucketAnonymousAccess.NONE;
    this.job = store._clientJob(this, 'Create', this.script(), {});
  }

  public s3Uri(key?: string): string {
    return s3Uri(this.bucketName, key);
  }

  /**
   * Gives `grantee` its own MinIO user (one per grantee and MinIO) and a policy that lets it list and download the
   * objects of this bucket, and allows its traffic to MinIO. Granting the same grantee again returns the same
   * credentials; a later `grantReadWrite` widens the policy.
   */
  public grantRead(grantee: kplus.INetworkPolicyPeer): Credentials {
    return this.store._grant(this, grantee, BucketAccess.READ);
  }

  /** Like `grantRead`, and the policy also lets `grantee` upload and delete objects (multipart uploads included). */
  public grantReadWrite(grantee: kplus.INetworkPolicyPeer): Credentials {
    return this.store._grant(this, grantee, BucketAccess.READ_WRITE);
  }

  /**
   * This bucket, for grantees that bring their own MinIO user: `grantRead` / `grantReadWrite` of the returned bucket
   * create the grantee's user from `credentials`, an existing Secret, instead of generating its Secret. The password
   * (`Credentials.PASSWORD`) is the secret key; the user name is the access key id and is read from the Secret when
   * its `keys` name `Credentials.USERNAME`, e.g.
   * `SecretSource.fromSecret(secret, { keys: { username: 'accessKey', password: 'secretKey' } })`.
   *
   * Hand it to a component in place of the bucket (`artifacts`, `logBucket`, `ModelSource.fromBucket(...)`); every
   * grant to the same grantee must use the same source.
   */
  public withUserCredentials(credentials: SecretSource): IBucket {
    if (credentials.isGenerated) {
      throw new MlopsValidationError(this.store, `bucket '${this.bucketName}' user credentials are invalid: withUserCredentials() takes an `
        + 'existing Secret, and SecretSource.generated() was given; give SecretSource.fromSecret(...), or grant on the bucket itself '
        + 'to have the user\'s Secret generated');
    }
    let view = this.userCredentialViews.get(credentials);
    if (!view) {
      view = new MinioBucketWithUserCredentials(this, `UserCredentials${this.userCredentialViews.size + 1}`, this.store, credentials);
      this.userCredentialViews.set(credentials, view);
    }
    return view;
  }

  /** The bucket part of the Job's script; every command is idempotent. */
  private script(): string {
    const target = `minio/${this.bucketName}`;
    const lock = this.objectLock ? ' --with-lock' : '';
    const lines = [`mc mb --ignore-existing --region ${this.store.region}${lock} ${target}`];
    // Object locking turns versioning on for good: there is nothing to enable, and suspending it fails.
    if (this.versioning !== undefined && !this.objectLock) {
      lines.push(`mc version ${this.versioning ? 'enable' : 'suspend'} ${target}`);
    }
    lines.push(`mc anonymous set ${this.anonymousAccess.policy} ${target}`);
    lines.push(`echo "bucket ${this.bucketName} is ready"`);
    return lines.join('\n');
  }
}

/** A MinIO bucket whose grants create the grantee's user from an existing Secret. */
class MinioBucketWithUserCredentials extends Construct implements IBucket {
  public readonly bucketName: string;
  public readonly objectStore: IObjectStore;

  constructor(
    private readonly bucket: MinioBucket,
    id: string,
    private readonly store: MinioBucketStore,
    private readonly credentials: SecretSource,
  ) {
    super(bucket, id);
    this.bucketName = bucket.bucketName;
    this.objectStore = bucket.objectStore;
  }

  public s3Uri(key?: string): string {
    return this.bucket.s3Uri(key);
  }

  public grantRead(grantee: kplus.INetworkPolicyPeer): Credentials {
    return this.store._grant(this.bucket, grantee, BucketAccess.READ, this.credentials);
  }

  public grantReadWrite(grantee: kplus.INetworkPolicyPeer): Credentials {
    return this.store._grant(this.bucket, grantee, BucketAccess.READ_WRITE, this.credentials);
  }
}
