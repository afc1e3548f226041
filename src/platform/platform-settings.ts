import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { VolumeRetention } from '../core/volume-retention';
import { WorkloadPlacement } from '../core/workload-placement';

/** The image, resources and placement of a server `MlopsCore` creates, as a Helm chart's values would set them. */
export interface ServerSettings {
  /** The image, e.g. a mirror's copy or your own build. @default - the pinned image of `DefaultImages` */
  readonly image?: string;
  /** The server container's cpu and memory. @default - the component's own default */
  readonly resources?: kplus.ContainerResources;
  /** Where its pods run (node selector, tolerations, affinity, topology spread, priority class). @default - `MlopsCore`'s `placement` */
  readonly placement?: WorkloadPlacement;
}

/** A server with data: also the size and class of its volume (the chart users' `persistence`). */
export interface DataStoreSettings extends ServerSettings {
  /** The size of its PersistentVolumeClaim. @default - the component's own default */
  readonly storageSize?: Size;
  /** The StorageClass of its PersistentVolumeClaim. @default - `MlopsCore`'s `storageClassName` */
  readonly storageClassName?: string;
}

/** Airflow's images, the resources of each of its components, and where its tasks run. */
export interface AirflowSettings {
  /** The image of Airflow's components. @default - the pinned Airflow image */
  readonly image?: string;
  /** The image of the task pods (KubernetesExecutor workers). @default - `image` */
  readonly workerImage?: string;
  /** The api-server's cpu and memory. @default - GitSyncAirflow's default */
  readonly apiServerResources?: kplus.ContainerResources;
  /** The scheduler's cpu and memory. @default - GitSyncAirflow's default */
  readonly schedulerResources?: kplus.ContainerResources;
  /** The dag-processor's cpu and memory. @default - GitSyncAirflow's default */
  readonly dagProcessorResources?: kplus.ContainerResources;
  /** The triggerer's cpu and memory. @default - GitSyncAirflow's default */
  readonly triggererResources?: kplus.ContainerResources;
  /** Each task pod's cpu and memory. @default - GitSyncAirflow's default */
  readonly workerResources?: kplus.ContainerResources;
  /** Where Airflow's own pods run. @default - `MlopsCore`'s `placement` */
  readonly placement?: WorkloadPlacement;
  /** Where task pods run, e.g. on GPU nodes. @default - `placement` */
  readonly workerPlacement?: WorkloadPlacement;
}

/** MLflow's image, resources, placement and replicas. */
export interface MlflowSettings extends ServerSettings {
  /** How many MLflow servers. @default - 1 (dev), 2 (production) */
  readonly replicas?: number;
}

/** Prometheus' volume, retention and resources. */
export interface PrometheusSettings extends DataStoreSettings {
  /** How long samples are kept. @default - 7 days (dev), 15 days (production) */
  readonly retention?: Duration;
}

/** The settings of each piece `MlopsCore` creates; a piece left out keeps its defaults. */
export interface PlatformSettings {
  /** The platform's Postgres (when it creates one). */
  readonly postgres?: DataStoreSettings;
  /** The platform's MinIO (when it creates one). */
  readonly minio?: DataStoreSettings;
  /** The platform's Redis (when it creates one); a `storageSize` or `storageClassName` makes it persistent (AOF). */
  readonly redis?: DataStoreSettings;
  /** Airflow. */
  readonly airflow?: AirflowSettings;
  /** MLflow. */
  readonly mlflow?: MlflowSettings;
  /** Prometheus (with monitoring). */
  readonly prometheus?: PrometheusSettings;
  /** Grafana (with monitoring and grafana). */
  readonly grafana?: ServerSettings;
  /**
   * Whether the data volumes of the platform outlive it: those of its stores (Postgres, MinIO, a persistent Redis,
   * the NFS share), of Loki and Jaeger, of the notebooks and teams' workspaces it adds, and the claims the operator
   * makes for Prometheus and Alertmanager. `VolumeRetention.DELETE` is the one switch that lets everything go,
   * volumes included, when the platform is deleted; `sharedVolume.volumeRetention` wins for the share, a notebook's
   * own `volumeRetention` for its home.
   *
   * @default VolumeRetention.RETAIN - the claims are kept (Argo CD `Prune=false,Delete=false`; the operator's
   * StatefulSets `whenDeleted: Retain`)
   */
  readonly volumeRetention?: VolumeRetention;
}
