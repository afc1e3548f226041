import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DatabaseAttributes } from './database-attributes';
import { ExternalDatabase } from './external-database';
import { MysqlDatabase } from './mysql-database';
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

const VOLUME_PATH = '/var/lib/mysql';
const EXPORTER_PORT = 9104;
const CERT_DIR = '/etc/mysql/tls';
const EXPORTER_CONFIG_DIR = '/etc/mysqld-exporter';
const EXPORTER_CERT_DIR = '/etc/mysqld-exporter/server';

const NAME_RULES: SqlNameRules = {
  engineName: 'MySQL',
  maxDatabaseLength: 64,
  maxUserLength: 32,
  reservedDatabases: ['information_schema', 'mysql', 'performance_schema', 'sys'],
  reservedUsers: ['root'],
};

const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) },
};

/** Props of `Mysql`. */
export interface MysqlProps extends SqlServerProps {
  /**
   * The MySQL image. It must behave like the Docker official image (entrypoint, `MYSQL_ROOT_PASSWORD`, uid 999) and
   * ship the `mysql` and `mysqladmin` clients and bash, which the setup Jobs run.
   *
   * @default DefaultImages.MYSQL
   */
  readonly image?: string;

  /**
   * The password of `root` (`Credentials.PASSWORD`). Read by the server only when it initializes an empty volume:
   * changing it later needs `ALTER USER` too.
   *
   * @default - generated inside the cluster
   */
  readonly adminPassword?: SecretSource;

  /**
   * The server's cpu and memory. Each of `cpu` and `memory` left out keeps its default.
   *
   * @default - cpu request 100m; memory request 512Mi, limit 1Gi
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * The exporter's image when `metrics` is on: mysqld_exporter, which serves on port 9104 and logs in as `root`.
   *
   * @default DefaultImages.MYSQLD_EXPORTER
   */
  readonly metricsExporterImage?: string;

  /**
   * Serves TLS only (`--ssl-cert`, `--ssl-key`, `--require-secure-transport=ON`) with a certificate cert-manager issues
   * for the Service. Clients bound with `bind` verify it, host name included: the setup Jobs' `mysql` with
   * `--ssl-mode=VERIFY_IDENTITY` and `--ssl-ca`, SQLAlchemy URIs with `ssl_ca` and `ssl_check_hostname=true`
   * (PyMySQL) or `ssl_mode=VERIFY_IDENTITY` (mysqlclient). A sidecar (`tls-reload`) runs `ALTER INSTANCE RELOAD TLS`
   * within 10 minutes of a renewal, so the server serves the new certificate without a restart.
   *
   * @default - no TLS
   */
  readonly tls?: ServerTls;
}

/** Options of `Mysql.addDatabase()`. */
export interface MysqlDatabaseOptions extends SqlDatabaseOptions {
  /**
   * The user (`'<user>'@'%'`) that gets all privileges on the database and that clients log in as: a plain
   * identifier (`^[a-z][a-z0-9_]*$`, at most 32 characters), used by no other database of this server.
   *
   * If `password` is an existing Secret whose `Credentials.USERNAME` key is mapped, the user name is read from it
   * instead, unchecked.
   *
   * @default - the database's name
   */
  readonly user?: string;
}

/**
 * A single-instance MySQL 8.4 server that holds several databases, each with its own user and setup Job.
 *
 * ```ts
 * const mysql = new Mysql(this, 'Mysql');
 * const mlflow = mysql.addDatabase('mlflow');
 * mlflow.bind(deployment, container, { uriEnv: 'MLFLOW_BACKEND_STORE_URI', scheme: 'mysql+pymysql' });
 * ```
 *
 * The pod runs as uid/gid 999 (`mysql`) under Pod Security `restricted` with a read-only root filesystem. With `tls`
 * the server accepts TLS connections only.
 */
export class Mysql extends SqlServer {
  /** A database on a MySQL server outside this app. */
  public static fromDatabaseAttributes(scope: Construct, id: string, attributes: DatabaseAttributes): IDatabase {
    checkArgument('Mysql.fromDatabaseAttributes', 'scope', scope, A_CONSTRUCT);
    return new ExternalDatabase(scope, id, attributes, DatabaseEngine.MYSQL);
  }

  constructor(scope: Construct, id: string, props: MysqlProps = {}) {
    super(scope, id, props);
  }

  /**
   * Adds a database and a user with all privileges on it, both created by an idempotent setup Job (one per database).
   *
   * @param name the database's name: a plain identifier, `^[a-z][a-z0-9_]*$`, at most 64 characters; in Kubernetes
   * object names '_' becomes '-'
   */
  public addDatabase(name: string, options: MysqlDatabaseOptions = {}): IDatabase {
    return this._addDatabase(name, options, options.user);
  }

