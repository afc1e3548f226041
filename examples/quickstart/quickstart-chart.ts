import { ApiObject, Chart, ChartProps, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  DagSource, FederatedPrometheus, GitSubmodules, GitSyncAirflow, KservePredictor, MinioWithBuckets, MlflowTracking,
  ModelFormat, ModelSource, Postgres, Redis,
} from 'cdk8s-mlops';

/**
 * One cluster, one namespace, the whole loop: Airflow runs the pipelines (DAGs from git), MLflow tracks runs and keeps
 * models in MinIO, KServe serves a model straight from the bucket, Prometheus watches it all. Postgres holds Airflow's
 * and MLflow's metadata, Redis the values tasks exchange. Every credential is generated inside the cluster; none is in
 * the YAML.
 */
export class QuickstartChart extends Chart {
  public readonly postgres: Postgres;
  public readonly redis: Redis;
  public readonly minio: MinioWithBuckets;
  public readonly mlflow: MlflowTracking;
  public readonly airflow: GitSyncAirflow;
  public readonly iris: KservePredictor;
  public readonly prometheus: FederatedPrometheus;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'mlops', ...props });

    const namespace = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'v1.28',
        },
      },
    });
    // A Namespace is cluster-scoped: it must not carry the chart's namespace like the objects inside it.
    ApiObject.of(namespace).addJsonPatch(JsonPatch.remove('/metadata/namespace'));

    this.postgres = new Postgres(this, 'Postgres', { databases: ['airflow', 'mlflow'], metrics: true });
    this.redis = new Redis(this, 'Redis', { metrics: true });
    this.minio = new MinioWithBuckets(this, 'Minio', {
      buckets: ['mlflow-artifacts', 'airflow-logs', 'datasets', 'models'],
    });

    this.mlflow = new MlflowTracking(this, 'Mlflow', {
      database: this.postgres.database('mlflow'),
      artifacts: this.minio.bucket('mlflow-artifacts'),
    });

    // Airflow's own example DAGs stand in for yours: point `repository` at your DAG repository (add `auth` for a
    // private one) and `subPath` at its DAG folder. Every task pod clones the repository once, so keep it small.
    this.airflow = new GitSyncAirflow(this, 'Airflow', {
      database: this.postgres.database('airflow'),
      dags: DagSource.fromGit({
        repository: 'https://github.com/apache/airflow.git',
        ref: '3.1.8',
        subPath: 'airflow-core/src/airflow/example_dags',
        submodules: GitSubmodules.OFF,
      }),
      logBucket: this.minio.bucket('airflow-logs'),
      nodePort: 30007,
    });
    this.airflow.addS3Connection('datasets_s3', this.minio.bucket('datasets'));
    this.airflow.addS3Connection('models_s3', this.minio.bucket('models'));
    this.airflow.addRedisConnection('task_values', this.redis);
    this.airflow.useMlflowTracking(this.mlflow.endpoint);
    this.mlflow.allowFrom(this.airflow.airflowPods);

    // Upload a scikit-learn model to s3://models/sklearn/iris (model.joblib) and KServe serves it.
    this.iris = new KservePredictor(this, 'Iris', {
      name: 'iris',
      model: ModelSource.fromBucket(this.minio.bucket('models'), 'sklearn/iris'),
      modelFormat: ModelFormat.SKLEARN,
    });

    // Run by the prometheus-operator (installed separately): scrapes the platform, pre-aggregates per model, alerts,
    // and ships the Grafana dashboards as ConfigMaps.
    this.prometheus = new FederatedPrometheus(this, 'Prometheus', { clusterName: 'quickstart' });
    this.prometheus.addTargets(this.minio, this.postgres, this.redis, this.airflow, this.mlflow, this.iris);
  }
}
