import { Credentials } from '../core/credentials';
import { ServiceEndpoint } from '../core/endpoint';

/** A bucket of an S3 store outside this app, as `MinioBucket.fromBucketAttributes()` takes it. */
export interface BucketAttributes {
  /** The bucket's name. */
  readonly bucketName: string;

  /** The S3 endpoint, e.g. `ServiceEndpoint.fromHost('s3.eu-west-1.amazonaws.com', 443, 'https')`. */
  readonly endpoint: ServiceEndpoint;

  /**
   * The region clients sign requests for.
   *
   * @default 'us-east-1'
   */
  readonly region?: string;

  /**
   * Whether clients must use path-style addressing (`https://host/bucket/key`). AWS S3 also serves
   * virtual-host style; most on-prem stores (MinIO, Ceph RGW without wildcard DNS) need path style.
   *
   * @default true
   */
  readonly pathStyle?: boolean;

  /**
   * The access key id (`Credentials.USERNAME`) and secret access key (`Credentials.PASSWORD`) every grantee uses,
   * e.g. `Credentials.fromSecret(secret, { keys: { username: 'AWS_ACCESS_KEY_ID', password: 'AWS_SECRET_ACCESS_KEY' } })`.
   */
  readonly credentials: Credentials;
}
