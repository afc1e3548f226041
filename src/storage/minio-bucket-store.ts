import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BucketAccess } from './minio-grant';
import { IBucket, IObjectStore } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { HashedJob } from '../core/hashed-job';
import { SecretSource } from '../core/secret-source';

/**
 * What a `MinioBucket` asks of the `MinioWithBuckets` it lives in: the region to create it in, the `mc` Job that
 * creates it, and the user and policy behind a grant. Internal; `MinioWithBuckets` is the only implementation.
 */
export interface MinioBucketStore extends IObjectStore {
  readonly region: string;

  /** A hash-named Job under `scope` that runs `script` with `mc` logged in as root. */
  _clientJob(scope: Construct, id: string, script: string, env: Record<string, kplus.EnvValue>): HashedJob;

  /** The grantee's user (from `userCredentials`, or generated), with `access` to `bucket`, and the network path to MinIO. */
  _grant(bucket: IBucket, grantee: kplus.INetworkPolicyPeer, access: BucketAccess, userCredentials?: SecretSource): Credentials;
}
