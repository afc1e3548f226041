import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Credentials } from '../core/credentials';
import { bindDatabase, DatabaseBindOptions, DatabaseBinding, DatabaseEngine, IDatabase } from '../core/database';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { isHostOrIp, isPort } from '../core/names';

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

/**
 * A database outside this app, for workloads to `bind` like one created by `Postgres` or `Mysql`. Binding adds only
 * the env vars: the traffic leaves the namespace, and no ingress NetworkPolicy applies to the server.
 * `Postgres.fromDatabaseAttributes()` and `Mysql.fromDatabaseAttributes()` create one.
 */
export class ExternalDatabase extends Construct implements IDatabase {
  public readonly engine: DatabaseEngine;
  public readonly databaseName: string;
  public readonly endpoint: ServiceEndpoint;
  public readonly credentials: Credentials;

  constructor(scope: Construct, id: string, attributes: DatabaseAttributes) {
    super(scope, id);
    this.engine = attributes.engine ?? DatabaseEngine.POSTGRES;
    const port = attributes.port ?? this.engine.defaultPort;
    const { host, databaseName } = attributes;
    if (!isHostOrIp(host)) {
      throw new MlopsValidationError(this, `host '${host}' is invalid: must be a DNS name or IP address without scheme, credentials, port or path; give the port as 'port'`);
    }
    if (!isPort(port)) {
      throw new MlopsValidationError(this, `port '${port}' is invalid: must be a whole number from 1 to 65535; omit it for the engine's default (${this.engine.defaultPort})`);
    }
    if (databaseName.length === 0 || /[\s/?#]/.test(databaseName)) {
      throw new MlopsValidationError(this, `database name '${databaseName}' is invalid: must be non-empty without whitespace, '/', '?' or '#' (it is the path of the connection URI); give the name as the server knows it`);
    }
    this.databaseName = databaseName;
    this.endpoint = ServiceEndpoint.fromHost(host, port, this.engine.scheme);
    this.credentials = attributes.credentials;
  }

  public bind(_workload: kplus.INetworkPolicyPeer, container: kplus.Container, options: DatabaseBindOptions = {}): DatabaseBinding {
    return bindDatabase(this, container, options);
  }
}
