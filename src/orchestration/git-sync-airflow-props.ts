import * as kplus from 'cdk8s-plus-28';
import { DagSource } from './dag-source';
import { IBucket } from '../core/bucket';
import { IDatabase } from '../core/database';
import { SecretSource } from '../core/secret-source';
import { WorkloadPlacement } from '../core/workload-placement';

/** Options of `GitSyncAirflow.addS3Connection()`. */
export interface S3ConnectionOptions {
  /**
   * Grants read access only (`bucket.grantRead`).
   *
   * @default false - read and write (`bucket.grantReadWrite`)
   */
  readonly readOnly?: boolean;
}

/** Options of `GitSyncAirflow.addRedisConnection()`. */
export interface RedisConnectionOptions {
  /**
   * The logical database number (the connection's `db` extra).
   *
   * @default 0
   */
  readonly database?: number;
}

/** Options of `GitSyncAirflow.addConnection()`. */
export interface ConnectionOptions {
  /**
   * Whether Airflow's pods start without the Secret: the connection exists in the tasks that start after the Secret
   * does (and in the components once they restart). For a Secret you create after applying, e.g. another cluster's
   * kubeconfig.
   *
   * @default false - the pods wait for the Secret
   */
  readonly optional?: boolean;
}

/** Options of `GitSyncAirflow.mountInTasks()`. */
export interface TaskVolumeOptions {
  /**
   * Mounts the storage read-only.
   *
   * @default false
   */
  readonly readOnly?: boolean;

  /**
   * A path within the storage to mount instead of its root.
   *
   * @default - the root of the storage
   */
  readonly subPath?: string;
}

/** How the api-server is reached through an Ingress. */
export interface AirflowIngressOptions {
  /** The host name users open, e.g. `airflow.example.com`. */
  readonly host: string;

  /**
   * The path prefix Airflow is served under, e.g. `/airflow`; Airflow's `base_url` gets it, so that its links and
   * API routes carry it (no rewrite in the Ingress).
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * The IngressClass.
   *
   * @default - the cluster's default IngressClass
   */
  readonly ingressClassName?: string;

  /**
   * A TLS Secret (`tls.crt`, `tls.key`) for the host; the base URL is then `https://`.
   *
   * @default - plain HTTP
   */
  readonly tlsSecret?: kplus.ISecret;
}

/** Properties of a `GitSyncAirflow`. */
export interface GitSyncAirflowProps {
  /** The metadata database, e.g. `postgres.addDatabase('airflow')` or `Postgres.fromDatabaseAttributes(...)`. */
  readonly database: IDatabase;

  /** Where the DAGs come from: `DagSource.fromGit({ repository, ... })` or `DagSource.fromVolume(storage)`. */
  readonly dags: DagSource;

  /**
   * The Airflow image of the components and the Jobs. It must be an Airflow 3.1 image built like the official one
   * (entrypoint, uid 50000, gid 0) with the cncf.kubernetes and fab providers, and the amazon provider for `logBucket`.
   *
   * @default DefaultImages.AIRFLOW
   */
  readonly image?: string;

  /**
   * The image of the task pods, e.g. one with your DAGs' Python dependencies; it must hold the same Airflow version.
   * A task can run in another image through its `executor_config` pod_override.
   *
   * @default - the same as `image`
   */
  readonly workerImage?: string;

  /**
   * The bucket task logs are written to (remote logging), so that they outlive the task pods that wrote them.
   *
   * @default - no remote logging: a task's log is lost with its pod
   */
  readonly logBucket?: IBucket;

  /**
   * The key prefix of the task logs in `logBucket`.
   *
   * @default 'logs'
   */
  readonly logPrefix?: string;

  /**
   * The key connections and variables are encrypted with in the database (`AIRFLOW__CORE__FERNET_KEY`, Secret key
   * `fernet-key`). It must be a Fernet key, so a generated source must have `format: SecretValueFormat.FERNET_KEY`;
   * changing it later makes the stored secrets unreadable.
   *
   * @default - a Fernet key generated inside the cluster
   */
  readonly fernetKey?: SecretSource;

