import {
  DagSource, GitSubmodules, KservePredictor, ModelFormat, ModelSource, MultiClusterPlatform, PlatformAccess,
  ProtocolVersion, ServiceEndpoint,
} from 'cdk8s-mlops';
import * as kplus from 'cdk8s-plus-28';

/** The serving clusters: each serves the iris model next to its users and is federated by the primary's Prometheus. */
export const SERVING_CLUSTERS = ['serving-eu', 'serving-us'];
/** The addresses each serving cluster's traffic to the primary leaves from: only they reach the primary's MinIO as its user. */
const SERVING_EGRESS: Record<string, string> = { 'serving-eu': '198.51.100.0/24', 'serving-us': '192.0.2.0/24' };

/**
 * A primary cluster (`primary`: Airflow, MLflow, the shared MinIO, the federating Prometheus) and two serving clusters
 * (`serving-eu`, `serving-us`: the iris ONNX model under Triton, read from the primary's MinIO, a secondary
 * Prometheus and smoke tests of both), plus the Argo CD Applications that sync each cluster's folder.
 *
 * Replace the `example.com` names with the addresses your load balancers get, and `repoUrl` with your repository.
 */
export function multiclusterPlatform(outdir?: string): MultiClusterPlatform {
  const platform = new MultiClusterPlatform({
    outdir,
    // Each Application's path is this app's output folder relative to the repository's root (`dist/multicluster/<cluster>`
    // here; `dist/<cluster>` in a copy at the root of a repository).
    gitOps: { repoUrl: 'https://github.com/example/mlops-platform.git' },
  });

  const primary = platform.addPrimary({
    clusterName: 'primary',
    // A LoadBalancer on port 9000 in front of MinIO's S3 API (TLS, passed through to MinIO); point this DNS name at it.
    sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.mlops.example.com', 9000, 'https'),
    // The primary's egress addresses: only they reach the serving clusters' federation endpoints.
    egressCidr: '203.0.113.0/24',
  });
  // The primary is a chart: objects its platform refers to (an existing Secret, a database) are created in it first.
  const core = primary.addPlatform({
    dags: DagSource.fromGit({
      repository: 'https://github.com/apache/airflow.git',
      ref: '3.1.8',
      subPath: 'airflow-core/src/airflow/example_dags',
      submodules: GitSubmodules.OFF,
    }),
    access: PlatformAccess.ingress({ host: 'mlops.example.com' }),
    // Certificates from a CA bootstrapped on the primary, copied to the serving clusters (README); the primary's
    // Prometheus federates them with a client certificate of that CA.
    tls: true,
  });
  // A Job per service of the primary that proves it answers, as Argo CD PostSync hooks.
  core.addSmokeTests();

  for (const clusterName of SERVING_CLUSTERS) {
    const serving = platform.addServingCluster({
      clusterName,
      // A LoadBalancer on port 443 in front of the proxy that guards the cluster's /federate; the primary federates it there.
      prometheusEndpoint: ServiceEndpoint.fromHost(`prometheus.${clusterName}.example.com`, 443, 'https'),
      egressCidr: SERVING_EGRESS[clusterName],
      // DAG tasks on the primary may deploy models here through the Airflow connection `serving_eu` / `serving_us`.
      deployer: { connectionId: clusterName.replace('-', '_') },
    });
    // Upload the Triton model repository to s3://models/triton: iris/config.pbtxt and iris/1/model.onnx.
    const iris: KservePredictor = serving.addPredictor('Iris', {
      name: 'iris',
      model: ModelSource.fromBucket(serving.modelsBucket, 'triton'),
      modelFormat: ModelFormat.ONNX,
      runtime: 'kserve-tritonserver',
      protocolVersion: ProtocolVersion.V2,
    });
    // Inference calls come through the cluster's Istio ingress gateway.
    iris.allowFrom(kplus.Namespaces.select(serving, 'IngressGateway', { names: ['istio-system'] }));
    // After each sync, Argo CD runs PostSync Jobs that fail it unless the Prometheus has its targets up and iris is
    // ready. Readiness only: its inference request depends on the input of the model you upload (its config.pbtxt);
    // add it as { models: [{ model: iris, inferenceRequest: '{"inputs":[...]}' }] }.
    serving.addSmokeTests();
  }
  return platform;
}
