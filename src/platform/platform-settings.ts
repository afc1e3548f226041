import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { MlopsValidationError } from '../core/errors';
import { assertLabels } from '../core/names';
import { A_DURATION, A_SIZE, aNumber, anInstanceOf, aString, aStringMap, checkArgument, checkProps, PropKind } from '../core/props-check';
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
  /** The platform's Redis (when it creates one). */
  readonly redis?: DataStoreSettings;
  /** Airflow. */
  readonly airflow?: AirflowSettings;
  /** MLflow. */
  readonly mlflow?: MlflowSettings;
  /** Prometheus (with monitoring). */
  readonly prometheus?: PrometheusSettings;
  /** Grafana (with monitoring and grafana). */
  readonly grafana?: ServerSettings;
}

const A_PLACEMENT = anInstanceOf(WorkloadPlacement, "WorkloadPlacement.of({ nodeSelector: { 'node-role.example.com/ml': 'true' } })");
const A_RESOURCES: PropKind = {
  description: 'container resources',
  example: '{ cpu: { request: kplus.Cpu.millis(500) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) } }',
  matches: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
};
const SERVER_KINDS: Record<string, PropKind> = { image: aString("'harbor.example.com/mirror/postgres:17.6'"), resources: A_RESOURCES, placement: A_PLACEMENT };
const DATA_STORE_KINDS: Record<string, PropKind> = { ...SERVER_KINDS, storageSize: A_SIZE, storageClassName: aString("'fast-ssd'") };

/** Checks the kinds of every settings entry that is given. */
export function checkPlatformSettings(scope: IConstruct, settings: PlatformSettings | undefined): void {
  if (settings === undefined) return;
  const piece = { description: 'an object of settings', example: '{ image, resources, placement }', matches: (value: unknown) => typeof value === 'object' && value !== null };
  checkProps(scope, settings, {}, {
    postgres: piece, minio: piece, redis: piece, airflow: piece, mlflow: piece, prometheus: piece, grafana: piece,
  }, 'settings');
  for (const store of ['postgres', 'minio', 'redis'] as const) {
    checkProps(scope, settings[store], {}, DATA_STORE_KINDS, `settings.${store}`);
  }
  checkProps(scope, settings.prometheus, {}, { ...DATA_STORE_KINDS, retention: A_DURATION }, 'settings.prometheus');
  checkProps(scope, settings.mlflow, {}, { ...SERVER_KINDS, replicas: aNumber('2') }, 'settings.mlflow');
  checkProps(scope, settings.grafana, {}, SERVER_KINDS, 'settings.grafana');
  checkProps(scope, settings.airflow, {}, {
    image: aString("'registry.example.com/airflow:3.1.8-custom'"),
    workerImage: aString("'registry.example.com/airflow-tasks:1.0'"),
    apiServerResources: A_RESOURCES,
    schedulerResources: A_RESOURCES,
    dagProcessorResources: A_RESOURCES,
    triggererResources: A_RESOURCES,
    workerResources: A_RESOURCES,
    placement: A_PLACEMENT,
    workerPlacement: A_PLACEMENT,
  }, 'settings.airflow');
}

/** Checks `commonLabels` and the annotations by kind. */
export function checkPlatformMetadata(
  scope: IConstruct, labels: Record<string, string> | undefined, annotations: Record<string, Record<string, string>> | undefined,
): void {
  if (labels !== undefined) {
    checkArgument(scope, 'commonLabels', labels, aStringMap("{ team: 'vision' }"));
    if (Object.keys(labels).length > 0) assertLabels(scope, 'commonLabels', labels);
  }
  for (const [kind, entries] of Object.entries(annotations ?? {})) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
      throw new MlopsValidationError(scope, `annotations key '${kind}' is invalid: give an object kind as Kubernetes spells it, e.g. 'Service' or 'Ingress'`);
    }
    checkArgument(scope, `annotations.${kind}`, entries, aStringMap("{ 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' }"));
  }
}
