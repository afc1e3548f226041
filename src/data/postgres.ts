import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DatabaseAttributes, ExternalDatabase } from './external-database';
import { PostgresDatabase } from './postgres-database';
import {
  addMetricsExporter, assertSqlName, createSqlServer, DatabaseCatalog, databaseId, SqlNameRules, SqlServerParts,
  withDefaultResources,
} from './sql-server';
import { SqlDatabaseOptions, SqlServerProps } from './sql-server-props';
import { Credentials } from '../core/credentials';
import { DatabaseEngine, IDatabase } from '../core/database';
import { ServiceEndpoint } from '../core/endpoint';
import { DefaultImages } from '../core/images';
import { allowIngress } from '../core/network';
import { SMALL_CONTAINER_RESOURCES } from '../core/resources';
import { IScrapeTarget, ScrapeTargetSpec } from '../core/scrape-target';
import { SecretSource } from '../core/secret-source';

const PGDATA = '/var/lib/postgresql/data';
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
export class Postgres extends Construct implements IScrapeTarget {
  /** A database on a PostgreSQL server outside this app. */
  public static fromDatabaseAttributes(scope: Construct, id: string, attributes: DatabaseAttributes): IDatabase {
    return new ExternalDatabase(scope, id, { ...attributes, engine: attributes.engine ?? DatabaseEngine.POSTGRES });
  }

  /** Where clients connect: the Service, port 5432. */
  public readonly endpoint: ServiceEndpoint;
  /** The superuser (`Credentials.USERNAME`, `Credentials.PASSWORD`). */
  public readonly adminCredentials: Credentials;
  /** The ClusterIP Service in front of the server. */
  public readonly service: kplus.Service;
  /** The server's StatefulSet. */
  public readonly statefulSet: kplus.StatefulSet;

  /** The exporter's metrics, when `metrics` is on; else none. */
  public readonly scrapeTargets: ScrapeTargetSpec[];

  private readonly parts: SqlServerParts;
  private readonly catalog: DatabaseCatalog;
  private readonly jobResources: kplus.ContainerResources;

  constructor(scope: Construct, id: string, props: PostgresProps = {}) {
    super(scope, id);
    this.adminCredentials = (props.adminPassword ?? SecretSource.generated()).bind(this, 'AdminCredentials', {
      secretValues: [Credentials.PASSWORD],
      values: { [Credentials.USERNAME]: 'postgres' },
    });
    this.parts = createSqlServer(this, {
      engine: DatabaseEngine.POSTGRES,
      name: 'postgres',
      image: props.image ?? DefaultImages.POSTGRES,
      env: {
        POSTGRES_USER: this.adminCredentials.envValue(Credentials.USERNAME),
        POSTGRES_PASSWORD: this.adminCredentials.envValue(Credentials.PASSWORD),
        // A sub-directory: initdb refuses a volume root that holds lost+found.
        PGDATA: kplus.EnvValue.fromValue(`${PGDATA}/pgdata`),
      },
      dataPath: PGDATA,
      writablePaths: { run: '/var/run/postgresql', tmp: '/tmp' },
      // Over TCP, so that the server is not ready while the entrypoint's socket-only init server runs.
      probe: ['sh', '-c', 'exec pg_isready --host=127.0.0.1 --port=5432 --username="$POSTGRES_USER" --dbname=postgres --timeout=4'],
      resources: withDefaultResources(props.resources, DEFAULT_RESOURCES),
      storage: props.storage,
      storageSize: props.storageSize,
      storageClassName: props.storageClassName,
    });
    this.statefulSet = this.parts.statefulSet;
    this.service = this.parts.service;
    this.endpoint = this.parts.endpoint;
    this.jobResources = withDefaultResources(props.jobResources, SMALL_CONTAINER_RESOURCES);
    this.scrapeTargets = props.metrics ? [addMetricsExporter(this, this.statefulSet, {
      image: props.metricsExporterImage ?? DefaultImages.POSTGRES_EXPORTER,
      runAs: { user: 65534, group: 65534 },
      port: EXPORTER_PORT,
      // postgres_exporter's connection settings (prometheus-community/postgres_exporter README).
      env: {
        DATA_SOURCE_URI: kplus.EnvValue.fromValue('127.0.0.1:5432/postgres?sslmode=disable'),
        DATA_SOURCE_USER: this.adminCredentials.envValue(Credentials.USERNAME),
        DATA_SOURCE_PASS: this.adminCredentials.envValue(Credentials.PASSWORD),
      },
    })] : [];
    this.catalog = new DatabaseCatalog(this);
    for (const name of props.databases ?? []) {
      this.addDatabase(name);
    }
  }

  /** Lets `scraper` reach the exporter's port (nothing when `metrics` is off). */
  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    if (this.scrapeTargets.length > 0) {
      allowIngress(this, this.statefulSet, scraper, [EXPORTER_PORT]);
    }
  }

  /**
   * Adds a database owned by its own role, both created by an idempotent setup Job (one per database).
   *
   * @param name the database's name: a plain identifier, `^[a-z][a-z0-9_]*$`, at most 63 characters; in Kubernetes
   * object names '_' becomes '-'
   */
  public addDatabase(name: string, options: PostgresDatabaseOptions = {}): IDatabase {
    assertSqlName(this, 'database name', name, NAME_RULES);
    const user = options.user ?? name;
    assertSqlName(this, 'user', user, NAME_RULES);
    return this.catalog.add(name, user, () => new PostgresDatabase(this, databaseId(name), this.parts, {
      databaseName: name,
      user,
      password: options.password ?? SecretSource.generated(),
      passwordRevision: options.passwordRevision,
      adminCredentials: this.adminCredentials,
      jobResources: this.jobResources,
    }));
  }

  /** The database added as `name`. */
  public database(name: string): IDatabase {
    return this.catalog.get(name);
  }
}
