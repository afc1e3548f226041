import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DatabaseAttributes } from './database-attributes';
import { Credentials } from '../core/credentials';
import { bindDatabase, DatabaseBindOptions, DatabaseBinding, DatabaseEngine, IDatabase } from '../core/database';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { aHost, aPort } from '../core/prop-kinds';
import { anInstanceOf, aString, checkProps } from '../core/props-check';

/**
 * A database outside this app, for workloads to `bind` like one created by `Postgres` or `Mysql`. Binding adds only
 * the env vars: the traffic leaves the namespace, and no ingress NetworkPolicy applies to the server.
 * Internal: users get one, as an `IDatabase`, from `Postgres.fromDatabaseAttributes()` or `Mysql.fromDatabaseAttributes()`.
 */
export class ExternalDatabase extends Construct implements IDatabase {
  public readonly engine: DatabaseEngine;
  public readonly databaseName: string;
  public readonly endpoint: ServiceEndpoint;
  public readonly credentials: Credentials;

  constructor(scope: Construct, id: string, attributes: DatabaseAttributes, defaultEngine: DatabaseEngine) {
    super(scope, id);
    checkProps(this, attributes, {
      host: aHost('pg.example.internal'),
      databaseName: aString("'mlflow'"),
      credentials: anInstanceOf(Credentials, "Credentials.fromSecret(kplus.Secret.fromSecretName(this, 'Db', 'db-credentials'))"),
    }, { port: aPort(defaultEngine.defaultPort), engine: anInstanceOf(DatabaseEngine, 'DatabaseEngine.POSTGRES') }, 'attributes');
    this.engine = attributes.engine ?? defaultEngine;
    const port = attributes.port ?? this.engine.defaultPort;
    const { host, databaseName } = attributes;
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
