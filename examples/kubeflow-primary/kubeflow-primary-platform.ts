import { App, Chart } from 'cdk8s';
import {
  DagSource, GitSubmodules, KservePredictor, ModelFormat, ModelSource, MultiClusterPlatform, Mysql, PlatformAccess,
  ProtocolVersion, ServiceEndpoint,
} from 'cdk8s-mlops';
import * as kplus from 'cdk8s-plus-28';

/** The Kubeflow profiles whose notebooks and pipelines get the platform's PodDefaults. */
export const PROFILES = ['team-a', 'team-b'];
/** The serving clusters, each serving the iris model from the primary's MinIO. */
export const SERVING_CLUSTERS = ['serving-eu', 'serving-us'];
/** The addresses each serving cluster's traffic to the primary leaves from: only they reach the primary's MinIO as its user. */
const SERVING_EGRESS: Record<string, string> = { 'serving-eu': '198.51.100.0/24', 'serving-us': '192.0.2.0/24' };

/**
 * The primary of a Kubeflow-centred platform: Kubeflow v1.10 is installed on the cluster already (notebooks, pipelines,
 * the Istio gateway), and the primary adds what Kubeflow has not: MLflow with its store in MySQL and artifacts in
 * MinIO, at `/mlflow` of Kubeflow's gateway, the shared MinIO buckets, Airflow, Prometheus, and the PodDefaults that
 * hand all of it to the notebooks and pipelines of two profiles. Two serving clusters run KServe and read models from
 * the primary's MinIO.
 */
export function kubeflowPrimaryPlatform(outdir?: string): MultiClusterPlatform {
  const platform = new MultiClusterPlatform({ outdir, gitOps: { repoUrl: 'https://github.com/example/mlops-platform.git' } });
  const primary = platform.addPrimary({
    clusterName: 'primary',
    sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.mlops.example.com', 9000),
    // The primary's egress addresses: only they reach the serving clusters' Prometheus.
    egressCidr: '203.0.113.0/24',
  });
  // MLflow keeps its runs and registry in MySQL; Airflow's metadata stays in the platform's Postgres.
  const mysql = new Mysql(primary, 'Mysql');
  const core = primary.addPlatform({
    dags: DagSource.fromGit({
      repository: 'https://github.com/apache/airflow.git',
      ref: '3.1.8',
      subPath: 'airflow-core/src/airflow/example_dags',
      submodules: GitSubmodules.OFF,
    }),
    access: PlatformAccess.ingress({ host: 'mlops.example.com' }),
    mlflowDatabase: mysql.addDatabase('mlflow'),
    sharedVolume: { server: 'nfs.example.com', path: '/exports/mlops' },
    // MLflow at https://kubeflow.example.com/mlflow/ too, through Kubeflow's Istio gateway.
    kubeflowGateway: { host: 'kubeflow.example.com' },
  });
  // Each profile's namespace is Kubeflow's (its Profile controller made it); create the Secret
  // `<profile>-s3-credentials` (keys username, password) in it and in `mlops` before applying.
  for (const profile of PROFILES) {
    core.addKubeflowProfile(new Chart(App.of(primary), profile, { namespace: profile }));
  }
  // A Job per service of the primary that proves it answers, as Argo CD PostSync hooks.
  core.addSmokeTests();

  for (const clusterName of SERVING_CLUSTERS) {
    const serving = platform.addServingCluster({
      clusterName,
      prometheusEndpoint: ServiceEndpoint.fromHost(`prometheus.${clusterName}.example.com`, 9090),
      egressCidr: SERVING_EGRESS[clusterName],
    });
    const iris: KservePredictor = serving.addPredictor('Iris', {
      name: 'iris',
      model: ModelSource.fromBucket(serving.modelsBucket, 'triton'),
      modelFormat: ModelFormat.ONNX,
      runtime: 'kserve-tritonserver',
      protocolVersion: ProtocolVersion.V2,
    });
    iris.allowFrom(kplus.Namespaces.select(serving, 'IngressGateway', { names: ['istio-system'] }));
    // After each sync, a Job proves iris is ready and Prometheus' targets are up.
    serving.addSmokeTests();
  }
  return platform;
}
