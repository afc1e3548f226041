import { Cron } from 'cdk8s';
import { Credentials } from '../core/credentials';
import { IDatabase } from '../core/database';
import { SecretSource } from '../core/secret-source';

/** The permission MLflow's basic-auth app gives every user on resources they did not create. */
export class MlflowPermission {
  /** Read experiments, runs and models. */
  public static readonly READ = new MlflowPermission('READ');
  /** Read and update. */
  public static readonly EDIT = new MlflowPermission('EDIT');
  /** Read, update, delete and manage permissions. */
  public static readonly MANAGE = new MlflowPermission('MANAGE');
  /** Nothing: every resource is private to its creator until shared. */
  public static readonly NO_PERMISSIONS = new MlflowPermission('NO_PERMISSIONS');

  /** A permission name of a newer MLflow release. */
  public static of(name: string): MlflowPermission {
    return new MlflowPermission(name);
  }

  private constructor(
    /** The name in `default_permission` of the auth config. */
    public readonly name: string,
  ) {}
}

/** MLflow's built-in basic authentication (`mlflow server --app-name basic-auth`). */
export interface MlflowBasicAuthOptions {
  /**
   * The database that holds users and permissions: a database of its own, e.g. `postgres.addDatabase('mlflow_auth')`.
   * The auth app keeps its own Alembic history, so it cannot share the tracking database.
   */
  readonly database: IDatabase;

  /**
   * The admin user (`Credentials.USERNAME`, `Credentials.PASSWORD`). MLflow creates it once, when the auth database
   * is empty: changing the Secret later does not change the admin's password (change it in the UI or with the
   * `AuthServiceClient`).
   *
   * @default - generated inside the cluster: user name `admin`, a random password
   */
  readonly admin?: SecretSource;

  /**
   * What every user may do with resources they did not create (`default_permission`).
   *
   * @default MlflowPermission.READ
   */
  readonly defaultPermission?: MlflowPermission;

  /**
   * The Flask secret key (`MLFLOW_FLASK_SERVER_SECRET_KEY`, `Credentials.PASSWORD`) that signs the CSRF tokens of
   * the auth UI; every replica must share it.
   *
   * @default - generated inside the cluster
   */
  readonly flaskSecretKey?: SecretSource;
}

/** The CronJob that runs `mlflow gc`. */
export interface MlflowGcOptions {
  /**
   * When it runs.
   *
   * @default - Sundays at 02:00 (`0 2 * * 0`), as in the MLflow chart
   */
  readonly schedule?: Cron;

  /**
   * How long a run, experiment or logged model must have been deleted before it is removed for good, in MLflow's
   * `#d#h#m#s` form (`--older-than`).
   *
   * @default '30d'
   */
  readonly olderThan?: string;
}

/** How `MlflowTracking.bind()` hands the tracking server to a container. */
export interface MlflowBindOptions {
  /**
   * The env var that receives the tracking URI.
   *
   * @default 'MLFLOW_TRACKING_URI'
   */
  readonly uriEnv?: string;

  /**
   * The MLflow user the container logs in as when basic auth is on: `MLFLOW_TRACKING_USERNAME` from
   * `Credentials.USERNAME` and `MLFLOW_TRACKING_PASSWORD` from `Credentials.PASSWORD`.
   *
   * @default - no user; the container must log in by other means when basic auth is on
   */
  readonly credentials?: Credentials;
}
