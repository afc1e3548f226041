import { Duration } from 'cdk8s';
import { PlatformAccess } from './platform-access';
import { KubeflowGatewayOptions } from './platform-kubeflow-options';
import { PlatformProfile } from './platform-profile';
import { PlatformSettings } from './platform-settings';
import { IBucket } from '../core/bucket';
import { IDatabase } from '../core/database';
import { ImageRegistry } from '../core/image-registry';
import { IKeyValueStore } from '../core/key-value-store';
import { SecretSource } from '../core/secret-source';
import { WorkloadPlacement } from '../core/workload-placement';
import { PrometheusRole } from '../observability/federated-prometheus-props';
import { DagSource } from '../orchestration/dag-source';
import { PlatformTlsProps } from '../security/platform-tls';
import { NfsSharedVolumeProps } from '../storage/nfs-shared-volume';

/**
 * Where the credentials of the pieces `MlopsCore` creates come from. A source for a piece that is not created (its
 * replacement was given) is refused.
 */
export interface PlatformSecrets {
  /** The in-cluster Postgres' superuser password (`PostgresProps.adminPassword`). @default - generated (dev only) */
  readonly postgresAdminPassword?: SecretSource;
  /** The password of the in-cluster `airflow` database's user. @default - generated (dev only) */
  readonly airflowDatabasePassword?: SecretSource;
  /** The password of the in-cluster `mlflow` database's user. @default - generated (dev only) */
  readonly mlflowDatabasePassword?: SecretSource;
  /** The in-cluster MinIO's root user and password (`MinioWithBucketsProps.rootCredentials`). @default - generated (dev only) */
  readonly minioRootCredentials?: SecretSource;
  /** The in-cluster Redis' password (`RedisProps.password`). @default - generated (dev only) */
  readonly redisPassword?: SecretSource;
  /** The first Airflow admin's password (`GitSyncAirflowProps.adminPassword`). @default - generated (dev only) */
  readonly airflowAdminPassword?: SecretSource;
  /** Airflow's Fernet key (`GitSyncAirflowProps.fernetKey`, key `fernet-key`). @default - generated (dev only) */
  readonly airflowFernetKey?: SecretSource;
  /** The Airflow api-server's session key (`GitSyncAirflowProps.apiSecretKey`). @default - generated (dev only) */
  readonly airflowApiSecretKey?: SecretSource;
  /** Airflow's Execution API token key (`GitSyncAirflowProps.jwtSecret`). @default - generated (dev only) */
  readonly airflowJwtSecret?: SecretSource;
  /** Grafana's admin user and password (`GrafanaProps.adminCredentials`). @default - generated (dev only) */
  readonly grafanaAdminCredentials?: SecretSource;
  /**
   * The password of the in-cluster `grafana` database's user, created with profile production when the platform runs
   * its own Postgres and `grafanaDatabase` is not given.
   *
   * @default - generated (dev only)
   */
  readonly grafanaDatabasePassword?: SecretSource;
  /**
   * The keys of MLflow's own MinIO user on the in-cluster `mlflow-artifacts` bucket (`MinioBucket.withUserCredentials`;
   * `Credentials.USERNAME` is the access key, `Credentials.PASSWORD` the secret key).
   *
   * @default - generated (dev only)
   */
  readonly mlflowS3Credentials?: SecretSource;
  /**
   * The keys of Airflow's own MinIO user on the in-cluster `airflow-logs`, `datasets` and `models` buckets (remote
   * logs, `datasets_s3`, `models_s3`).
   *
   * @default - generated (dev only)
   */
  readonly airflowS3Credentials?: SecretSource;
  /**
   * The keys of the MinIO user that each predictor served from the in-cluster `models` bucket reads it with
   * (`addPredictor`). Production requires it once a predictor reads that bucket.
   *
   * @default - a user per predictor, generated (dev only)
   */
  readonly predictorS3Credentials?: SecretSource;
  /**
   * The keys of the MinIO user that each training job (`addPyTorchDdpJob`, `addSparkJob`) reads and writes the
   * in-cluster buckets with. Production requires it once a training job uses them.
   *
   * @default - a user per job, generated (dev only)
   */
  readonly trainingS3Credentials?: SecretSource;
}

