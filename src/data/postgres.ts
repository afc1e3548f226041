import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DatabaseAttributes } from './database-attributes';
import { ExternalDatabase } from './external-database';
import { PostgresDatabase } from './postgres-database';
import { ServerDatabaseProps, SqlServerParts } from './server-database';
import { SqlEngineSpec, withDefaultResources } from './sql-engine';
import { SqlNameRules } from './sql-names';
import { SqlServer } from './sql-server';
import { SqlDatabaseOptions, SqlServerProps } from './sql-server-props';
import { Credentials } from '../core/credentials';
import { DatabaseEngine, IDatabase } from '../core/database';
import { defaultImage } from '../core/image-registry';
import { DefaultImages } from '../core/images';
import { A_CONSTRUCT, checkArgument, checkProps } from '../core/props-check';
import { SecretSource } from '../core/secret-source';
import { A_SERVER_TLS, ServerTls } from '../core/tls';

const PGDATA = '/var/lib/postgresql/data';
const CERT_DIR = '/etc/postgresql/tls';
const EXPORTER_PORT = 9187;

const NAME_RULES: SqlNameRules = {
  engineName: 'PostgreSQL',
  maxDatabaseLength: 63,
  maxUserLength: 63,
  reservedDatabases: ['postgres', 'template0', 'template1'],
  reservedUsers: ['postgres', 'public', 'none', 'current_role', 'current_user', 'session_user'],
  reservedUserPrefix: 'pg_',
};

const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
};

/** Props of `Postgres`. */
export interface PostgresProps extends SqlServerProps {
  /**
   * The PostgreSQL image. It must behave like the Docker official image (entrypoint, `POSTGRES_PASSWORD`, uid 999)
   * and ship psql 15 or later, which the setup Jobs run.
   *
   * @default DefaultImages.POSTGRES
   */
  readonly image?: string;

  /**
   * The superuser's password (`Credentials.PASSWORD`). The superuser is `postgres` unless the source maps
   * `Credentials.USERNAME` to a key of its Secret. Read by the server only when it initializes an empty volume:
   * changing it later needs `ALTER ROLE` too.
   *
   * @default - generated inside the cluster
   */
  readonly adminPassword?: SecretSource;

  /**
   * The server's cpu and memory. Each of `cpu` and `memory` left out keeps its default.
   *
   * @default - cpu request 100m; memory request 256Mi, limit 1Gi
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * The exporter's image when `metrics` is on: postgres_exporter, which serves on port 9187 and logs in as the
   * superuser.
   *
   * @default DefaultImages.POSTGRES_EXPORTER
   */
  readonly metricsExporterImage?: string;

  /**
   * Serves TLS (`ssl=on`) with a certificate cert-manager issues for the Service. Clients bound with `bind` verify it
   * (`PGSSLMODE=verify-full`, `PGSSLROOTCERT` from the trust bundle). A sidecar (`tls-reload`) runs
   * `SELECT pg_reload_conf()` within 10 minutes of a renewal, so the server serves the new certificate without a restart.
   *
   * @default - no TLS
   */
  readonly tls?: ServerTls;
}

/** Options of `Postgres.addDatabase()`. */
export interface PostgresDatabaseOptions extends SqlDatabaseOptions {
  /**
   * The role that owns the database and that clients log in as: a plain identifier (`^[a-z][a-z0-9_]*$`), used by
   * no other database of this server.
   *
   * If `password` is an existing Secret whose `Credentials.USERNAME` key is mapped, the user name is read from it
   * instead, unchecked.
   *
   * @default - the database's name
   */
  readonly user?: string;
}

/**
 * A single-instance PostgreSQL server that holds several databases, each with its own user and setup Job.
 *
 * ```ts
 * const postgres = new Postgres(this, 'Postgres');
 * const mlflow = postgres.addDatabase('mlflow');
 * mlflow.bind(deployment, container, { uriEnv: 'MLFLOW_BACKEND_STORE_URI' });
 * ```
 *
 * The pod runs as uid/gid 999 (`postgres`) under Pod Security `restricted` with a read-only root filesystem.
 */