  /** @internal */
  protected _bindAdminCredentials(props: MysqlProps): Credentials {
    const admin = (props.adminPassword ?? SecretSource.generated()).bind(this, 'AdminCredentials', {
      secretValues: [Credentials.PASSWORD],
      values: { [Credentials.USERNAME]: 'root' },
    });
    // The server only ever sets root's password, so root it is, even if an existing Secret maps a user name too.
    return Credentials.fromSecret(admin.secret, {
      keys: { [Credentials.PASSWORD]: admin.secretKey(Credentials.PASSWORD) },
      values: { [Credentials.USERNAME]: 'root' },
    });
  }

  /** @internal */
  protected _engineSpec(props: MysqlProps, admin: Credentials): SqlEngineSpec {
    checkProps(this, props, {}, { tls: A_SERVER_TLS });
    const tls = props.tls;
    return {
      engine: DatabaseEngine.MYSQL,
      name: 'mysql',
      image: props.image ?? defaultImage(this, DefaultImages.MYSQL),
      // mysqld --initialize needs an empty datadir, and a volume root may hold lost+found; the entrypoint creates
      // the sub-directory.
      args: ['mysqld', `--datadir=${VOLUME_PATH}/data`,
        ...(tls ? [`--ssl-cert=${CERT_DIR}/tls.crt`, `--ssl-key=${CERT_DIR}/tls.key`, '--require-secure-transport=ON'] : [])],
      env: {
        MYSQL_ROOT_PASSWORD: admin.envValue(Credentials.PASSWORD),
      },
      dataPath: VOLUME_PATH,
      // The socket, pid and lock files, and tmpdir. /var/lib/mysql-files (secure_file_priv) stays read-only: the
      // entrypoint only checks it exists, and the server writes there only for SELECT ... INTO OUTFILE.
      writablePaths: { run: '/var/run/mysqld', tmp: '/tmp' },
      // Over TCP, so that the server is not ready while the entrypoint's --skip-networking init server runs.
      probe: ['sh', '-c', 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysqladmin --host=127.0.0.1 --port=3306 --user=root --connect-timeout=4 ping'],
      resources: withDefaultResources(props.resources, DEFAULT_RESOURCES),
      metricsExporter: {
        image: props.metricsExporterImage ?? defaultImage(this, DefaultImages.MYSQLD_EXPORTER),
        runAs: { user: 65534, group: 65534 },
        port: EXPORTER_PORT,
        // mysqld_exporter 0.15+ takes the address and user as flags and the password from MYSQLD_EXPORTER_PASSWORD.
        args: ['--mysqld.address=127.0.0.1:3306', '--mysqld.username=$(MYSQL_EXPORTER_USER)',
          // mysqld_exporter speaks TLS only with an `ssl-ca` in its my.cnf (config/config.go, FormDSN). It reaches the
          // server on 127.0.0.1, which the certificate does not name: the server's own certificate is that file, and
          // the hop inside the pod goes unverified.
          ...(tls ? [`--config.my-cnf=${EXPORTER_CONFIG_DIR}/my.cnf`, '--tls.insecure-skip-verify'] : [])],
        env: {
          MYSQL_EXPORTER_USER: admin.envValue(Credentials.USERNAME),
          MYSQLD_EXPORTER_PASSWORD: admin.envValue(Credentials.PASSWORD),
        },
        ...(tls ? { config: { dir: EXPORTER_CONFIG_DIR, files: { 'my.cnf': `[client]\nssl-ca = ${EXPORTER_CERT_DIR}/tls.crt\n` } } } : {}),
      },
      nameRules: NAME_RULES,
      ...(tls ? {
        tls: {
          serverTls: tls,
          certDir: CERT_DIR,
          // Root-owned as the kubelet writes them: the group (the pod's fsGroup, mysql) reads them.
          keyMode: 0o440,
          // MySQL 8 swaps in the files at the configured paths on ALTER INSTANCE RELOAD TLS.
          reloadCommand: 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --host=127.0.0.1 --port=3306 --user=root --ssl-mode=REQUIRED '
            + "--execute='ALTER INSTANCE RELOAD TLS'",
          exporterCertDir: EXPORTER_CERT_DIR,
        },
      } : {}),
    };
  }

  /** @internal */
  protected _newDatabase(id: string, server: SqlServerParts, props: ServerDatabaseProps): IDatabase {
    return new MysqlDatabase(this, id, server, props);
  }
}
