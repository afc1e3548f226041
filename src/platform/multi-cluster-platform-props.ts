import * as kplus from 'cdk8s-plus-28';
import { ServiceEndpoint } from '../core/endpoint';
import { SecretSource } from '../core/secret-source';
import { VolumeRetention } from '../core/volume-retention';

/** Properties of a `PrimaryCluster`. */
export interface PrimaryClusterProps {
  /**
   * The namespace of the platform.
   *
   * @default 'mlops'
   */
  readonly namespace?: string;

  /**
   * Where the serving clusters reach the primary's MinIO S3 API, e.g. `ServiceEndpoint.fromHost('minio.mlops.example.com', 9000)`:
   * the address of the LoadBalancer (pointed at by DNS or fixed with your load balancer's IP annotation), or a node's
   * address and the NodePort. Required when the primary runs its own MinIO; with your own `modelsBucket` the serving
   * clusters use that bucket's endpoint.
   *
   * @default - the endpoint of the platform's `modelsBucket`
   */
  readonly sharedStorageEndpoint?: ServiceEndpoint;

  /**
   * The Service that exposes MinIO's S3 API to the serving clusters: a LoadBalancer listening on the port of
   * `sharedStorageEndpoint`, or a NodePort on that port.
   *
   * @default kplus.ServiceType.LOAD_BALANCER
   */
  readonly sharedStorageServiceType?: kplus.ServiceType;

  /**
   * The addresses the primary's traffic to other clusters comes from (an IPv4 CIDR): the serving clusters let only
   * them reach their federation endpoint. Required: give '0.0.0.0/0' explicitly to admit any address.
   *
   * @default - none; a missing value is refused
   */
  readonly egressCidr?: string;
}

/** The primary cluster of a `MultiClusterPlatform`: Airflow, MLflow, the shared MinIO and the primary Prometheus. */
export interface PrimaryClusterOptions extends PrimaryClusterProps {
  /** The cluster's name: its folder, its Argo CD Application and its Prometheus `cluster` label. A DNS label. */
  readonly clusterName: string;

  /**
   * The cluster's name in Argo CD (`destination.name`).
   *
   * @default - the cluster Argo CD runs in (`destination.server: https://kubernetes.default.svc`)
   */
  readonly argoCdClusterName?: string;
}

/** A serving cluster of a `MultiClusterPlatform`: KServe predictors and a secondary Prometheus. */
/**
 * How the primary's Airflow tasks deploy models to a serving cluster: as a ServiceAccount of that cluster whose Role
 * covers only serving objects, through an Airflow `kubernetes` connection on the primary whose kubeconfig carries the
 * ServiceAccount's token.
 */
export interface CrossClusterDeployerOptions {
  /**
   * The Airflow connection id on the primary, e.g. `serving_eu`: `KubernetesHook(conn_id=...)`,
   * `KubernetesPodOperator(kubernetes_conn_id=...)`.
   */
  readonly connectionId: string;

  /**
   * The Secret in the primary's namespace, key `connection`, that holds the connection (Airflow's JSON form, with the
   * kubeconfig in `extra.kube_config`); you create it from the ServiceAccount's token (README). Until it exists, tasks
   * run without the connection.
   *
   * @default '<clusterName>-deployer-connection'
   */
  readonly connectionSecretName?: string;

  /**
   * The ServiceAccount in the serving cluster.
   *
   * @default 'airflow-deployer'
   */
  readonly serviceAccountName?: string;
}

export interface ServingClusterOptions {
  /** The cluster's name: its folder, its Argo CD Application and its Prometheus `cluster` label. A DNS label. */
  readonly clusterName: string;

  /**
   * Where the primary's Prometheus reaches this cluster's Prometheus, e.g.
   * `ServiceEndpoint.fromHost('prometheus.serving-eu.example.com', 9090)`.
   */
  readonly prometheusEndpoint: ServiceEndpoint;

