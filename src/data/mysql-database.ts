import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServerDatabase, ServerDatabaseProps, SqlServerParts, waitForServer } from './server-database';
import { Credentials } from '../core/credentials';
import { HashedJob } from '../core/hashed-job';

/**
 * Creates the database and the user if they are missing and (re)sets the user's password, every run (bash).
 *
 * The user name and password come from the environment and become SQL string literals inside the shell: with
 * `NO_BACKSLASH_ESCAPES` a literal only needs its `'` doubled. The statements go to mysql through a pipe from shell
 * builtins, so the password is in no file and no process's arguments. The database name is a checked identifier.
 * With `caFile` (the server runs TLS), every connection verifies the server's certificate and host name.
 */
function setupScript(databaseName: string, caFile: string | undefined): string {
  const grantName = databaseName.replace(/_/g, '\\_');
  const verify = caFile ? ` --ssl-mode=VERIFY_IDENTITY --ssl-ca=${caFile}` : '';
  return `set -euo pipefail
connect=(--host="$MYSQL_HOST" --port="$MYSQL_TCP_PORT" --user="$ADMIN_USER"${verify})
${waitForServer('mysqladmin "${connect[@]}" --connect-timeout=5 ping', 'MySQL at $MYSQL_HOST:$MYSQL_TCP_PORT')}
db='\`${databaseName}\`'
# In a database-level GRANT, '_' is a wildcard unless escaped.
grant_db='\`${grantName}\`'
user=\${DB_USER//"'"/"''"}
password=\${DB_PASSWORD//"'"/"''"}
{
  echo "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';"
  echo "CREATE DATABASE IF NOT EXISTS $db;"
  echo "CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY '$password';"
  echo "ALTER USER '$user'@'%' IDENTIFIED BY '$password';"
  echo "GRANT ALL PRIVILEGES ON $grant_db.* TO '$user'@'%';"
} | mysql "\${connect[@]}"`;
}

/** A database on a `Mysql` server of this app, with its own user. Created by `Mysql.addDatabase()`. */
export class MysqlDatabase extends ServerDatabase {
  /** The Job that creates the database and its user. */
  public readonly setupJob: HashedJob;

  constructor(scope: Construct, id: string, server: SqlServerParts, props: ServerDatabaseProps) {
    super(scope, id, server, props);
    this.setupJob = this.createSetupJob({
      shell: 'bash',
      script: setupScript(this.databaseName, this.endpoint.trustBundle?.pemPath),
      env: {
        MYSQL_HOST: kplus.EnvValue.fromValue(this.endpoint.host),
        MYSQL_TCP_PORT: kplus.EnvValue.fromValue(String(this.endpoint.port)),
        ADMIN_USER: this.adminCredentials.envValue(Credentials.USERNAME),
        // The mysql clients read the password from MYSQL_PWD (deprecated upstream, still honoured by 8.4).
        MYSQL_PWD: this.adminCredentials.envValue(Credentials.PASSWORD),
        DB_USER: this.credentials.envValue(Credentials.USERNAME),
        DB_PASSWORD: this.credentials.envValue(Credentials.PASSWORD),
      },
    });
  }
}