/** Where and for how long `MlopsCore` keeps the logs. */
export interface PlatformLogsOptions {
  /**
   * The namespace of the log shipper (and the id of its chart, a sibling of the platform's), which enforces Pod
   * Security `privileged`.
   *
   * @default - the platform's namespace with `-logs` appended
   */
  readonly shipperNamespace?: string;

  /**
   * How long Loki keeps the logs.
   *
   * @default Duration.days(14) (Duration.days(3) with profile dev)
   */
  readonly retention?: Duration;
}

/** Properties of `MlopsCore`. */
export interface MlopsCoreProps {
  /** Where Airflow's DAGs come from, e.g. `DagSource.fromGit({ repository, subPath })`. */
  readonly dags: DagSource;

  /**
   * Dev (small, generated credentials) or production (existing credentials, replicas, disruption budgets).
   *
   * @default PlatformProfile.DEV
   */
  readonly profile?: PlatformProfile;

  /**
   * How users reach the UIs.
   *
   * @default PlatformAccess.clusterIp()
   */
  readonly access?: PlatformAccess;

  /**
   * Airflow's metadata database, e.g. `Postgres.fromDatabaseAttributes(...)`.
   *
   * @default - the database `airflow` of an in-cluster Postgres
   */
  readonly airflowDatabase?: IDatabase;

  /**
   * MLflow's backend store.
   *
   * @default - the database `mlflow` of an in-cluster Postgres (created only when this or `airflowDatabase` is missing)
   */
  readonly mlflowDatabase?: IDatabase;

  /** MLflow's artifacts. @default - the bucket `mlflow-artifacts` of an in-cluster MinIO */
  readonly artifactsBucket?: IBucket;

  /** Airflow's task logs. @default - the bucket `airflow-logs` of an in-cluster MinIO */
  readonly logsBucket?: IBucket;

  /** Data sets, the Airflow connection `datasets_s3`. @default - the bucket `datasets` of an in-cluster MinIO */
  readonly datasetsBucket?: IBucket;

  /**
   * Models, the Airflow connection `models_s3` and `modelsBucket` for predictors.
   *
   * @default - the bucket `models` of an in-cluster MinIO (created only when any of the four buckets is missing)
   */
  readonly modelsBucket?: IBucket;

  /**
   * The store tasks exchange values through, the Airflow connection `task_values`.
   *
   * @default - an in-cluster Redis
   */
  readonly keyValueStore?: IKeyValueStore;

  /**
   * Whether a `FederatedPrometheus` scrapes every piece (and the exporters of Postgres and Redis run).
   *
   * @default true
   */
  readonly monitoring?: boolean;

  /**
   * Whether traces are collected: an OpenTelemetry Collector (OTLP 4317/4318) exporting to a Jaeger v2 trace store
   * (Badger on a PVC), Airflow's `[traces]` pointed at it, Jaeger as a Grafana data source; `platform.tracing.instrument`
   * points your own images' OTel SDK at it.
   *
   * @default false
   */
  readonly tracing?: boolean;

  /**
   * Whether every container's log is kept: a `LokiLogStore` in the platform's namespace (a Grafana data source) and a
   * `NodeLogShipper` DaemonSet in a chart and namespace of its own that enforces Pod Security `privileged`, which
   * reading `/var/log/pods` needs.
   *
   * @default - no log aggregation: Airflow's task logs in the logs bucket are the only logs kept
   */
  readonly logs?: PlatformLogsOptions;

  /**
   * The Prometheus' role in a multi-cluster setup.
   *
   * @default PrometheusRole.SECONDARY
   */
  readonly prometheusRole?: PrometheusRole;

  /**
   * Whether a `Grafana` shows the Prometheus' dashboards (`/grafana` behind an Ingress, NodePort 30011). Turn it off
   * where a Grafana runs already, e.g. kube-prometheus-stack's, whose sidecar picks up the dashboards' ConfigMaps
   * (labelled `grafana_dashboard: "1"`) anyway.
   *
   * @default true (with monitoring)
   */
  readonly grafana?: boolean;

  /**
   * Grafana's own state (users, preferences, dashboards saved in the UI).
   *
   * @default - with profile production and the platform's own Postgres, its database `grafana`; otherwise SQLite on an
   * emptyDir, which keeps the provisioned data source and dashboards but loses UI changes with the pod
   */
  readonly grafanaDatabase?: IDatabase;

