import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { Credentials } from './credentials';
import { ServiceEndpoint } from './endpoint';
import { addEnvVariable } from './env-vars';
import { checkKplusObject } from './kplus-compat';
import { anEnvVarName } from './prop-kinds';
import { aString, checkProps } from './props-check';

/** A database engine and the URI scheme its clients use by default. */
export class DatabaseEngine {
  /** PostgreSQL (`postgresql://`). */
  public static readonly POSTGRES = new DatabaseEngine('postgres', 'postgresql', 5432);
  /** MySQL (`mysql://`; SQLAlchemy clients usually want `mysql+pymysql`, see `DatabaseBindOptions.scheme`). */
  public static readonly MYSQL = new DatabaseEngine('mysql', 'mysql', 3306);

  private constructor(
    /** The engine's name. */
    public readonly name: string,
    /** The default URI scheme. */
    public readonly scheme: string,
    /** The default port. */
    public readonly defaultPort: number,
  ) {}
}

/** How a consumer wants a database handed to its container. */
export interface DatabaseBindOptions {
  /**
   * Prefix of the env vars `bind` adds: `<prefix>_USER` and `<prefix>_PASSWORD`, read from the database's Secret.
   *
   * @default 'DB'
   */
  readonly envPrefix?: string;

  /**
   * The scheme of the connection URI, e.g. `postgresql+psycopg2` or `mysql+pymysql` for SQLAlchemy.
   *
   * @default - the engine's scheme (`postgresql`, `mysql`)
   */
  readonly scheme?: string;

  /**
   * Name of an env var that receives the full connection URI, e.g. `AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`. It is
   * added after the user and password vars, so Kubernetes expands `$(DB_USER)` and `$(DB_PASSWORD)` inside it.
   *
   * @default - no URI env var; use `DatabaseBinding.uri`
   */
  readonly uriEnv?: string;

  /**
   * Name of an env var that receives a command printing the connection URI with the user and password
   * percent-encoded, so that any password works, e.g. Airflow's `AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD`. The
   * command is `python -c '...'` (standard library only), so the container's image needs Python. Use it instead of
   * `uriEnv` when the password may hold `@ : / % #` and the like, which a URI built by `$(VAR)` expansion cannot.
   *
   * @default - no URI command
   */
  readonly uriCommandEnv?: string;

  /**
   * Query string appended to the URI, without the `?`, e.g. `sslmode=require`.
   *
   * @default - none
   */
  readonly query?: string;
}

/** What `IDatabase.bind` gave the container. */
export interface DatabaseBinding {
  /** The env var holding the user name. */
  readonly userEnv: string;
  /** The env var holding the password. */
  readonly passwordEnv: string;
  /**
   * The connection URI with `$(VAR)` references in place of the user and password, e.g.
   * `postgresql://$(DB_USER):$(DB_PASSWORD)@pg.data.svc:5432/mlflow`. Kubernetes expands it in env values, command
   * and args of the same container; never write it anywhere else.
   */
  readonly uri: string;
}

/**
 * A database that workloads connect to: one created by `Postgres.addDatabase()` / `Mysql.addDatabase()`, or an
 * external one imported with `Postgres.fromDatabaseAttributes()` / `Mysql.fromDatabaseAttributes()`.
 */
export interface IDatabase extends IConstruct {
  /** The engine. */
  readonly engine: DatabaseEngine;
  /** The database's name on the server. */
  readonly databaseName: string;
  /** The server. */
  readonly endpoint: ServiceEndpoint;
  /** The user this database's clients log in as (`Credentials.USERNAME`, `Credentials.PASSWORD`). */
  readonly credentials: Credentials;

  /**
   * Hands the database to `container` of `workload`: adds the user and password env vars from the Secret (and the
   * URI var when asked), and allows the workload's traffic to the server when the server is in this app.
   */
  bind(workload: kplus.INetworkPolicyPeer, container: kplus.Container, options?: DatabaseBindOptions): DatabaseBinding;
}

/**
 * The `bind` every database implements: env vars first, then the URI that refers to them.
 * Returns the binding; network access is the caller's part.
 */
