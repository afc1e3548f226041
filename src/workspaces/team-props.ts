import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IBucket } from '../core/bucket';
import { IMlflowTracking } from '../core/tracking';
import { VolumeRetention } from '../core/volume-retention';

/** What a team's namespace may hold in total (its `ResourceQuota`). */
export interface TeamQuota {
  /** The sum of the cpu requests (`requests.cpu`), e.g. `kplus.Cpu.units(8)`. */
  readonly cpu: kplus.Cpu;

  /** The sum of the memory requests (`requests.memory`), e.g. `Size.gibibytes(32)`. */
  readonly memory: Size;

  /**
   * The sum of the memory limits (`limits.memory`).
   *
   * @default - twice `memory`
   */
  readonly memoryLimit?: Size;

  /**
   * The sum of the storage the PersistentVolumeClaims request (`requests.storage`).
   *
   * @default Size.gibibytes(100)
   */
  readonly storage?: Size;

  /**
   * GPUs of `gpuResourceName` (`requests.<resource>`).
   *
   * @default 0 - no GPUs
   */
  readonly gpus?: number;

  /**
   * The extended resource GPUs are requested as.
   *
   * @default 'nvidia.com/gpu'
   */
  readonly gpuResourceName?: string;
}

/** Properties of a `Team`. */
export interface TeamProps {
  /**
   * The team's members, as the cluster's authenticator names them (DNS labels, e.g. `alice`): they may edit
   * everything in the team's namespace (ClusterRole `edit`) and view the platform's (`view`).
   */
  readonly members: string[];

  /**
   * The platform's namespace, which members may view (`view`: pods, logs are not included, Services, ConfigMaps,
   * not Secrets).
   *
   * @default - no access to another namespace
   */
  readonly platformNamespace?: string;

  /** The team's share of the cluster. */
  readonly quota: TeamQuota;

  /**
   * The requests and memory limit each container without its own gets (`LimitRange` defaults).
   *
   * @default - cpu request 100m; memory request 256Mi, limit 1Gi
   */
  readonly defaultResources?: kplus.ContainerResources;

  /**
   * The team's bucket, written by each of its workspaces with the team's S3 user. Its credentials must be readable in
   * the team's namespace: on the platform's MinIO, grant through
   * `bucket.withUserCredentials(SecretSource.fromSecret(secret))` with a Secret of that name in both namespaces.
   *
   * @default - none
   */
  readonly bucket?: IBucket;

  /**
   * The MLflow server the team's workspaces log to unless they name another. It must let the team's namespace in.
   *
   * @default - none
   */
  readonly tracking?: IMlflowTracking;

  /**
   * Whether the home volumes of the team's workspaces outlive them, unless a workspace says otherwise
   * (`NotebookWorkspaceProps.volumeRetention`).
   *
   * @default VolumeRetention.RETAIN
   */
  readonly volumeRetention?: VolumeRetention;
}