  /**
   * The `passwordRevision` of each database the platform creates on its own Postgres (`airflow`, `mlflow`,
   * `grafana`): after changing their passwords in their Secrets, change it and apply, and each setup Job sets its
   * password again.
   *
   * @default - none
   */
  readonly databasePasswordRevision?: string;

  /**
   * The cluster's name: the Prometheus `cluster` label. A DNS label.
   *
   * @default - the construct's id, lower-cased
   */
  readonly clusterName?: string;

  /**
   * The labels the Prometheus selects its monitors by (`FederatedPrometheusProps.monitorLabels`).
   *
   * @default - a label unique to the Prometheus
   */
  readonly monitorLabels?: { [key: string]: string };

  /**
   * An NFS share for the platform (`sharedVolume`), mounted at `/shared` in every Airflow task and in every training
   * job of `addPyTorchDdpJob` and `addSparkJob`. The export must be writable for the uids they run as (Airflow 50000,
   * PyTorch jobs 1000, Spark 185), e.g. `all_squash` to one uid.
   *
   * @default - none
   */
  readonly sharedVolume?: NfsSharedVolumeProps;

  /**
   * A private registry for the platform's chart: every default image pulled from its mirror and every pod (Airflow's
   * task pods too) pulling with its Secrets, e.g. `ImageRegistry.of({ mirrorPrefix: 'harbor.example.com/mirror', pullSecrets: [...] })`.
   *
   * @default - images from their public registries, no pull Secrets
   */
  readonly registry?: ImageRegistry;

  /**
   * MLflow at `/mlflow` of Kubeflow's Istio gateway too: `--static-prefix /mlflow`, the host in `--allowed-hosts`, a
   * VirtualService on the gateway and a NetworkPolicy for its pods. Kubeflow's own AuthorizationPolicies must allow
   * the path (see the README).
   *
   * @default - not through Kubeflow
   */
  readonly kubeflowGateway?: KubeflowGatewayOptions;

  /**
   * TLS on the platform's MinIO (S3 API and console), Postgres and Redis, with certificates from cert-manager and the
   * CA bundle trust-manager publishes into the namespace; every client the platform wires verifies them. MLflow,
   * Grafana, Prometheus and the Airflow api-server stay plain HTTP inside the namespace.
   *
   * @default - true with `PlatformProfile.PRODUCTION`, false with `PlatformProfile.DEV`
   */
  readonly tls?: boolean;

  /**
   * Where the certificates come from (an existing ClusterIssuer, or the private CA bootstrapped by default) and
   * where the CA bundle is published; needs TLS on.
   *
   * @default - a private CA bootstrapped in the manifests, the bundle published into the chart's namespace
   */
  readonly tlsOptions?: PlatformTlsProps;

  /**
   * Credentials of the pieces created in the cluster. The production profile requires one for each such piece.
   *
   * @default - every credential generated inside the cluster (dev only)
   */
  readonly secrets?: PlatformSecrets;

  /**
   * The image, resources, volume size and class, and placement of each piece the platform creates, as a Helm
   * chart's values would set them, e.g. `{ minio: { storageSize: Size.gibibytes(500) }, airflow: { image: '...' } }`.
   * A piece's own `placement` and `storageClassName` override the platform-wide ones below.
   *
   * @default - each piece's defaults
   */
  readonly settings?: PlatformSettings;

  /**
   * Where every pod of the platform runs (node selector, tolerations, node affinity, topology spread, priority class),
   * e.g. on the nodes of a dedicated pool; `settings.<piece>.placement` overrides it for one piece.
   *
   * @default - any node
   */
  readonly placement?: WorkloadPlacement;

  /**
   * The StorageClass of every volume the platform's data stores claim (Postgres, MinIO, Prometheus, and Redis when
   * `settings.redis` makes it persistent); `settings.<piece>.storageClassName` overrides it for one.
   *
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;

  /**
   * Labels on every object of the platform (the chart users' `commonLabels`), e.g. `{ team: 'ml-platform' }`. The
   * recommended `app.kubernetes.io/*` labels stay the library's.
   *
   * @default - the recommended labels only
   */
  readonly commonLabels?: { [key: string]: string };

  /**
   * Annotations on the platform's objects of one kind, by kind, e.g.
   * `{ Service: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' }, Ingress: { ... } }`.
   *
   * @default - none
   */
  readonly annotations?: { [kind: string]: { [key: string]: string } };
}