export function bindDatabase(
  database: IDatabase, container: kplus.Container, options: DatabaseBindOptions = {}, workload?: kplus.INetworkPolicyPeer,
): DatabaseBinding {
  checkProps(database, options, {}, {
    envPrefix: anEnvVarName('DB'),
    scheme: aString("'postgresql+psycopg2'"),
    uriEnv: anEnvVarName('MLFLOW_DB_URI'),
    uriCommandEnv: anEnvVarName('AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD'),
    query: aString("'sslmode=require'"),
  }, 'bind: options');
  checkKplusObject(database, 'the container', container);
  trustDatabase(database, workload instanceof kplus.AbstractPod ? workload : undefined, container);
  const prefix = options.envPrefix ?? 'DB';
  const userEnv = `${prefix}_USER`;
  const passwordEnv = `${prefix}_PASSWORD`;
  // A second database bound into one container under the same names would silently replace the first's.
  addEnvVariable(database, container, userEnv, database.credentials.envValue(Credentials.USERNAME), 'envPrefix');
  addEnvVariable(database, container, passwordEnv, database.credentials.envValue(Credentials.PASSWORD), 'envPrefix');
  const scheme = options.scheme ?? database.engine.scheme;
  const queries = [options.query, mysqlTlsQuery(database, scheme)].filter((part) => part);
  const query = queries.length > 0 ? `?${queries.join('&')}` : '';
  const uri = `${scheme}://$(${userEnv}):$(${passwordEnv})@${database.endpoint.hostPort}/${database.databaseName}${query}`;
  if (options.uriEnv) {
    addEnvVariable(database, container, options.uriEnv, kplus.EnvValue.fromValue(uri), 'uriEnv');
  }
  if (options.uriCommandEnv) {
    const rest = `@${database.endpoint.hostPort}/${database.databaseName}${query}`;
    addEnvVariable(database, container, options.uriCommandEnv, kplus.EnvValue.fromValue(uriCommand(`${scheme}://`, userEnv, passwordEnv, rest)), 'uriCommandEnv');
  }
  return { userEnv, passwordEnv, uri };
}

/**
 * Makes `container` verify a database server that runs TLS (its endpoint has a trust bundle): mounts the bundle into
 * `pod` (`PGSSLROOTCERT` among the variables) and, for PostgreSQL, sets `PGSSLMODE=verify-full`, which libpq (psql,
 * psycopg2 under SQLAlchemy) reads unless the URI says otherwise. MySQL's drivers read no such variable: `bind` puts
 * their options into the URI. A container of a pod not given must get the bundle
 * from its owner (`endpoint.trustIn`).
 */
export function trustDatabase(database: IDatabase, pod: kplus.AbstractPod | undefined, container: kplus.Container): void {
  const bundle = database.endpoint.trustBundle;
  if (!bundle) return;
  if (pod) bundle.mountInto(pod, container);
  if (database.engine === DatabaseEngine.POSTGRES && container.env.variables.PGSSLMODE === undefined) {
    container.env.addVariable('PGSSLMODE', kplus.EnvValue.fromValue('verify-full'));
  }
}

/**
 * The URI options that make a SQLAlchemy MySQL driver verify a server that runs TLS against its trust bundle, host name
 * included: PyMySQL's `ssl_ca` with `ssl_check_hostname` (SQLAlchemy turns `ssl_*` into the driver's `ssl` dict), or
 * mysqlclient's `ssl_mode=VERIFY_IDENTITY` (the default driver of `mysql://` and `mysql+mysqldb://`).
 */
function mysqlTlsQuery(database: IDatabase, scheme: string): string | undefined {
  const bundle = database.endpoint.trustBundle;
  if (!bundle || database.engine !== DatabaseEngine.MYSQL) return undefined;
  return scheme === 'mysql+pymysql'
    ? `ssl_ca=${bundle.pemPath}&ssl_check_hostname=true`
    : `ssl_mode=VERIFY_IDENTITY&ssl_ca=${bundle.pemPath}`;
}

/**
 * `python -c '...'` printing `<prefix><user>:<password><suffix>` with the user and password read from their env vars
 * and percent-encoded. The literals are Python strings in which `'` and `$` are escaped, so that neither the shell-like
 * splitting of the command (Airflow uses `shlex.split`) nor the kubelet's `$(VAR)` expansion touches them.
 */
function uriCommand(prefix: string, userEnv: string, passwordEnv: string, suffix: string): string {
  const literal = (text: string) => JSON.stringify(text).replace(/'/g, '\\u0027').replace(/\$/g, '\\u0024');
  const program = 'import os, urllib.parse as p; q = lambda name: p.quote(os.environ[name], safe=""); '
    + `print(${literal(prefix)} + q(${literal(userEnv)}) + ":" + q(${literal(passwordEnv)}) + ${literal(suffix)})`;
  return `python -c '${program}'`;
}

/** Sets `argv[1]` from the command in `<argv[1]>_CMD`, puts it in place of `$(<argv[1]>)` in the rest, and runs that. */
const URI_LAUNCHER = [
  'import os, shlex, subprocess, sys',
  'name = sys.argv[1]',
  'uri = subprocess.check_output(shlex.split(os.environ[name + "_CMD"]), text=True).strip()',
  'os.environ[name] = uri',
  'argv = [arg.replace("$" + "(" + name + ")", uri) for arg in sys.argv[2:]]',
  'os.execvp(argv[0], argv)',
].join('\n');

/**
 * `command`, started by a Python launcher (standard library) that first sets `uriEnv` from the command that a bind with
 * `uriCommandEnv: '<uriEnv>_CMD'` added, and puts the URI in place of `$(<uriEnv>)` in the arguments: for tools that
 * take a connection URI only, so that any password works.
 */
export function withUriFromCommand(uriEnv: string, command: string[]): string[] {
  return ['python', '-c', URI_LAUNCHER, uriEnv, ...command];
}
