import { IConstruct } from 'constructs';
import { PlatformSecrets } from './mlops-core-props';
import { PlatformProfile } from './platform-profile';
import { IBucket } from '../core/bucket';
import { MlopsValidationError } from '../core/errors';
import { SecretSource } from '../core/secret-source';
import { MinioBucket } from '../storage/minio-bucket';
import { MinioWithBuckets } from '../storage/minio-with-buckets';

/** Which pieces `MlopsCore` creates in the cluster. */
export interface CreatedPieces {
  readonly postgres: boolean;
  readonly airflowDatabase: boolean;
  readonly mlflowDatabase: boolean;
  readonly minio: boolean;
  readonly redis: boolean;
  readonly grafana: boolean;
  readonly grafanaDatabase: boolean;
  /** Whether MLflow's bucket is in the in-cluster MinIO. */
  readonly mlflowBucket: boolean;
  /** Whether any of Airflow's buckets is in the in-cluster MinIO. */
  readonly airflowBuckets: boolean;
  /** Whether the models bucket is in the in-cluster MinIO (predictors' grants come later, with `addPredictor`). */
  readonly modelsBucket: boolean;
}

interface SecretSlot {
  readonly prop: keyof PlatformSecrets;
  /** What the secret is for, as messages show it. */
  readonly what: string;
  readonly created: boolean;
  /** Why the piece is not created, for the message when it is not. */
  readonly notCreatedBecause?: string;
  /** Whether production checks the slot later, when the piece is used (`addPredictor`), rather than up front. */
  readonly checkedOnUse?: boolean;
}

function replacedBy(props: string): string {
  return `${props} ${props.includes(' and ') ? 'are' : 'is'} given`;
}

function slots(created: CreatedPieces): SecretSlot[] {
  const buckets = 'artifactsBucket, logsBucket, datasetsBucket and modelsBucket';
  return [
    { prop: 'postgresAdminPassword', what: "the Postgres superuser's password", created: created.postgres, notCreatedBecause: replacedBy('airflowDatabase and mlflowDatabase') },
    { prop: 'airflowDatabasePassword', what: "the password of Postgres' database 'airflow'", created: created.airflowDatabase, notCreatedBecause: replacedBy('airflowDatabase') },
    { prop: 'mlflowDatabasePassword', what: "the password of Postgres' database 'mlflow'", created: created.mlflowDatabase, notCreatedBecause: replacedBy('mlflowDatabase') },
    { prop: 'minioRootCredentials', what: "MinIO's root credentials", created: created.minio, notCreatedBecause: replacedBy(buckets) },
    { prop: 'redisPassword', what: "Redis' password", created: created.redis, notCreatedBecause: replacedBy('keyValueStore') },
    { prop: 'airflowAdminPassword', what: "the Airflow admin's password", created: true },
    { prop: 'airflowFernetKey', what: "Airflow's Fernet key", created: true },
    { prop: 'airflowApiSecretKey', what: "Airflow's API secret key", created: true },
    { prop: 'airflowJwtSecret', what: "Airflow's JWT secret", created: true },
    { prop: 'grafanaAdminCredentials', what: "Grafana's admin credentials", created: created.grafana, notCreatedBecause: 'Grafana is off (grafana: false or monitoring: false)' },
    {
      prop: 'grafanaDatabasePassword',
      what: "the password of Postgres' database 'grafana'",
      created: created.grafanaDatabase,
      notCreatedBecause: "Grafana gets a database of the platform's Postgres only with profile production, its own Postgres and no grafanaDatabase",
    },
    { prop: 'mlflowS3Credentials', what: "MLflow's MinIO user", created: created.mlflowBucket, notCreatedBecause: replacedBy('artifactsBucket') },
    { prop: 'airflowS3Credentials', what: "Airflow's MinIO user", created: created.airflowBuckets, notCreatedBecause: replacedBy('logsBucket, datasetsBucket and modelsBucket') },
    {
      prop: 'predictorS3Credentials',
      what: "the predictors' MinIO user",
      created: created.modelsBucket,
      notCreatedBecause: replacedBy('modelsBucket'),
      checkedOnUse: true,
    },
    {
      prop: 'trainingS3Credentials',
      what: "the training jobs' MinIO user",
      created: created.minio,
      notCreatedBecause: replacedBy(buckets),
      checkedOnUse: true,
    },
  ];
}