export class Postgres extends SqlServer {
  /** A database on a PostgreSQL server outside this app. */
  public static fromDatabaseAttributes(scope: Construct, id: string, attributes: DatabaseAttributes): IDatabase {
    checkArgument('Postgres.fromDatabaseAttributes', 'scope', scope, A_CONSTRUCT);
    return new ExternalDatabase(scope, id, attributes, DatabaseEngine.POSTGRES);
  }

  constructor(scope: Construct, id: string, props: PostgresProps = {}) {
    super(scope, id, props);
  }

  /**
   * Adds a database owned by its own role, both created by an idempotent setup Job (one per database).
   *
   * @param name the database's name: a plain identifier, `^[a-z][a-z0-9_]*$`, at most 63 characters; in Kubernetes
   * object names '_' becomes '-'
   */
  public addDatabase(name: string, options: PostgresDatabaseOptions = {}): IDatabase {
    return this._addDatabase(name, options, options.user);
  }

  /** @internal */
  protected _bindAdminCredentials(props: PostgresProps): Credentials {
    return (props.adminPassword ?? SecretSource.generated()).bind(this, 'AdminCredentials', {
      secretValues: [Credentials.PASSWORD],
      values: { [Credentials.USERNAME]: 'postgres' },
    });
  }

  /** @internal */
  protected _engineSpec(props: PostgresProps, admin: Credentials): SqlEngineSpec {
    checkProps(this, props, {}, { tls: A_SERVER_TLS });
    return {
      engine: DatabaseEngine.POSTGRES,
      name: 'postgres',
      image: props.image ?? defaultImage(this, DefaultImages.POSTGRES),
      env: {
        POSTGRES_USER: admin.envValue(Credentials.USERNAME),
        POSTGRES_PASSWORD: admin.envValue(Credentials.PASSWORD),
        // A sub-directory: initdb refuses a volume root that holds lost+found.
        PGDATA: kplus.EnvValue.fromValue(`${PGDATA}/pgdata`),
      },
      dataPath: PGDATA,
      writablePaths: { run: '/var/run/postgresql', tmp: '/tmp' },
      // Over TCP, so that the server is not ready while the entrypoint's socket-only init server runs.
      probe: ['sh', '-c', 'exec pg_isready --host=127.0.0.1 --port=5432 --username="$POSTGRES_USER" --dbname=postgres --timeout=4'],
      resources: withDefaultResources(props.resources, DEFAULT_RESOURCES),
      metricsExporter: {
        image: props.metricsExporterImage ?? defaultImage(this, DefaultImages.POSTGRES_EXPORTER),
        runAs: { user: 65534, group: 65534 },
        port: EXPORTER_PORT,
        // postgres_exporter's connection settings (prometheus-community/postgres_exporter README).
        env: {
          DATA_SOURCE_URI: kplus.EnvValue.fromValue('127.0.0.1:5432/postgres?sslmode=disable'),
          DATA_SOURCE_USER: admin.envValue(Credentials.USERNAME),
          DATA_SOURCE_PASS: admin.envValue(Credentials.PASSWORD),
        },
      },
      nameRules: NAME_RULES,
      ...(props.tls ? {
        args: ['postgres', '-c', 'ssl=on', '-c', `ssl_cert_file=${CERT_DIR}/tls.crt`, '-c', `ssl_key_file=${CERT_DIR}/tls.key`],
        // PostgreSQL refuses a key readable by others: root-owned (as kubelet writes it) it must be 0640 or less.
        tls: {
          serverTls: props.tls,
          certDir: CERT_DIR,
          keyMode: 0o640,
          // PostgreSQL re-reads its certificate on a configuration reload.
          reloadCommand: 'PGPASSWORD="$POSTGRES_PASSWORD" psql --host=127.0.0.1 --port=5432 --username="$POSTGRES_USER" --dbname=postgres '
            + "--no-psqlrc --quiet --command='SELECT pg_reload_conf()'",
        },
      } : {}),
    };
  }

  /** @internal */
  protected _newDatabase(id: string, server: SqlServerParts, props: ServerDatabaseProps): IDatabase {
    return new PostgresDatabase(this, id, server, props);
  }
}
