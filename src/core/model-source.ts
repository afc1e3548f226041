import * as kplus from 'cdk8s-plus-28';
import { IBucket } from './bucket';
import { AN_IBUCKET, anImplementationOf, aString, checkArgument } from './props-check';

/**
 * Where a model comes from, for every serving backend (KServe's `storageUri`, Seldon's `storageUri`).
 *
 * - `ModelSource.fromBucket(bucket, 'sklearn/iris')`: `s3://<bucket>/sklearn/iris`; the predictor gets read access
 *   to the bucket and KServe's ServiceAccount + credentials Secret for the storage initializer.
 * - `ModelSource.fromPvc(claim, 'models/iris')`: `pvc://<claim>/models/iris`, mounted read-only.
 * - `ModelSource.fromUri('gs://kfserving-examples/models/sklearn/1.0/model')`: any URI KServe understands; its
 *   credentials are yours to provide (`serviceAccount`).
 */
export class ModelSource {
  /** A folder (key prefix) of a bucket. */
  public static fromBucket(bucket: IBucket, path: string = ''): ModelSource {
    checkArgument('ModelSource.fromBucket', 'bucket', bucket, AN_IBUCKET);
    checkArgument('ModelSource.fromBucket', 'path', path, aString("'sklearn/iris'"));
    const key = trimSlashes(path);
    return new ModelSource(bucket.s3Uri(key), key, bucket);
  }

  /** A folder of a PersistentVolumeClaim in the predictor's namespace. */
  public static fromPvc(claim: kplus.IPersistentVolumeClaim, path: string = ''): ModelSource {
    checkArgument('ModelSource.fromPvc', 'claim', claim, anImplementationOf('IPersistentVolumeClaim', ['name'], "kplus.PersistentVolumeClaim.fromClaimName(this, 'Models', 'models')"));
    checkArgument('ModelSource.fromPvc', 'path', path, aString("'models/iris'"));
    const folder = trimSlashes(path);
    return new ModelSource(folder ? `pvc://${claim.name}/${folder}` : `pvc://${claim.name}`, folder);
  }

  /** A URI as the serving backend takes it: `s3://`, `gs://`, `pvc://`, `https://`, `hf://`, `oci://`, ... */
  public static fromUri(uri: string): ModelSource {
    checkArgument('ModelSource.fromUri', 'uri', uri, aString("'gs://kfserving-examples/models/sklearn/1.0/model'"));
    const match = /^[a-z][a-z0-9]*:\/\/[^/]*\/?(.*)$/.exec(uri);
    return new ModelSource(uri, match ? trimSlashes(match[1]) : '');
  }

  private constructor(
    /** The `storageUri`. */
    public readonly storageUri: string,
    /** The path inside the bucket, claim or host. */
    public readonly path: string,
    /** The bucket, for `fromBucket`. */
    public readonly bucket?: IBucket,
  ) {}
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
