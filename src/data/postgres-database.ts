import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServerDatabase, ServerDatabaseProps, SqlServerParts, waitForServer } from './server-database';
import { Credentials } from '../core/credentials';
import { HashedJob } from '../core/hashed-job';

/**
 * Creates the role and the database if they are missing and (re)sets the role's password, every run. Only the owner
 * (and superusers) may connect: PostgreSQL lets every role connect to every database unless PUBLIC loses CONNECT.
 *
 * The names and the password reach psql as psql variables read from the environment (`\getenv`, psql 15+) and are
 * quoted by psql (`:'literal'`, `:"identifier"`, `format('%I')`), never pasted into SQL. `CREATE DATABASE` cannot run
 * inside `DO` blocks or functions, hence `SELECT ... \gexec`.
 */
const SETUP_SQL = `
\\getenv db DB_NAME
\\getenv user DB_USER
\\getenv password DB_PASSWORD
SELECT format('CREATE ROLE %I LOGIN', :'user') WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'user')\\gexec
ALTER ROLE :"user" WITH LOGIN PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user') WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = :'db')\\gexec
GRANT ALL PRIVILEGES ON DATABASE :"db" TO :"user";
REVOKE CONNECT, TEMPORARY ON DATABASE :"db" FROM PUBLIC;
\\connect :db
GRANT ALL ON SCHEMA public TO :"user";
`.trim();

const SETUP_SCRIPT = [
  'set -eu',
  waitForServer('pg_isready --timeout=5', 'PostgreSQL at $PGHOST:$PGPORT'),
  "psql --no-psqlrc --set=ON_ERROR_STOP=1 <<'SQL'",
  SETUP_SQL,
  'SQL',
].join('\n');

/** A database on a `Postgres` server of this app, with its own login role. Created by `Postgres.addDatabase()`. */
export class PostgresDatabase extends ServerDatabase {
  /** The Job that creates the database and its role. */
  public readonly setupJob: HashedJob;

  constructor(scope: Construct, id: string, server: SqlServerParts, props: ServerDatabaseProps) {
    super(scope, id, server, props);
    const admin = this.adminCredentials;
    this.setupJob = this.createSetupJob({
      shell: 'sh',
      script: SETUP_SCRIPT,
      env: {
        PGHOST: kplus.EnvValue.fromValue(this.endpoint.host),
        PGPORT: kplus.EnvValue.fromValue(String(this.endpoint.port)),
        PGDATABASE: kplus.EnvValue.fromValue('postgres'),
        PGUSER: admin.envValue(Credentials.USERNAME),
        PGPASSWORD: admin.envValue(Credentials.PASSWORD),
        PGCONNECT_TIMEOUT: kplus.EnvValue.fromValue('10'),
        DB_NAME: kplus.EnvValue.fromValue(this.databaseName),
        DB_USER: this.credentials.envValue(Credentials.USERNAME),
        DB_PASSWORD: this.credentials.envValue(Credentials.PASSWORD),
      },
    });
  }
}

