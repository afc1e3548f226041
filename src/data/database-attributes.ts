import { Credentials } from '../core/credentials';
import { DatabaseEngine } from '../core/database';

/** A database that exists outside this app: a managed service, a server another team runs, another cluster's. */
export interface DatabaseAttributes {
  /** The server's DNS name or IP address, without scheme, port or path, e.g. `pg.example.internal`. */
  readonly host: string;

  /**
   * The server's TCP port.
   *
   * @default - the engine's default port (5432 for PostgreSQL, 3306 for MySQL)
   */
  readonly port?: number;

  /** The database's name on the server. */
  readonly databaseName: string;

  /** The user clients log in as: `Credentials.USERNAME` and `Credentials.PASSWORD` of a Secret that exists. */
  readonly credentials: Credentials;

  /**
   * The engine.
   *
   * @default - `DatabaseEngine.MYSQL` for `Mysql.fromDatabaseAttributes()`, else `DatabaseEngine.POSTGRES`
   */
  readonly engine?: DatabaseEngine;
}
