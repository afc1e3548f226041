import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { IBucket } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { MlopsValidationError } from '../core/errors';
import { IKeyValueStore } from '../core/key-value-store';

/** An env var that holds one connection, and the vars before it that it refers to with `$(VAR)`. */
export interface ConnectionEnv {
  readonly env: Array<[string, kplus.EnvValue]>;
}

/** `AIRFLOW_CONN_<ID>`: Airflow's environment-variables secrets backend looks connections up under that name. */
export function connectionEnvName(connId: string): string {
  return `AIRFLOW_CONN_${connId.toUpperCase()}`;
}

/** Connection ids become env var names, so only letters, digits and '_' work. */
export function assertConnectionId(scope: IConstruct, connId: string): void {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(connId)) {
    throw new MlopsValidationError(scope, `connection id '${connId}' is invalid: must start with a letter and contain only letters, digits and '_' (it becomes the env var ${connectionEnvName('<ID>')}); e.g. 'models_s3'`);
  }
}

/**
 * An Airflow `aws` connection to `bucket`'s store in JSON form: the access key pair as `$(VAR)` references to env
 * vars read from the grant's Secret, the endpoint and region as extras, and path-style addressing when the store
 * needs it. JSON rather than a URI, so that keys with '/' or '+' need no encoding.
 */
export function s3ConnectionEnv(connId: string, bucket: IBucket, credentials: Credentials): ConnectionEnv {
  const prefix = `CONN_${connId.toUpperCase()}`;
  const store = bucket.objectStore;
  const extra: Record<string, unknown> = { endpoint_url: store.endpoint.url(), region_name: store.region };
  if (store.pathStyle) {
    extra.config_kwargs = { s3: { addressing_style: 'path' } };
  }
  const connection = { conn_type: 'aws', login: `$(${prefix}_LOGIN)`, password: `$(${prefix}_PASSWORD)`, extra };
  return {
    env: [
      [`${prefix}_LOGIN`, credentials.envValue(Credentials.USERNAME)],
      [`${prefix}_PASSWORD`, credentials.envValue(Credentials.PASSWORD)],
      [connectionEnvName(connId), kplus.EnvValue.fromValue(JSON.stringify(connection))],
    ],
  };
}

/** The name of the env var a Redis connection's password is bound to. */
export function redisPasswordEnv(connId: string): string {
  return `CONN_${connId.toUpperCase()}_PASSWORD`;
}

/**
 * An Airflow `redis` connection in JSON form; the password is a `$(VAR)` reference to `redisPasswordEnv(connId)`. Over
 * TLS (`rediss`), RedisHook's `ssl` extras verify the server against the trust bundle.
 */
export function redisConnectionEnv(connId: string, store: IKeyValueStore, database: number): ConnectionEnv {
  const endpoint = store.endpoint;
  const tls = endpoint.scheme === 'rediss' ? {
    ssl: true,
    ssl_cert_reqs: 'required',
    ssl_check_hostname: true,
    ...(endpoint.trustBundle ? { ssl_ca_certs: endpoint.trustBundle.pemPath } : {}),
  } : {};
  const connection = {
    conn_type: 'redis',
    host: endpoint.host,
    port: endpoint.port,
    password: `$(${redisPasswordEnv(connId)})`,
    extra: { db: database, ...tls },
  };
  return { env: [[connectionEnvName(connId), kplus.EnvValue.fromValue(JSON.stringify(connection))]] };
}
