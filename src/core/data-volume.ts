import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';
import { dnsSubdomainProblems } from './names';
import { VolumeRetention } from './volume-retention';

// The data volume of a one-replica StatefulSet (MinIO, the SQL servers, Redis with persistence): a stand-alone
// PersistentVolumeClaim rather than a volumeClaimTemplate, which Kubernetes forbids changing, so that it can be resized
// with a plain `kubectl apply`. Internal: not exported from the package.

/** How a component's data volume is made. */
export interface DataVolumeOptions {
  /** Storage the user brings instead of a new claim, e.g. an existing claim's volume. */
  readonly storage?: kplus.IStorage;
  /** The size of the new claim; a whole number of gibibytes (the component's props check it with `aClaimSize`). */
  readonly storageSize?: Size;
  /** The StorageClass of the new claim; none means the cluster's default. */
  readonly storageClassName?: string;
  /** The size of the new claim when `storageSize` is not given. */
  readonly defaultSize: Size;
  /** The labels of the new claim. */
  readonly labels: Record<string, string>;
  /** Whether the new claim outlives the app; none means `VolumeRetention.RETAIN`. */
  readonly volumeRetention?: VolumeRetention;
}

/** What to mount, and the claim behind it. */
export interface DataVolume {
  /** `storage` when given, else the volume `data` of the new claim. */
  readonly storage: kplus.IStorage;
  /** The new claim; none when `storage` was given. */
  readonly claim?: kplus.PersistentVolumeClaim;
}

/**
 * Checks the storage options of `scope`, then returns `storage` when given, or else creates a ReadWriteOnce
 * PersistentVolumeClaim (`Data`) of `storageSize` and its volume named `data` (`DataVolume`), both under `scope`.
 */
export function addDataVolume(scope: Construct, options: DataVolumeOptions): DataVolume {
  const { storage, storageSize, storageClassName } = options;
  if (storage !== undefined && (storageSize !== undefined || storageClassName !== undefined)) {
    throw new MlopsValidationError(scope, 'storage is invalid together with storageSize or storageClassName: '
      + 'they describe the PersistentVolumeClaim that storage replaces; give either storage or the other two');
  }
  if (storage !== undefined) {
    return { storage };
  }
  const size = storageSize ?? options.defaultSize;
  if (storageClassName !== undefined) {
    checkStorageClassName(scope, 'storageClassName', storageClassName);
  }
  const claim = new kplus.PersistentVolumeClaim(scope, 'Data', {
    metadata: { labels: options.labels },
    accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
    storage: size,
    storageClassName,
  });
  (options.volumeRetention ?? VolumeRetention.RETAIN)._applyTo(claim);
  return { storage: kplus.Volume.fromPersistentVolumeClaim(scope, 'DataVolume', claim, { name: 'data' }), claim };
}

/** Throws unless `value`, given as `what`, can name a StorageClass. */
export function checkStorageClassName(where: IConstruct | string, what: string, value: string): void {
  if (dnsSubdomainProblems(value).length > 0) {
    throw new MlopsValidationError(where, `${what} '${value}' is invalid: must be the name of a StorageClass: `
      + "1-253 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit; "
      + "give a name that 'kubectl get storageclass' lists, or leave it out for the cluster's default");
  }
}
