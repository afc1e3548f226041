import { ApiObject, Chart, JsonPatch, Names, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkHost } from '../core/address';
import { MlopsValidationError } from '../core/errors';
import { componentLabels } from '../core/labels';
import { aClaimSize, aHost } from '../core/prop-kinds';
import { aString, checkProps } from '../core/props-check';
import { A_VOLUME_RETENTION, VolumeRetention } from '../core/volume-retention';

/** Properties of an `NfsSharedVolume`. */
export interface NfsSharedVolumeProps {
  /** The NFS server's host name or IP address, e.g. `nfs.example.com` or `10.0.0.5`. */
  readonly server: string;

  /** The exported directory on the server, an absolute path, e.g. `/exports/mlops`. */
  readonly path: string;

  /**
   * The capacity recorded on the PersistentVolume and requested by the claim. NFS does not enforce it; it only has
   * to be a whole number of gibibytes, the same on both sides so that they bind.
   *
   * @default Size.gibibytes(10)
   */
  readonly storageSize?: Size;

  /**
   * The NFS mount options the kubelet uses (`mount -o`), e.g. `['nfsvers=3']` for a server that only speaks NFSv3,
   * or `[]` to let the client negotiate the version.
   *
   * @default ['hard', 'nfsvers=4.1'] - the Kubernetes documentation's example: `hard` retries instead of returning
   * I/O errors while the server is away, and NFSv4.1 needs only port 2049 and no rpcbind/statd on the nodes for locks
   */
  readonly mountOptions?: string[];

  /**
   * Whether pods may only read the share: the volume and the claim are `ReadOnlyMany` and every mount is read-only.
   *
   * @default false - `ReadWriteMany`
   */
  readonly readOnly?: boolean;

  /**
   * Whether the volume and its claim outlive the app: `VolumeRetention.RETAIN` marks both so that Argo CD keeps them
   * when they leave the manifests or the Application is deleted; `VolumeRetention.DELETE` lets them go with the rest.
   * Either way the PersistentVolume's `persistentVolumeReclaimPolicy` is `Retain` and the files stay on the server:
   * Kubernetes has no deleter for NFS volumes (a `Delete` policy would only leave the volume `Failed`).
   *
   * @default VolumeRetention.RETAIN
   */
  readonly volumeRetention?: VolumeRetention;
}

/**
 * A directory on an NFS server shared by many pods: a PersistentVolume that points at the export and a
 * PersistentVolumeClaim bound to exactly that volume (by `volumeName`, with an empty storage class so that no
 * default StorageClass provisions another volume instead). Pods reach the share only through the claim: an inline
 * `nfs` pod volume is forbidden under Pod Security `restricted`.
 *
 * Mount it like any kplus storage: `container.mount('/shared', nfs)`.
 *
 * Permissions are the server's business. Kubernetes does not apply `fsGroup` to NFS volumes, and `root_squash` (the
 * default) maps root to `nobody`, so the exported directory must be owned by, or group-writable for, the uid/gid the
 * pods run as (Airflow runs as 50000:0, MLflow as 1000:1000). On the server, either `chown -R 50000:0 /exports/mlops`
 * (with `chmod -R g+rwX` for several groups), or export it with `all_squash,anonuid=50000,anongid=0` so that every
 * client writes as that user.
 *
 * The PersistentVolume is cluster-wide: its name carries the chart's namespace, so the same app synthesized for two
 * namespaces of one cluster gets two volumes. When the chart has a namespace, the volume also reserves itself for
 * the claim (`claimRef`), so that no other claim can take it.
 */
export class NfsSharedVolume extends Construct implements kplus.IStorage {
  /** The PersistentVolume pointing at the export. */
  public readonly persistentVolume: kplus.PersistentVolume;
  /** The claim pods mount; bound to `persistentVolume`. */
  public readonly claim: kplus.PersistentVolumeClaim;
  /** Whether mounts are read-only. */
  public readonly readOnly: boolean;

  private volume?: kplus.Volume;