/**
 * Refuses a source for a piece that is not created, and, with the production profile, every piece created in the
 * cluster whose credentials would be generated there. One message lists every problem.
 */
export function checkPlatformSecrets(scope: IConstruct, profile: PlatformProfile, created: CreatedPieces, secrets: PlatformSecrets): void {
  for (const slot of slots(created)) {
    if (!slot.created && secrets[slot.prop] !== undefined) {
      throw new MlopsValidationError(scope, `secrets.${slot.prop} is invalid: it is ${slot.what}, and that piece is not created `
        + `because ${slot.notCreatedBecause}; remove it`);
    }
  }
  if (!profile.isProduction) {
    return;
  }
  const problems = slots(created)
    .filter((slot) => slot.created && !slot.checkedOnUse && refusal(secrets[slot.prop]) !== undefined)
    .map((slot) => `secrets.${slot.prop} (${slot.what}) is ${refusal(secrets[slot.prop])}`);
  if (problems.length > 0) {
    throw new MlopsValidationError(scope, `profile production refuses credentials generated in the cluster: ${problems.join('; ')}; `
      + 'give each an existing Secret with SecretSource.fromSecret(...), or bring your own database, buckets and key-value store');
  }
}

/**
 * With the production profile, refuses a missing or generated `source` for a MinIO user created on use:
 * `<context>: profile production refuses credentials generated in the cluster: <what> is missing; give it an existing
 * Secret<where> with SecretSource.fromSecret(...)`.
 */
export function checkUserCredentials(scope: IConstruct, profile: PlatformProfile, source: SecretSource | undefined,
  message: { readonly context: string; readonly what: string; readonly where?: string }): void {
  const problem = refusal(source);
  if (profile.isProduction && problem !== undefined) {
    throw new MlopsValidationError(scope, `${message.context}: profile production refuses credentials generated in the cluster: `
      + `${message.what} is ${problem}; give it an existing Secret${message.where ?? ''} with SecretSource.fromSecret(...)`);
  }
}

/** The buckets a client of the platform reads and writes, as the props of the construct that takes them. */
export interface ClientBuckets {
  readonly readBuckets?: IBucket[];
  readonly writeBuckets?: IBucket[];
}

/**
 * `given`'s buckets as a client reaches them: those of the platform's `minio` with the client's own MinIO user
 * (`credentials`), which production then requires (`message`, as `checkUserCredentials` says it). Anything but a list
 * is passed on as it is, for the construct that takes it to name the prop and what it expects.
 */
export function platformBucketsOf(scope: IConstruct, profile: PlatformProfile, minio: MinioWithBuckets | undefined, given: ClientBuckets,
  credentials: SecretSource | undefined, message: { readonly context: string; readonly what: string }): ClientBuckets {
  const inCluster = (bucket: IBucket) => minio !== undefined && bucket instanceof MinioBucket && bucket.node.scope === minio;
  const readBuckets = Array.isArray(given.readBuckets) ? given.readBuckets : undefined;
  const writeBuckets = Array.isArray(given.writeBuckets) ? given.writeBuckets : undefined;
  if ([...readBuckets ?? [], ...writeBuckets ?? []].some(inCluster)) {
    checkUserCredentials(scope, profile, credentials, message);
  }
  const view = (bucket: IBucket) => (inCluster(bucket) && credentials ? (bucket as MinioBucket).withUserCredentials(credentials) : bucket);
  return {
    readBuckets: readBuckets?.map(view) ?? given.readBuckets,
    writeBuckets: writeBuckets?.map(view) ?? given.writeBuckets,
  };
}

/** `bucket` as the MinIO user of `credentials` reaches it, when both are given and the bucket is MinIO's. */
export function withUserCredentials(bucket: IBucket, credentials: SecretSource | undefined): IBucket {
  return credentials && bucket instanceof MinioBucket ? bucket.withUserCredentials(credentials) : bucket;
}

/** What production refuses in `source`: that it is missing or generated; nothing for an existing Secret. */
function refusal(source: SecretSource | undefined): string | undefined {
  if (source === undefined) {
    return 'missing';
  }
  return source.isGenerated ? 'SecretSource.generated()' : undefined;
}
