import { IConstruct } from 'constructs';
import { PlatformSecrets } from './mlops-core-props';
import { PlatformProfile } from './platform-profile';
import { MlopsValidationError } from '../core/errors';

/** Which pieces `MlopsCore` creates in the cluster. */
export interface CreatedPieces {
  readonly postgres: boolean;
  readonly airflowDatabase: boolean;
  readonly mlflowDatabase: boolean;
  readonly minio: boolean;
  readonly redis: boolean;
}

interface SecretSlot {
  readonly prop: keyof PlatformSecrets;
  /** What the secret is for, as messages show it. */
  readonly what: string;
  readonly created: boolean;
  /** The props that replace the piece, for the message when the piece is not created. */
  readonly replacedBy?: string;
}

function slots(created: CreatedPieces): SecretSlot[] {
  const buckets = 'artifactsBucket, logsBucket, datasetsBucket and modelsBucket';
  return [
    { prop: 'postgresAdminPassword', what: "the Postgres superuser's password", created: created.postgres, replacedBy: 'airflowDatabase and mlflowDatabase' },
    { prop: 'airflowDatabasePassword', what: "the password of Postgres' database 'airflow'", created: created.airflowDatabase, replacedBy: 'airflowDatabase' },
    { prop: 'mlflowDatabasePassword', what: "the password of Postgres' database 'mlflow'", created: created.mlflowDatabase, replacedBy: 'mlflowDatabase' },
    { prop: 'minioRootCredentials', what: "MinIO's root credentials", created: created.minio, replacedBy: buckets },
    { prop: 'redisPassword', what: "Redis' password", created: created.redis, replacedBy: 'keyValueStore' },
    { prop: 'airflowAdminPassword', what: "the Airflow admin's password", created: true },
    { prop: 'airflowFernetKey', what: "Airflow's Fernet key", created: true },
    { prop: 'airflowApiSecretKey', what: "Airflow's API secret key", created: true },
    { prop: 'airflowJwtSecret', what: "Airflow's JWT secret", created: true },
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
        + `because ${slot.replacedBy} ${slot.replacedBy!.includes(' and ') ? 'are' : 'is'} given; remove it`);
    }
  }
  if (!profile.isProduction) {
    return;
  }
  const problems = slots(created)
    .filter((slot) => slot.created && (secrets[slot.prop] === undefined || secrets[slot.prop]!.isGenerated))
    .map((slot) => `secrets.${slot.prop} (${slot.what}) is ${secrets[slot.prop] === undefined ? 'missing' : 'SecretSource.generated()'}`);
  if (problems.length > 0) {
    throw new MlopsValidationError(scope, `profile production refuses credentials generated in the cluster: ${problems.join('; ')}; `
      + 'give each an existing Secret with SecretSource.fromSecret(...), or bring your own database, buckets and key-value store');
  }
}
