import { DatabaseBindOptions, IDatabase } from '../core/database';

/**
 * How MLflow's processes get a database: `<prefix>_USER`, `<prefix>_PASSWORD`, then `<uriEnv>_CMD`, the command that
 * prints the SQLAlchemy URI with the user and password percent-encoded, with the driver the MLflow images ship
 * (psycopg2, the default for `postgresql://`, or PyMySQL). Each container runs its command through
 * `withUriFromCommand(uriEnv, ...)`, which sets `uriEnv` from it, so any password works.
 */
export function backendStoreBinding(database: IDatabase, uriEnv = BACKEND_STORE_URI, envPrefix = 'DB'): DatabaseBindOptions {
  return { envPrefix, uriCommandEnv: `${uriEnv}_CMD`, scheme: database.engine.name === 'mysql' ? 'mysql+pymysql' : database.engine.scheme };
}

/** The env var MLflow reads the backend store URI from (`--backend-store-uri`). */
export const BACKEND_STORE_URI = 'MLFLOW_BACKEND_STORE_URI';
