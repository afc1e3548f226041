import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { Credentials } from './credentials';
import { ServiceEndpoint } from './endpoint';

/** An S3-compatible object store: a MinIO in this app, AWS S3, Ceph RGW, another cluster's MinIO. */
export interface IObjectStore extends IConstruct {
  /** The S3 API endpoint. */
  readonly endpoint: ServiceEndpoint;
  /** The region clients sign requests for (MinIO accepts `us-east-1` unless configured otherwise). */
  readonly region: string;
  /** Whether clients must use path-style addressing (`http://host/bucket/key`), as MinIO and most on-prem stores need. */
  readonly pathStyle: boolean;
}

/**
 * A bucket workloads read or write: one created by `MinioWithBuckets.addBucket()`, or an external one imported with
 * `MinioBucket.fromBucketAttributes()`.
 */
export interface IBucket extends IConstruct {
  /** The bucket's name. */
  readonly bucketName: string;
  /** The store that holds it. */
  readonly objectStore: IObjectStore;

  /** `s3://<bucket>/<key>`; `key` without a leading `/`. */
  s3Uri(key?: string): string;

  /**
   * Lets `grantee` read objects of this bucket: returns the credentials it must use (`Credentials.USERNAME` is the
   * access key id, `Credentials.PASSWORD` the secret access key) and allows its traffic to the store when the store
   * is in this app.
   */
  grantRead(grantee: kplus.INetworkPolicyPeer): Credentials;

  /** Like `grantRead`, and lets `grantee` write and delete objects too. */
  grantReadWrite(grantee: kplus.INetworkPolicyPeer): Credentials;
}

/** `s3://bucket/key` with exactly one `/` between the parts. */
export function s3Uri(bucketName: string, key: string = ''): string {
  const path = key.replace(/^\/+/, '');
  return path ? `s3://${bucketName}/${path}` : `s3://${bucketName}`;
}
