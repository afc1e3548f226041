import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ArgoCdApplication } from './argo-cd-application';
import { ArgoCdSyncWaves } from './argo-cd-sync-waves';
import { assertCidr, assertExternalServiceType, preserveClientAddress } from './cross-cluster-access';
import { MlopsCore } from './mlops-core';
import { GitOpsOptions, MultiClusterPlatformProps, ServingClusterOptions } from './multi-cluster-platform-props';
import { ServingCluster } from './serving-cluster';
import { Credentials } from '../core/credentials';
import { ServiceEndpoint } from '../core/endpoint';
import { dnsLabelProblems } from '../core/names';
import { PrometheusRole } from '../observability/federated-prometheus-props';
import { ExternalBucket } from '../storage/external-bucket';
import { MinioWithBuckets } from '../storage/minio-with-buckets';

const MINIO_API_PORT = 9000;
const ARGOCD_FOLDER = 'argocd';
const DEFAULT_NAMESPACE = 'mlops';

/**
 * One primary cluster and N serving clusters, each synthesized into its own folder, `<outdir>/<clusterName>/`, and
 * optionally the Argo CD Applications that sync them, `<outdir>/argocd/`.
 *
 * ```ts
 * const platform = new MultiClusterPlatform({
 *   primary: {
 *     clusterName: 'primary',
 *     platform: { dags: DagSource.fromGit({ repository: 'https://github.com/org/dags.git' }) },
 *     sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.mlops.example.com', 9000),
 *   },
 *   gitOps: { repoUrl: 'https://github.com/org/platform.git', path: 'dist/multicluster' },
 * });
 * const eu = platform.addServingCluster({
 *   clusterName: 'serving-eu',
 *   prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090),
 * });
 * eu.addPredictor('Iris', { model: ModelSource.fromBucket(eu.modelsBucket, 'triton'), modelFormat: ModelFormat.ONNX });
 * platform.synth();
 * ```
 *
 * - The primary is an `MlopsCore` whose Prometheus is the federating primary; every serving cluster's Prometheus is
 *   added to it (`addFederatedCluster`) at its `prometheusEndpoint`.
 * - The primary's MinIO S3 API is exposed to the serving clusters (a LoadBalancer or NodePort Service that keeps the
 *   caller's address). Each serving cluster gets its own MinIO user with read access to the models bucket, admitted
 *   from its `egressCidr`; it reads the bucket with the keys you copy into its `modelsCredentialsSecretName`.
 * - Every object of a cluster carries its Argo CD sync wave (`ArgoCdSyncWaves`).
 *
 * Each cluster is its own cdk8s `App` (an App writes one folder): add your own objects to `primaryChart` or a serving
 * cluster's chart (`Chart.of(servingCluster)`).
 */
export class MultiClusterPlatform {
  /** The folder holding one folder per cluster. */
  public readonly outdir: string;
  /** The primary cluster's chart. */
  public readonly primaryChart: Chart;
  /** The primary cluster's platform. */
  public readonly primary: MlopsCore;
  /** The chart of the Argo CD Applications, with `gitOps`. */
  public readonly argoCdChart?: Chart;

  private readonly apps: App[] = [];
  private readonly clusterNames: string[] = [];
  private readonly servingClusters: ServingCluster[] = [];
  private readonly grants = new Map<string, Credentials>();
  private readonly primaryEgressCidr: string;
  private readonly sharedStorageEndpoint: ServiceEndpoint;
  private readonly sharedMinio?: MinioWithBuckets;
  private readonly grantees: Construct;
  private readonly gitOps?: GitOpsOptions;

