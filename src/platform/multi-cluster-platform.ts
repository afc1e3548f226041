import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ArgoCdApplication } from './argo-cd-application';
import { ArgoCdSyncWaves } from './argo-cd-sync-waves';
import { AN_EGRESS_CIDR, DEFAULT_CLUSTER_NAMESPACE, requireCidr } from './cross-cluster-access';
import { CrossClusterDeployerOptions, GitOpsOptions, MultiClusterPlatformProps, PrimaryClusterOptions, ServingClusterOptions } from './multi-cluster-platform-props';
import { PrimaryCluster } from './primary-cluster';
import { ServingCluster } from './serving-cluster';
import { Credentials } from '../core/credentials';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { aDnsLabel } from '../core/prop-kinds';
import { anInstanceOf, checkProps } from '../core/props-check';
import { SecretSource } from '../core/secret-source';
import { A_VOLUME_RETENTION } from '../core/volume-retention';
import { TaskPermission } from '../orchestration/task-permission';
import { TaskServiceAccount } from '../orchestration/task-service-account';

const ARGOCD_FOLDER = 'argocd';
/** The common name of the primary Prometheus' client certificate, which the serving clusters' proxies require. */
const FEDERATION_CLIENT = 'prometheus-federation';

/**
 * One primary cluster and N serving clusters, each synthesized into its own folder, `<outdir>/<clusterName>/`, and
 * optionally the Argo CD Applications that sync them, `<outdir>/argocd/`.
 *
 * ```ts
 * const platform = new MultiClusterPlatform({
 *   gitOps: { repoUrl: 'https://github.com/org/platform.git' },
 * });
 * const primary = platform.addPrimary({
 *   clusterName: 'primary',
 *   sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.mlops.example.com', 9000),
 *   egressCidr: '198.51.100.0/24',   // the primary's egress addresses, which the serving clusters admit
 * });
 * // The primary is a chart: create what its platform refers to in it.
 * const adminPassword = SecretSource.fromSecret(kplus.Secret.fromSecretName(primary, 'AirflowAdmin', 'airflow-admin'));
 * primary.addPlatform({
 *   dags: DagSource.fromGit({ repository: 'https://github.com/org/dags.git' }),
 *   secrets: { airflowAdminPassword: adminPassword },
 * });
 * const eu = platform.addServingCluster({
 *   clusterName: 'serving-eu',
 *   prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090),
 *   egressCidr: '203.0.113.0/24',    // the serving cluster's, which the primary's MinIO admits
 * });
 * eu.addPredictor('Iris', { model: ModelSource.fromBucket(eu.modelsBucket, 'triton'), modelFormat: ModelFormat.ONNX });
 * platform.synth();
 * ```
 *
 * - The primary (`PrimaryCluster`) runs an `MlopsCore` whose Prometheus is the federating primary; every serving
 *   cluster's Prometheus is added to it (`addFederatedCluster`) at its `prometheusEndpoint`, and the rules and
 *   dashboard rows of what the serving clusters serve are added to its own (`addMonitoring`).
 * - The primary's MinIO S3 API is exposed to the serving clusters (a LoadBalancer or NodePort Service that keeps the
 *   caller's address). Each serving cluster gets its own MinIO user with read access to the models bucket, admitted
 *   from its `egressCidr`; it reads the bucket with the keys you copy into its `modelsCredentialsSecretName`.
 * - Every object of a cluster carries its Argo CD sync wave (`ArgoCdSyncWaves`).
 *
 * Each cluster is its own cdk8s `App` (an App writes one folder): add your own objects to the primary or a serving
 * cluster's chart (`Chart.of(servingCluster)`). The platform is a root construct named after its folder, so that its
 * errors say which platform they are about.
 */
export class MultiClusterPlatform extends Construct {
  /** The folder holding one folder per cluster. */
  public readonly outdir: string;
  /** The chart of the Argo CD Applications, with `gitOps`. */
  public readonly argoCdChart?: Chart;

  private readonly apps: App[] = [];
  private readonly clusterNames: string[] = [];
  private readonly servingClusters: ServingCluster[] = [];
  private readonly grants = new Map<string, Credentials>();
  private readonly gitOps?: GitOpsOptions;
  private primary?: PrimaryCluster;

  constructor(props: MultiClusterPlatformProps = {}) {
    const outdir = props.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist';
    super(undefined as any, path.basename(path.resolve(outdir)));
    this.outdir = outdir;
    this.gitOps = props.gitOps;
    if (this.gitOps) {
      this.argoCdChart = new Chart(this.newApp(ARGOCD_FOLDER), ARGOCD_FOLDER, { namespace: this.gitOps.namespace ?? 'argocd' });
    }
  }

  /** Every cluster's name: the primary first, then the serving clusters in the order they were added. */
  public get clusters(): string[] {
    return [...this.clusterNames];
  }