  /**
   * The api-server's secret key for sessions (`AIRFLOW__API__SECRET_KEY`, Secret key `api-secret-key`).
   *
   * @default - generated inside the cluster
   */
  readonly apiSecretKey?: SecretSource;

  /**
   * The key the api-server and the scheduler sign and check the tokens of the Execution API with
   * (`AIRFLOW__API_AUTH__JWT_SECRET`, Secret key `jwt-secret`).
   *
   * @default - generated inside the cluster
   */
  readonly jwtSecret?: SecretSource;

  /**
   * The first admin's user name.
   *
   * @default 'admin'
   */
  readonly adminUsername?: string;

  /**
   * The first admin's e-mail address (FAB requires one).
   *
   * @default 'admin@example.com'
   */
  readonly adminEmail?: string;

  /**
   * The first admin's password (`Credentials.PASSWORD`). The admin Job sets it on every run.
   *
   * @default - a random password generated inside the cluster, in the Secret of `adminCredentials`
   */
  readonly adminPassword?: SecretSource;

  /**
   * Airflow Variables as env vars (`AIRFLOW_VAR_<KEY>`) in the components and the task pods; the same as calling
   * `addVariable(key, value)` for each. Not for secrets.
   *
   * @default - none
   */
  readonly variables?: { [key: string]: string };

  /**
   * Exposes the api-server on this port of every node (Service type NodePort), from 30000 to 32767.
   *
   * @default - ClusterIP only (reach it with `kubectl port-forward`)
   */
  readonly nodePort?: number;

  /**
   * Exposes the api-server through an Ingress and sets Airflow's `base_url` to it.
   *
   * @default - no Ingress
   */
  readonly ingress?: AirflowIngressOptions;

  /**
   * How many api-server pods run behind the Service, from 1 to 100. They share the secret keys and the database, so
   * any of them serves any request.
   *
   * @default 1
   */
  readonly apiServerReplicas?: number;

  /** The api-server's resources. @default - requests 200m cpu and 512Mi memory, limit 2Gi memory */
  readonly apiServerResources?: kplus.ContainerResources;

  /** The scheduler's resources. @default - requests 200m cpu and 512Mi memory, limit 2Gi memory */
  readonly schedulerResources?: kplus.ContainerResources;

  /** The dag-processor's resources. @default - requests 200m cpu and 512Mi memory, limit 2Gi memory */
  readonly dagProcessorResources?: kplus.ContainerResources;

  /** The triggerer's resources. @default - requests 100m cpu and 512Mi memory, limit 1Gi memory */
  readonly triggererResources?: kplus.ContainerResources;

  /**
   * Every task pod's resources; a task can ask for others through its `executor_config` pod_override.
   *
   * @default - requests 250m cpu and 512Mi memory, limit 2Gi memory
   */
  readonly workerResources?: kplus.ContainerResources;

  /**
   * Where the task pods run and what they pull images with, e.g. GPU nodes:
   * `WorkloadPlacement.of({ nodeSelector: { 'nvidia.com/gpu.present': 'true' }, tolerations: [...] })`.
   *
   * @default - `placement`
   */
  readonly workerPlacement?: WorkloadPlacement;

  /**
   * The statsd exporter image Airflow's metrics go through.
   *
   * @default DefaultImages.STATSD_EXPORTER
   */
  readonly statsdExporterImage?: string;

  /**
   * Where the pods run and what they pull images with (node selector, tolerations, node affinity, topology spread,
   * priority class, image pull secrets), applied to every pod this construct makes.
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;
}

/** How Airflow names itself in its traces. */
export interface AirflowTracingOptions {
  /**
   * `[traces] otel_service`: the service name of Airflow's spans.
   *
   * @default 'airflow'
   */
  readonly serviceName?: string;
}