  constructor(props: MultiClusterPlatformProps) {
    this.outdir = props.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist';
    const primary = props.primary;
    this.claimClusterName(primary.clusterName);
    for (const prop of ['clusterName', 'prometheusRole', 'monitoring'] as const) {
      if (primary.platform[prop] !== undefined) {
        throw fail(`primary.platform.${prop} is invalid: the multi-cluster platform sets it (the cluster name is primary.clusterName, `
          + 'and the primary runs the federating Prometheus); remove it');
      }
    }
    this.primaryEgressCidr = primary.egressCidr ?? '0.0.0.0/0';

    this.primaryChart = new Chart(this.newApp(primary.clusterName), primary.clusterName, { namespace: primary.namespace ?? DEFAULT_NAMESPACE });
    assertCidr(this.primaryChart, 'primary.egressCidr', this.primaryEgressCidr);
    this.primary = new MlopsCore(this.primaryChart, 'Platform', {
      ...primary.platform,
      clusterName: primary.clusterName,
      prometheusRole: PrometheusRole.PRIMARY,
    });
    ArgoCdSyncWaves.applyTo(this.primaryChart);
    this.grantees = new Construct(this.primaryChart, 'ServingClusters');

    const models = this.primary.modelsBucket;
    if (this.primary.minio && models.objectStore === this.primary.minio) {
      if (!primary.sharedStorageEndpoint) {
        throw fail(`primary.sharedStorageEndpoint is missing: the serving clusters read models from the primary's MinIO, and need the address they reach it at; give it, e.g. ServiceEndpoint.fromHost('minio.mlops.example.com', ${MINIO_API_PORT})`);
      }
      this.sharedMinio = this.primary.minio;
      this.sharedStorageEndpoint = primary.sharedStorageEndpoint;
      const type = primary.sharedStorageServiceType ?? kplus.ServiceType.LOAD_BALANCER;
      // PlatformAccess.nodePorts() exposes the S3 API to anyone already: a NodePort on that port is the same one.
      const accessPort = primary.platform.access?._nodePorts?.minioApi;
      if (!(type === kplus.ServiceType.NODE_PORT && accessPort === this.sharedStorageEndpoint.port)) {
        this.exposeMinio(this.primary.minio, type);
      }
    } else {
      if (primary.sharedStorageServiceType !== undefined) {
        throw fail("primary.sharedStorageServiceType is invalid: the models bucket is not in the primary's MinIO, so there is nothing to expose; remove it");
      }
      this.sharedStorageEndpoint = primary.sharedStorageEndpoint ?? models.objectStore.endpoint;
    }

    if (props.gitOps) {
      this.argoCdChart = new Chart(this.newApp(ARGOCD_FOLDER), ARGOCD_FOLDER, { namespace: props.gitOps.namespace ?? 'argocd' });
      this.addApplication(props.gitOps, primary.clusterName, primary.argoCdClusterName, this.primaryChart.namespace!);
    }
    this.gitOps = props.gitOps;
  }

  /** Every cluster's name: the primary first, then the serving clusters in the order they were added. */
  public get clusters(): string[] {
    return [...this.clusterNames];
  }

  /** The chart of the cluster `clusterName`, the primary or a serving cluster. */
  public chartOf(clusterName: string): Chart {
    if (clusterName === this.primaryChart.node.id) {
      return this.primaryChart;
    }
    const serving = this.servingClusters.find((cluster) => cluster.clusterName === clusterName);
    if (!serving) {
      throw fail(`chartOf('${clusterName}'): no such cluster (clusters: ${this.clusterNames.join(', ')})`);
    }
    return Chart.of(serving);
  }