  constructor(scope: Construct, id: string, props: NfsSharedVolumeProps) {
    super(scope, id);
    checkProps(this, props, { server: aHost('nfs.example.com'), path: aString("'/exports/mlops'") }, {
      storageSize: aClaimSize('Size.gibibytes(10)'), volumeRetention: A_VOLUME_RETENTION,
    });
    validateServer(this, props.server);
    validatePath(this, props.path);
    const storage = props.storageSize ?? Size.gibibytes(10);
    const mountOptions = props.mountOptions ?? ['hard', 'nfsvers=4.1'];
    mountOptions.forEach((option) => validateMountOption(this, option));
    this.readOnly = props.readOnly ?? false;

    const accessModes = [this.readOnly ? kplus.PersistentVolumeAccessMode.READ_ONLY_MANY : kplus.PersistentVolumeAccessMode.READ_WRITE_MANY];
    const namespace = Chart.of(this).namespace;
    const labels = componentLabels(this, { name: 'nfs', component: 'shared-volume' });
    this.claim = new kplus.PersistentVolumeClaim(this, 'Claim', {
      metadata: { labels },
      accessModes,
      storage,
      // '' means "no class": without it the default StorageClass would provision a new volume for the claim.
      storageClassName: '',
    });
    this.persistentVolume = new NfsPersistentVolume(this, 'Resource', {
      metadata: { name: Names.toDnsLabel(this, { extra: namespace ? [namespace] : [] }), labels },
      accessModes,
      storage,
      mountOptions,
      reclaimPolicy: kplus.PersistentVolumeReclaimPolicy.RETAIN,
      storageClassName: '',
    }, {
      nfs: { server: props.server, path: props.path, readOnly: this.readOnly ? true : undefined },
      claimRef: namespace ? { namespace, name: this.claim.name } : undefined,
    });
    this.claim.bind(this.persistentVolume);
    const retention = props.volumeRetention ?? VolumeRetention.RETAIN;
    retention._applyTo(this.claim);
    retention._applyTo(this.persistentVolume);
  }

  /** The pod volume of the claim (read-only when `readOnly`); the same object on every call. */
  public asVolume(): kplus.Volume {
    this.volume ??= kplus.Volume.fromPersistentVolumeClaim(this, 'Volume', this.claim, {
      name: Names.toDnsLabel(this, { extra: ['nfs'] }),
      readOnly: this.readOnly,
    });
    return this.volume;
  }
}

interface NfsSource {
  readonly nfs: kplus.k8s.NfsVolumeSource;
  readonly claimRef?: kplus.k8s.ObjectReference;
}

/** kplus has PersistentVolume classes for cloud disks but none for NFS; this one follows their pattern. */
class NfsPersistentVolume extends kplus.PersistentVolume {
  constructor(scope: Construct, id: string, props: kplus.PersistentVolumeProps, private readonly source: NfsSource) {
    super(scope, id, props);
    // A PersistentVolume is cluster-scoped; cdk8s gives every object the chart's namespace.
    if (Chart.of(this).namespace) {
      ApiObject.of(this).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }

  /** @internal */
  public _toKube(): kplus.k8s.PersistentVolumeSpec {
    return { ...super._toKube(), ...this.source };
  }
}

function validateServer(scope: Construct, server: string): void {
  checkHost(scope, 'server', server, { example: 'nfs.example.com' });
}

function validatePath(scope: Construct, path: string): void {
  if (!path.startsWith('/')) {
    throw new MlopsValidationError(scope, `NFS export path '${path}' is invalid: must be absolute; start it with '/', e.g. '/exports/mlops'`);
  }
  if (path.split('/').includes('..')) {
    throw new MlopsValidationError(scope, `NFS export path '${path}' is invalid: must not contain '..' segments; give the export's real path`);
  }
}

function validateMountOption(scope: Construct, option: string): void {
  if (option === '' || /[\s,]/.test(option)) {
    throw new MlopsValidationError(scope, `mount option '${option}' is invalid: must be one option without spaces or commas; `
      + "give each option as its own item, e.g. ['hard', 'nfsvers=4.1']");
  }
}
