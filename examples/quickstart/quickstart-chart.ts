import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import {
  DagSource, FederatedPrometheus, GitSubmodules, GitSyncAirflow, KservePredictor, MinioWithBuckets, MlflowTracking,
  MlopsCore, ModelFormat, ModelSource, PlatformAccess, Postgres, Redis,
} from 'cdk8s-mlops';

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
      access: PlatformAccess.nodePorts(), // Airflow 30007, MLflow 30008, MinIO API 30009 and console 30010, Grafana 30011
      clusterName: 'quickstart',
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
  }
}
