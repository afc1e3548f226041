import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IBucket } from '../core/bucket';
import { IDatabase } from '../core/database';
import { IKeyValueStore } from '../core/key-value-store';
import { SecretSource } from '../core/secret-source';
import { ImageUser } from '../core/security';
import { IMlflowTracking } from '../core/tracking';
import { VolumeRetention } from '../core/volume-retention';
import { WorkloadPlacement } from '../core/workload-placement';

/** How a workspace is reached through an Ingress. */
export interface NotebookIngressOptions {
  /** The host name users open, e.g. `mlops.example.com`, or a host of the workspace's own. */
  readonly host: string;

  /**
   * The IngressClass.
   *
   * @default - the cluster's default IngressClass
   */
  readonly ingressClassName?: string;

  /**
   * A TLS Secret (`tls.crt`, `tls.key`) for the host.
   *
   * @default - plain HTTP
   */
  readonly tlsSecret?: kplus.ISecret;
}

/** What a workspace's container requests, which its namespace's quota must hold. */
export interface WorkspaceRequests {
  /** The cpu request, in millicores. */
  readonly cpuMillis: number;
  /** The memory request. */
  readonly memory: Size;
}

/** Properties of a `NotebookWorkspace`. */
export interface NotebookWorkspaceProps {
  /**
   * The user or team the workspace belongs to: a DNS label, the name of its objects and of its base URL
   * (`/notebooks/<owner>`).
   */
  readonly owner: string;

  /**
   * The image. Bring your own built `FROM` a Jupyter Docker Stacks image (`quay.io/jupyter/*`), or any image with
   * JupyterLab 4 (`jupyter lab` on the PATH) that runs as `imageUser` with a writable home at `homePath`.
   *
   * @default DefaultImages.JUPYTER
   */
  readonly image?: string;

  /**
   * The user the image runs as, and the group that owns the home volume.
   *
   * @default - uid 1000 (`jovyan`), gid 100 (`users`), as in the Jupyter Docker Stacks
   */
  readonly imageUser?: ImageUser;

  /**
   * The home directory the persistent volume is mounted at (`ServerApp.root_dir`).
   *
   * @default '/home/jovyan'
   */
  readonly homePath?: string;

  /**
   * The size of the home volume; a whole number of gibibytes.
   *
   * @default Size.gibibytes(10)
   */
  readonly homeSize?: Size;

  /**
   * The StorageClass of the home volume.
   *
   * @default - the cluster's default StorageClass
   */
  readonly homeStorageClassName?: string;

  /**
   * Whether the home volume's claim outlives the workspace: `VolumeRetention.RETAIN` marks it so that Argo CD keeps
   * it when it leaves the manifests or the Application is deleted; `VolumeRetention.DELETE` lets it go with the rest.
   *
   * @default VolumeRetention.RETAIN
   */
  readonly volumeRetention?: VolumeRetention;

  /**
   * The token users log in with (Jupyter Server reads it from `JUPYTER_TOKEN`; Secret key `token` unless mapped).
   *
   * @default SecretSource.generated({ format: SecretValueFormat.URL_SAFE_TOKEN }) - read it with kubectl
   */
  readonly token?: SecretSource;

  /**
   * The base URL Jupyter serves under (`ServerApp.base_url`): `/notebooks/<owner>` behind the platform's entry
   * point, `/` on a host of the workspace's own.
   *
   * @default '/notebooks/<owner>'
   */
  readonly baseUrl?: string;

  /**
   * An Ingress rule for `baseUrl` on `host`, and a NetworkPolicy that lets the Ingress controller in.
   *
   * @default - no Ingress; reach it with `kubectl port-forward`, or expose `service` yourself and `allowFrom` the proxy
   */
  readonly ingress?: NotebookIngressOptions;

  /**
   * A shared volume, e.g. the platform's NFS share (`NfsSharedVolume` is an `IStorage`), mounted at `sharedMountPath`.
   *
   * @default - none
   */
  readonly sharedVolume?: kplus.IStorage;

  /**
   * Where `sharedVolume` is mounted.
   *
   * @default '/shared'
   */
  readonly sharedMountPath?: string;

  /**
   * The MLflow server notebooks log to: `MLFLOW_TRACKING_URI`. The server must let the workspace in
   * (`mlflow.allowFrom(workspace.deployment)`; `MlopsCore.addNotebook` does it).
   *
   * @default - no tracking URI
   */
  readonly tracking?: IMlflowTracking;

  /**
   * Buckets the notebooks read. All buckets of a workspace are on one store and granted to its own user, handed to
   * the container as `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT_URL` and `AWS_DEFAULT_REGION`.
   *
   * @default - none
   */
  readonly readBuckets?: IBucket[];

  /**
   * Buckets the notebooks read and write (see `readBuckets`).
   *
   * @default - none
   */
  readonly writeBuckets?: IBucket[];

  /**
   * A database the notebooks use: `DB_USER` and `DB_PASSWORD` from its Secret, `DB_HOST`, `DB_PORT` and `DB_NAME`.
   *
   * @default - none
   */
  readonly database?: IDatabase;

  /**
   * A Redis-protocol store the notebooks use: `REDIS_PASSWORD` and `REDIS_URL`.
   *
   * @default - none
   */
  readonly keyValueStore?: IKeyValueStore;

  /**
   * GPUs for the workspace (limits of `gpuResourceName`); the pod tolerates the GPU taint.
   *
   * @default 0
   */
  readonly gpus?: number;

  /**
   * The extended resource GPUs are requested as.
   *
   * @default 'nvidia.com/gpu'
   */
  readonly gpuResourceName?: string;

  /**
   * How long a kernel may be idle before Jupyter Server shuts it down (`MappingKernelManager.cull_idle_timeout`, also
   * for kernels with an open browser tab) and a terminal before it is closed (`TerminalManager.cull_inactive_timeout`),
   * checked every 5 minutes. `Duration.seconds(0)` turns culling off. The server itself keeps running.
   *
   * @default Duration.hours(1)
   */
  readonly cullIdleAfter?: Duration;

  /**
   * The container's cpu and memory.
   *
   * @default - cpu request 500m; memory request 2Gi, limit 8Gi
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Where the pod runs and what it pulls images with.
   *
   * @default - no constraints
   */
  readonly placement?: WorkloadPlacement;
}