  /** The primary cluster's chart: the `PrimaryCluster` that `addPrimary` returned. */
  public get primaryChart(): PrimaryCluster {
    if (!this.primary) {
      throw new MlopsValidationError(this, 'primaryChart: there is no primary cluster yet; add it with addPrimary({ clusterName, ... })');
    }
    return this.primary;
  }

  /** The chart of the cluster `clusterName`, the primary or a serving cluster. */
  public chartOf(clusterName: string): Chart {
    if (this.primary && clusterName === this.primary.clusterName) {
      return this.primary;
    }
    const serving = this.servingClusters.find((cluster) => cluster.clusterName === clusterName);
    if (!serving) {
      throw new MlopsValidationError(this, `chartOf('${clusterName}'): no such cluster (clusters: ${this.clusterNames.join(', ') || 'none'})`);
    }
    return Chart.of(serving);
  }

  /**
   * Adds the primary cluster in its own chart, before any serving cluster. Create what its platform refers to in the
   * returned chart, then the platform with `primary.addPlatform({ dags, ... })`.
   */
  public addPrimary(options: PrimaryClusterOptions): PrimaryCluster {
    checkProps(this, options, { clusterName: aDnsLabel("'primary'") }, { egressCidr: AN_EGRESS_CIDR }, 'addPrimary: options');
    if (this.primary) {
      throw new MlopsValidationError(this, `addPrimary('${options.clusterName}'): the platform has a primary already, '${this.primary.clusterName}'; `
        + 'a platform has one primary: add the other clusters with addServingCluster(...)');
    }
    this.claimClusterName(options.clusterName);
    const { clusterName, argoCdClusterName, ...props } = options;
    this.primary = new PrimaryCluster(this.newApp(clusterName), clusterName, props);
    this.addApplication(clusterName, argoCdClusterName, this.primary.namespace!);
    return this.primary;
  }

  /**
   * Adds a serving cluster in its own chart: a `ServingCluster` whose `modelsBucket` is the primary's models bucket,
   * read with the Secret `modelsCredentialsSecretName` of that cluster, and whose Prometheus the primary federates.
   * Call it after `addPrimary(...)` and `primary.addPlatform(...)`.
   */
  public addServingCluster(options: ServingClusterOptions): ServingCluster {
    checkProps(this, options, {
      clusterName: aDnsLabel("'serving-eu'"),
      prometheusEndpoint: anInstanceOf(ServiceEndpoint, "ServiceEndpoint.fromHost('prometheus.serving-eu.example.com', 443, 'https')"),
    }, { egressCidr: AN_EGRESS_CIDR, volumeRetention: A_VOLUME_RETENTION }, 'addServingCluster: options');
    if (!this.primary) {
      throw new MlopsValidationError(this, `addServingCluster('${options.clusterName}'): there is no primary cluster yet: serving clusters read its models `
        + 'bucket and its Prometheus federates them; call addPrimary({ clusterName, ... }) and primary.addPlatform({ dags, ... }) first');
    }
    const primary = this.primary._requirePlatform(`addServingCluster('${options.clusterName}')`);
    this.claimClusterName(options.clusterName);
    const chart = new Chart(this.newApp(options.clusterName), options.clusterName, { namespace: options.namespace ?? DEFAULT_CLUSTER_NAMESPACE });
    const egressCidr = this.primary._sharesStorage
      ? requireCidr(chart, 'egressCidr', options.egressCidr, "the primary admits only this cluster's egress addresses to its MinIO as the "
        + "cluster's models user")
      : options.egressCidr;
    const secret = kplus.Secret.fromSecretName(chart, 'PrimaryModelsCredentials', options.modelsCredentialsSecretName ?? 'primary-models-credentials');
    // The serving cluster trusts the primary's CA: the same issuer name and bundle, the CA's Secret copied there.
    const tls = this.primary._tls?.replicate(chart, 'Tls');
    const serving = new ServingCluster(chart, 'Serving', {
      clusterName: options.clusterName,
      modelsBucket: this.primary._modelsBucketFor(chart, Credentials.fromSecret(secret), tls?.trustBundle),
      prometheusEndpoint: options.prometheusEndpoint,
      prometheusServiceType: options.prometheusServiceType,
      federatedFrom: this.primary._egressCidr,
      tls,
      volumeRetention: options.volumeRetention,
    });
    ArgoCdSyncWaves.applyTo(chart);
    primary.prometheus!.addFederatedCluster({
      clusterName: options.clusterName,
      endpoint: serving.prometheusEndpoint,
      clientCertificateSecret: tls ? this.primary._federationClientSecret(FEDERATION_CLIENT) : undefined,
    });
    serving._federatedBy(primary.prometheus!);
    const credentials = this.primary._admit(options.clusterName, egressCidr, options.modelsUserCredentials);
    if (credentials) {
      this.grants.set(options.clusterName, credentials);
    }
    this.addApplication(options.clusterName, options.argoCdClusterName ?? options.clusterName, chart.namespace!);
    if (options.deployer) {
      this.addDeployer(chart, options.clusterName, options.deployer);
    }
    this.servingClusters.push(serving);
    return serving;
  }

