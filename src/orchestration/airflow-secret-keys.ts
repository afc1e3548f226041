import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MlopsValidationError } from '../core/errors';
import { SecretSource } from '../core/secret-source';
import { SecretValueFormat } from '../core/secret-value-format';

/** Where Airflow's secret keys come from. */
export interface AirflowSecretKeysProps {
  readonly fernetKey?: SecretSource;
  readonly apiSecretKey?: SecretSource;
  readonly jwtSecret?: SecretSource;
}

/**
 * Airflow's fernet key (`AIRFLOW__CORE__FERNET_KEY`), API secret key (`AIRFLOW__API__SECRET_KEY`) and JWT secret
 * (`AIRFLOW__API_AUTH__JWT_SECRET`), each under the key the Airflow Helm chart gives it: read from the given sources,
 * and the others generated inside the cluster, a Fernet key and url-safe tokens.
 */
export class AirflowSecretKeys extends Construct {
  /** The env vars, in order. */
  public readonly env: Array<[string, kplus.EnvValue]>;

  constructor(scope: Construct, id: string, props: AirflowSecretKeysProps) {
    super(scope, id);
    const fernetFormat = props.fernetKey?.format;
    if (fernetFormat && fernetFormat !== SecretValueFormat.FERNET_KEY) {
      throw new MlopsValidationError(scope, `fernetKey is invalid: SecretSource.generated() with format SecretValueFormat.${fernetFormat.name} `
        + 'does not make a Fernet key (32 url-safe base64-encoded bytes); give SecretSource.generated({ format: SecretValueFormat.FERNET_KEY }) '
        + 'or SecretSource.fromSecret(...), or leave fernetKey out to have one generated');
    }
    const token = () => SecretSource.generated({ format: SecretValueFormat.URL_SAFE_TOKEN });
    const keys: Array<[string, string, SecretSource]> = [
      ['fernet-key', 'AIRFLOW__CORE__FERNET_KEY', props.fernetKey ?? SecretSource.generated({ format: SecretValueFormat.FERNET_KEY })],
      ['api-secret-key', 'AIRFLOW__API__SECRET_KEY', props.apiSecretKey ?? token()],
      ['jwt-secret', 'AIRFLOW__API_AUTH__JWT_SECRET', props.jwtSecret ?? token()],
    ];
    this.env = keys.map(([key, env, source]) => [env, source.bind(this, key, { secretValues: [key] }).envValue(key)]);
  }
}