  /**
   * Adds a serving cluster in its own chart: a `ServingCluster` whose `modelsBucket` is the primary's models bucket,
   * read with the Secret `modelsCredentialsSecretName` of that cluster, and whose Prometheus the primary federates.
   */
  public addServingCluster(options: ServingClusterOptions): ServingCluster {
    this.claimClusterName(options.clusterName);
    const chart = new Chart(this.newApp(options.clusterName), options.clusterName, { namespace: options.namespace ?? DEFAULT_NAMESPACE });
    const egressCidr = options.egressCidr ?? '0.0.0.0/0';
    assertCidr(chart, 'egressCidr', egressCidr);
    const models = this.primary.modelsBucket;
    const secret = kplus.Secret.fromSecretName(chart, 'PrimaryModelsCredentials', options.modelsCredentialsSecretName ?? 'primary-models-credentials');
    const modelsBucket = ExternalBucket.fromBucketAttributes(chart, 'PrimaryModels', {
      bucketName: models.bucketName,
      endpoint: this.sharedStorageEndpoint,
      region: models.objectStore.region,
      pathStyle: models.objectStore.pathStyle,
      credentials: Credentials.fromSecret(secret),
    });
    const serving = new ServingCluster(chart, 'Serving', {
      clusterName: options.clusterName,
      modelsBucket,
      prometheusEndpoint: options.prometheusEndpoint,
      prometheusServiceType: options.prometheusServiceType,
      federatedFrom: this.primaryEgressCidr,
    });
    ArgoCdSyncWaves.applyTo(chart);
    this.primary.prometheus!.addFederatedCluster({ clusterName: options.clusterName, endpoint: options.prometheusEndpoint });
    if (this.sharedMinio) {
      const peer = kplus.NetworkPolicyIpBlock.ipv4(this.grantees, options.clusterName, egressCidr);
      this.grants.set(options.clusterName, models.grantRead(peer));
    }
    if (this.gitOps) {
      this.addApplication(this.gitOps, options.clusterName, options.argoCdClusterName ?? options.clusterName, chart.namespace!);
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
      throw fail(`primaryCredentialsFor('${clusterName}'): no MinIO user for that cluster (serving clusters with one: ${known}); `
        + 'users exist only for serving clusters added with addServingCluster while the primary runs its own MinIO');
    }
    return credentials;
  }

  /** Writes `<outdir>/<cluster>/<cluster>.k8s.yaml` for every cluster, and `<outdir>/argocd/argocd.k8s.yaml` with `gitOps`. */
  public synth(): void {
    if (this.servingClusters.length === 0) {
      throw fail('no serving cluster: add at least one with addServingCluster(...), or use MlopsCore alone for a single cluster');
    }
    for (const app of this.apps) {
      app.synth();
    }
  }

  private newApp(folder: string): App {
    const app = new App({ outdir: path.join(this.outdir, folder) });
    this.apps.push(app);
    return app;
  }

  private claimClusterName(name: string): void {
    const problems = dnsLabelProblems(name);
    if (problems.length > 0) {
      throw fail(`clusterName '${name}' is invalid: ${problems.join('; ')}`);
    }
    if (name === ARGOCD_FOLDER) {
      throw fail(`clusterName '${name}' is invalid: the folder '${ARGOCD_FOLDER}' holds the Argo CD Applications; give the cluster another name`);
    }
    if (this.clusterNames.includes(name)) {
      throw fail(`clusterName '${name}' is invalid: another cluster has it, and it names the cluster's folder, Application and Prometheus label; give each cluster its own`);
    }
    this.clusterNames.push(name);
  }

  private exposeMinio(minio: MinioWithBuckets, type: kplus.ServiceType): void {
    const endpoint = this.sharedStorageEndpoint;
    assertExternalServiceType(this.primaryChart, 'primary.sharedStorageServiceType', type, endpoint.port);
    const service = new kplus.Service(this.primaryChart, 'SharedStorage', {
      type,
      ports: [{ name: 'api', port: endpoint.port, targetPort: MINIO_API_PORT }],
    });
    service.select(minio.statefulSet);
    preserveClientAddress(service, type, endpoint.port);
  }

  private addApplication(gitOps: GitOpsOptions, clusterName: string, argoCdClusterName: string | undefined, namespace: string): void {
    new ArgoCdApplication(this.argoCdChart!, clusterName, {
      name: clusterName,
      repoUrl: gitOps.repoUrl,
      path: `${gitOps.path.replace(/\/+$/, '')}/${clusterName}`,
      targetRevision: gitOps.targetRevision,
      project: gitOps.project,
      destinationName: argoCdClusterName,
      destinationNamespace: namespace,
    });
  }
}

function fail(message: string): Error {
  return new Error(`MultiClusterPlatform: ${message}`);
}