  /**
   * The credentials of `clusterName`'s MinIO user in the primary cluster: copy the keys `username` and `password` of
   * `credentials.secret` (in the primary's namespace) into the serving cluster's `modelsCredentialsSecretName`.
   * Only when the primary runs its own MinIO.
   */
  public primaryCredentialsFor(clusterName: string): Credentials {
    const credentials = this.grants.get(clusterName);
    if (!credentials) {
      const known = [...this.grants.keys()].join(', ') || 'none';
      throw new MlopsValidationError(this, `primaryCredentialsFor('${clusterName}'): no MinIO user for that cluster (serving clusters with one: ${known}); `
        + 'users exist only for serving clusters added with addServingCluster while the primary runs its own MinIO');
    }
    return credentials;
  }

  /** Writes `<outdir>/<cluster>/<cluster>.k8s.yaml` for every cluster, and `<outdir>/argocd/argocd.k8s.yaml` with `gitOps`. */
  public synth(): void {
    if (!this.primary) {
      throw new MlopsValidationError(this, 'synth(): there is no primary cluster: add it with addPrimary({ clusterName, ... }) '
        + 'and its platform with primary.addPlatform({ dags, ... })');
    }
    this.primary._requirePlatform('synth()');
    if (this.servingClusters.length === 0) {
      throw new MlopsValidationError(this, 'synth(): there is no serving cluster: add at least one with addServingCluster(...), or use MlopsCore alone for a single cluster');
    }
    for (const app of this.apps) {
      app.synth();
    }
  }

  /** The serving cluster's deployer ServiceAccount, and the primary's Airflow connection to it. */
  private addDeployer(chart: Chart, clusterName: string, deployer: CrossClusterDeployerOptions): void {
    new TaskServiceAccount(chart, 'AirflowDeployer', {
      name: deployer.serviceAccountName ?? 'airflow-deployer',
      permissions: [TaskPermission.DEPLOY_MODELS],
    });
    const primary = this.primary!;
    const secret = kplus.Secret.fromSecretName(primary, `DeployerConnection-${clusterName}`,
      deployer.connectionSecretName ?? `${clusterName}-deployer-connection`);
    primary._requirePlatform(`addServingCluster('${clusterName}')`).airflow.addConnection(deployer.connectionId, SecretSource.fromSecret(secret), { optional: true });
  }

  private newApp(folder: string): App {
    const app = new App({ outdir: path.join(this.outdir, folder) });
    this.apps.push(app);
    return app;
  }

  private claimClusterName(name: string): void {
    if (name === ARGOCD_FOLDER) {
      throw new MlopsValidationError(this, `clusterName '${name}' is invalid: the folder '${ARGOCD_FOLDER}' holds the Argo CD Applications; give the cluster another name`);
    }
    if (this.clusterNames.includes(name)) {
      throw new MlopsValidationError(this, `clusterName '${name}' is invalid: another cluster has it, and it names the cluster's folder, Application and Prometheus label; give each cluster its own`);
    }
    this.clusterNames.push(name);
  }

  /** The repository folder that holds the cluster folders: `gitOps.path`, or `outdir` relative to the repository's root. */
  private gitOpsPath(): string {
    if (this.gitOps?.path !== undefined) {
      return this.gitOps.path.replace(/\/+$/, '');
    }
    const outdir = path.resolve(this.outdir);
    let root = path.dirname(outdir);
    while (!fs.existsSync(path.join(root, '.git')) && path.dirname(root) !== root) {
      root = path.dirname(root);
    }
    const base = fs.existsSync(path.join(root, '.git')) ? root : process.cwd();
    const relative = path.relative(base, outdir).split(path.sep).join('/');
    if (relative.startsWith('../') || relative === '..' || path.isAbsolute(relative)) {
      throw new MlopsValidationError(this, `gitOps.path is missing and outdir '${this.outdir}' is in no Git repository and not under the current `
        + "directory, so it cannot be derived; give gitOps.path, the repository's folder that holds the cluster folders, e.g. 'dist'");
    }
    return relative;
  }

  private addApplication(clusterName: string, argoCdClusterName: string | undefined, namespace: string): void {
    if (!this.gitOps) {
      return;
    }
    new ArgoCdApplication(this.argoCdChart!, clusterName, {
      name: clusterName,
      repoUrl: this.gitOps.repoUrl,
      path: [this.gitOpsPath(), clusterName].filter((part) => part !== '').join('/'),
      targetRevision: this.gitOps.targetRevision,
      project: this.gitOps.project,
      destinationName: argoCdClusterName,
      destinationNamespace: namespace,
    });
  }
}
