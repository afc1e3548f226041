import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BucketAttributes } from './bucket-attributes';
import { IBucket, IObjectStore, s3Uri } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { assertBucketName } from '../core/names';
import { aBoolean, anInstanceOf, aString, checkProps } from '../core/props-check';

/**
 * A bucket of an object store outside this app: AWS S3, Ceph RGW, another cluster's MinIO. Created by
 * `MinioBucket.fromBucketAttributes()`; not exported from the package.
 *
 * Users and policies of such a store are managed elsewhere, so `grantRead` and `grantReadWrite` return the given
 * credentials whatever access they stand for, and add no NetworkPolicy (egress is not restricted).
 */
export class ExternalBucket extends Construct implements IBucket {
  public readonly bucketName: string;
  public readonly objectStore: IObjectStore;
  private readonly credentials: Credentials;

  constructor(scope: Construct, id: string, attrs: BucketAttributes) {
    super(scope, id);
    checkProps(this, attrs, {
      bucketName: aString("'ml-artifacts'"),
      endpoint: anInstanceOf(ServiceEndpoint, "ServiceEndpoint.fromHost('s3.eu-west-1.amazonaws.com', 443, 'https')"),
      credentials: anInstanceOf(Credentials, "Credentials.fromSecret(secret, { keys: { username: 'AWS_ACCESS_KEY_ID', password: 'AWS_SECRET_ACCESS_KEY' } })"),
    }, { pathStyle: aBoolean() }, 'attributes');
    assertBucketName(this, attrs.bucketName);
    const region = attrs.region ?? 'us-east-1';
    if (!/^\S+$/.test(region)) {
      throw new MlopsValidationError(this, `region '${region}' is invalid: must be non-empty without spaces; give the store's region, e.g. 'us-east-1'`);
    }
    this.bucketName = attrs.bucketName;
    this.credentials = attrs.credentials;
    this.objectStore = new ExternalObjectStore(this, 'Store', attrs.endpoint, region, attrs.pathStyle ?? true);
  }

  public s3Uri(key?: string): string {
    return s3Uri(this.bucketName, key);
  }

  /** Returns the given credentials: what they may do is decided by the store. */
  public grantRead(_grantee: kplus.INetworkPolicyPeer): Credentials {
    return this.credentials;
  }

  /** Returns the given credentials: what they may do is decided by the store. */
  public grantReadWrite(_grantee: kplus.INetworkPolicyPeer): Credentials {
    return this.credentials;
  }
}

class ExternalObjectStore extends Construct implements IObjectStore {
  constructor(
    scope: Construct,
    id: string,
    public readonly endpoint: ServiceEndpoint,
    public readonly region: string,
    public readonly pathStyle: boolean,
  ) {
    super(scope, id);
  }
}
