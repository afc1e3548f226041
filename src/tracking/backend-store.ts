import { DatabaseBindOptions, IDatabase } from '../core/database';

/**
 * How MLflow's processes get a database: `<prefix>_USER`, `<prefix>_PASSWORD`, then the SQLAlchemy URI in `uriEnv`
 * with the driver the MLflow images ship (psycopg2, the default for `postgresql://`, or PyMySQL).
 */
export function backendStoreBinding(database: IDatabase, uriEnv = 'MLFLOW_BACKEND_STORE_URI', envPrefix = 'DB'): DatabaseBindOptions {
  return { envPrefix, uriEnv, scheme: database.engine.name === 'mysql' ? 'mysql+pymysql' : database.engine.scheme };
}