  /**
   * How the Prometheus is exposed to the primary: `LOAD_BALANCER` (port 9090), or `NODE_PORT` on the port of
   * `prometheusEndpoint`.
   *
   * @default kplus.ServiceType.LOAD_BALANCER
   */
  readonly prometheusServiceType?: kplus.ServiceType;

  /**
   * The namespace of the serving cluster's objects.
   *
   * @default 'mlops'
   */
  readonly namespace?: string;

  /**
   * The Secret you create in this cluster, before applying, with the keys `username` (the S3 access key id) and
   * `password` (the secret access key) of the primary's models bucket: copy them from the primary's Secret
   * `primaryCredentialsFor(clusterName)` names.
   *
   * @default 'primary-models-credentials'
   */
  readonly modelsCredentialsSecretName?: string;

  /**
   * The keys of this cluster's MinIO user on the primary's models bucket, from an existing Secret in the primary's
   * namespace (`MinioBucket.withUserCredentials`); a production primary requires it. Copy the same keys into
   * `modelsCredentialsSecretName` here.
   *
   * @default - generated in the primary (dev only); `primaryCredentialsFor(clusterName)` names that Secret
   */
  readonly modelsUserCredentials?: SecretSource;

  /**
   * The addresses this cluster's traffic to the primary comes from (an IPv4 CIDR): only they reach the primary's
   * MinIO as this cluster's user. Required when the primary's MinIO holds the models bucket: give '0.0.0.0/0'
   * explicitly to admit any address.
   *
   * @default - none; refused when the primary's MinIO holds the models bucket, unused otherwise
   */
  readonly egressCidr?: string;

  /**
   * The cluster's name in Argo CD (`destination.name`), as registered with `argocd cluster add <context> --name <name>`.
   *
   * @default - `clusterName`
   */
  readonly argoCdClusterName?: string;

  /**
   * Lets the primary's Airflow tasks deploy models here: a ServiceAccount with `TaskPermission.DEPLOY_MODELS` in this
   * cluster, and the Airflow `kubernetes` connection `connectionId` on the primary.
   *
   * @default - tasks deploy to this cluster only through GitOps
   */
  readonly deployer?: CrossClusterDeployerOptions;

  /**
   * What happens to the cluster's Prometheus volume when it is deleted (`VolumeRetention`).
   *
   * @default VolumeRetention.RETAIN
   */
  readonly volumeRetention?: VolumeRetention;
}

/** Argo CD Applications, one per cluster, that sync each cluster's folder from Git. */
export interface GitOpsOptions {
  /** The Git repository the synthesized folders are committed to, e.g. `https://github.com/org/platform.git`. */
  readonly repoUrl: string;

  /**
   * The folder of the repository that holds one folder per cluster, e.g. `dist/multicluster`.
   *
   * @default - `outdir` relative to the root of the Git repository it is in (the nearest folder above it with a
   * `.git`), or to the current directory outside a repository: right wherever the app and its output are, so a
   * copied starter needs no edit
   */
  readonly path?: string;

  /**
   * The branch, tag or commit to follow.
   *
   * @default 'HEAD'
   */
  readonly targetRevision?: string;

  /**
   * Argo CD's namespace, where the Applications go.
   *
   * @default 'argocd'
   */
  readonly namespace?: string;

  /**
   * The Argo CD project.
   *
   * @default 'default'
   */
  readonly project?: string;
}

/** Properties of a `MultiClusterPlatform`. */
export interface MultiClusterPlatformProps {
  /**
   * Argo CD Applications for every cluster, synthesized into `<outdir>/argocd/` for the cluster Argo CD runs in.
   *
   * @default - no Applications: apply each folder with `kubectl apply --server-side -f <outdir>/<cluster>/`
   */
  readonly gitOps?: GitOpsOptions;

  /**
   * The folder the clusters' folders are written to.
   *
   * @default - `$CDK8S_OUTDIR`, else 'dist' (as a cdk8s App)
   */
  readonly outdir?: string;
}
