import { ApiObject, Chart, ChartProps, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MinioWithBuckets, Postgres, Redis } from 'cdk8s-mlops';

/**
 * One cluster, one namespace, the data layer of the platform: Postgres with a database each for Airflow and MLflow,
 * Redis for values tasks exchange, and MinIO with the platform's buckets. Every credential is generated inside the
 * cluster; none is in the YAML.
 */
export class QuickstartChart extends Chart {
  public readonly postgres: Postgres;
  public readonly redis: Redis;
  public readonly minio: MinioWithBuckets;

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

    this.postgres = new Postgres(this, 'Postgres', { databases: ['airflow', 'mlflow'] });
    this.redis = new Redis(this, 'Redis');
    this.minio = new MinioWithBuckets(this, 'Minio', {
      buckets: ['mlflow-artifacts', 'airflow-logs', 'datasets', 'models'],
    });
  }
}
