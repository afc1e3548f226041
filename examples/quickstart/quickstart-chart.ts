import { Chart, ChartProps } from 'cdk8s';
import {
  DagSource, FederatedPrometheus, GitSubmodules, GitSyncAirflow, KservePredictor, MinioWithBuckets, MlflowTracking,
  MlopsCore, ModelFormat, ModelSource, PlatformAccess, Postgres, Redis, RetrainTrigger, SmokeTests,
} from 'cdk8s-mlops';
import { Construct } from 'constructs';

/**
 * One cluster, one namespace, the whole loop from one construct: Airflow runs the pipelines (DAGs from git), MLflow
 * tracks runs and keeps models in MinIO, KServe serves a model straight from the bucket, Prometheus watches it all and
 * Grafana shows its dashboards. Postgres holds Airflow's and MLflow's metadata, Redis the values tasks exchange. Every
 * credential is generated inside the cluster; none is in the YAML.
 */
export class QuickstartChart extends Chart {
  public readonly platform: MlopsCore;
  public readonly postgres: Postgres;
  public readonly redis: Redis;
  public readonly minio: MinioWithBuckets;
  public readonly mlflow: MlflowTracking;
  public readonly airflow: GitSyncAirflow;
  public readonly iris: KservePredictor;
  public readonly prometheus: FederatedPrometheus;
  public readonly retrain: RetrainTrigger;
  public readonly smokeTests: SmokeTests;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'mlops', ...props });

    this.platform = new MlopsCore(this, 'Platform', {
      // Airflow's own example DAGs stand in for yours: point `repository` at your DAG repository (add `auth` for a
      // private one) and `subPath` at its DAG folder. Every task pod clones the repository once, so keep it small.
      dags: DagSource.fromGit({
        repository: 'https://github.com/apache/airflow.git',
        ref: '3.1.8',
        subPath: 'airflow-core/src/airflow/example_dags',
        submodules: GitSubmodules.OFF,
      }),
      // Airflow 30007, MLflow 30008, MinIO API 30009 and console 30010, Grafana 30011, Prometheus 30012,
      // Alertmanager 30013, Jaeger 30014
      access: PlatformAccess.nodePorts(),
      clusterName: 'quickstart',
      // Traces: Airflow's DAG runs and tasks, and the retrain trigger, go to an OpenTelemetry Collector and on to
      // Jaeger, which Grafana shows; `this.platform.tracing!.instrument(...)` points your own images' OTel SDK there.
      tracing: true,
    });
    this.postgres = this.platform.postgres!;
    this.redis = this.platform.redis!;
    this.minio = this.platform.minio!;
    this.mlflow = this.platform.mlflow;
    this.airflow = this.platform.airflow;
    this.prometheus = this.platform.prometheus!;

    // Upload a scikit-learn model to s3://models/sklearn/iris (model.joblib) and KServe serves it.
    this.iris = this.platform.addPredictor('Iris', {
      name: 'iris',
      model: ModelSource.fromBucket(this.platform.modelsBucket, 'sklearn/iris'),
      modelFormat: ModelFormat.SKLEARN,
    });

    // The drift loop: when a drift detector that exposes model_drifted_total{model="..."} (scraped through
    // prometheus.addTargets) counts a detection, the rule ModelDriftRetrain fires, Alertmanager posts it to the
    // RetrainTrigger, and the trigger starts the DAG `retrain` with the model in dag_run.conf, at most once per model
    // per hour. Create that DAG with is_paused_upon_creation=False.
    this.retrain = this.platform.retrainOnDrift({ dag: 'retrain' });

    // A Job per service that proves it answers: SELECT 1 per database, Redis PING, a listing of each bucket, an MLflow
    // run with an artifact, Airflow's health and a parsed DAG, Prometheus' targets, Grafana's data sources, and one
    // inference of iris. Under Argo CD they are PostSync hooks: a service that does not answer fails the sync.
    this.smokeTests = this.platform.addSmokeTests({
      models: [{ model: this.iris, inferenceRequest: '{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4]]}]}' }],
    });
  }
}
