import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { anInstanceOf } from './props-check';

/** The annotation that makes Argo CD keep an object when it leaves the manifests (`Prune`) or its Application is deleted (`Delete`). */
const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/**
 * What happens to a component's data volume when the component, or the whole app, is deleted.
 *
 * The data volumes are stand-alone PersistentVolumeClaims rather than a StatefulSet's `volumeClaimTemplates` (so that
 * they can be resized with `kubectl apply`), and a StatefulSet's `persistentVolumeClaimRetentionPolicy` only reaches
 * claims made from its templates. A claim in the manifests goes when the manifests go, and its volume then follows
 * the StorageClass's `reclaimPolicy` (`Delete` for most provisioners). `RETAIN` therefore marks the claim for the
 * GitOps tool that deletes it: Argo CD keeps it when it leaves the manifests or the Application is deleted.
 * `kubectl delete -f` deletes whatever the files name: with it, delete by label and leave the claims out.
 *
 * The claims of the StatefulSets an operator makes (Prometheus, Alertmanager) come from its `volumeClaimTemplates`
 * and are in no manifest: there the StatefulSet's `persistentVolumeClaimRetentionPolicy` decides (`whenDeleted`,
 * beta and on by default in Kubernetes 1.27-1.31, GA in 1.32). Scaling down keeps a replica's claim either way, so
 * that scaling up again finds its data.
 */
export class VolumeRetention {
  /**
   * Keep the data: the claim carries `argocd.argoproj.io/sync-options: Prune=false,Delete=false`; an operator's
   * StatefulSet keeps its claims (`whenDeleted: Retain`).
   */
  public static readonly RETAIN = new VolumeRetention('Retain');

  /**
   * Delete the claim with the rest, and with it the volume when its StorageClass says `Delete`; an operator's
   * StatefulSet deletes its claims with it (`whenDeleted: Delete`).
   */
  public static readonly DELETE = new VolumeRetention('Delete');

  private constructor(
    /** `Retain` or `Delete`. */
    public readonly policy: string,
  ) {}

  /**
   * The `persistentVolumeClaimRetentionPolicy` of a StatefulSet's claim templates: `whenDeleted` follows this policy,
   * `whenScaled` is always `Retain`. @internal
   */
  public _statefulSetPolicy(): { whenDeleted: string; whenScaled: string } {
    return { whenDeleted: this.policy, whenScaled: 'Retain' };
  }

  /** Marks `claim` (a PersistentVolumeClaim or PersistentVolume) to be kept, with `RETAIN`. @internal */
  public _applyTo(claim: IConstruct): void {
    if (this === VolumeRetention.RETAIN) {
      ApiObject.of(claim).metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, 'Prune=false,Delete=false');
    }
  }
}

/** `volumeRetention` as props take it. */
export const A_VOLUME_RETENTION = anInstanceOf(VolumeRetention, 'VolumeRetention.DELETE');
