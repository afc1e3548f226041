import { Chart, ChartProps } from 'cdk8s';
import {
  CertificateIssuer, Credentials, DagSource, MinioBucket, MlopsCore, PlatformAccess, PlatformProfile, Postgres, SecretSource,
  ServiceEndpoint,
} from 'cdk8s-mlops';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** The Secrets this app refers to and never creates: create them in the namespace before applying (see README). */
export const EXISTING_SECRETS = {
  airflowDatabase: { name: 'airflow-db', keys: ['username', 'password'] },
  mlflowDatabase: { name: 'mlflow-db', keys: ['username', 'password'] },
  s3: { name: 's3-credentials', keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] },
  redis: { name: 'redis-password', keys: ['password'] },
  airflowAdmin: { name: 'airflow-admin', keys: ['password'] },
  airflowKeys: { name: 'airflow-keys', keys: ['fernet-key', 'api-secret-key', 'jwt-secret'] },
  airflowSmokeTest: { name: 'airflow-smoke-test', keys: ['password'] },
};

/**
 * The platform on infrastructure you already run: the metadata databases on your PostgreSQL server, artifacts, logs,
 * data sets and models on an S3-compatible store (here a Ceph RGW), every credential from a Secret you create. Only
 * Airflow, MLflow, Redis and Prometheus run in the namespace, under the production profile: replicated UIs,
 * disruption budgets, and no credential generated in the cluster.
 */
export class BringYourOwnChart extends Chart {
  public readonly platform: MlopsCore;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'mlops', ...props });
    const secret = (name: string) => kplus.Secret.fromSecretName(this, name, name);

    const database = (databaseName: string, secretName: string) => Postgres.fromDatabaseAttributes(this, `${databaseName}-database`, {
      host: 'postgres.db.example.internal',
      databaseName,
      credentials: Credentials.fromSecret(secret(secretName)),
    });

    const rgw = ServiceEndpoint.fromHost('rgw.storage.example.internal', 443, 'https');
    const s3 = Credentials.fromSecret(secret(EXISTING_SECRETS.s3.name), {
      keys: { [Credentials.USERNAME]: 'AWS_ACCESS_KEY_ID', [Credentials.PASSWORD]: 'AWS_SECRET_ACCESS_KEY' },
    });
    const bucket = (bucketName: string) => MinioBucket.fromBucketAttributes(this, `${bucketName}-bucket`, {
      bucketName, endpoint: rgw, credentials: s3,
    });

    const airflowKeys = secret(EXISTING_SECRETS.airflowKeys.name);
    // Your organisation's CA (a cert-manager ClusterIssuer) signs the Ingress certificate and, with TLS on as in every
    // production platform, the servers in the namespace; its CA certificate is in the Secret `corporate-ca` of the
    // namespace `cert-manager`, which trust-manager publishes to the platform's clients.
    const corporateCa = CertificateIssuer.clusterIssuer('corporate-ca');
    this.platform = new MlopsCore(this, 'Platform', {
      profile: PlatformProfile.PRODUCTION,
      access: PlatformAccess.ingress({
        host: 'mlops.example.com',
        ingressClassName: 'nginx',
        certificateIssuer: corporateCa,
      }),
      dags: DagSource.fromGit({ repository: 'https://github.com/apache/airflow.git', ref: '3.1.8', subPath: 'airflow-core/src/airflow/example_dags' }),
      airflowDatabase: database('airflow', EXISTING_SECRETS.airflowDatabase.name),
      mlflowDatabase: database('mlflow', EXISTING_SECRETS.mlflowDatabase.name),
      artifactsBucket: bucket('mlflow-artifacts'),
      logsBucket: bucket('airflow-logs'),
      datasetsBucket: bucket('datasets'),
      modelsBucket: bucket('models'),
      tlsOptions: { issuer: corporateCa, issuerCaSecret: 'corporate-ca' },
      clusterName: 'production',
      // kube-prometheus-stack's Prometheus selects only monitors that carry its release label, and its Grafana's
      // sidecar picks the dashboard ConfigMaps up, so the platform runs no Grafana of its own.
      monitorLabels: { release: 'kube-prometheus-stack' },
      grafana: false,
      secrets: {
        redisPassword: SecretSource.fromSecret(secret(EXISTING_SECRETS.redis.name)),
        airflowAdminPassword: SecretSource.fromSecret(secret(EXISTING_SECRETS.airflowAdmin.name)),
        airflowFernetKey: SecretSource.fromSecret(airflowKeys),
        airflowApiSecretKey: SecretSource.fromSecret(airflowKeys),
        airflowJwtSecret: SecretSource.fromSecret(airflowKeys),
      },
    });
    // A Job per service that proves it answers (the databases, Redis, MLflow, Airflow, Prometheus' targets), as Argo
    // CD PostSync hooks; the Airflow check signs in as its own user, `smoke-test`.
    this.platform.addSmokeTests({ airflowPassword: SecretSource.fromSecret(secret(EXISTING_SECRETS.airflowSmokeTest.name)) });
  }
}
