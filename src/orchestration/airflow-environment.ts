import * as kplus from 'cdk8s-plus-28';
import { DatabaseEngine, IDatabase } from '../core/database';
import { TrustBundle } from '../core/trust-bundle';

const FAB_AUTH_MANAGER = 'airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager';

/** What the env of Airflow's containers is made of. */
export interface AirflowEnvironmentProps {
  readonly database: IDatabase;
  /** Every Airflow pod: the database lets it in. */
  readonly pods: kplus.INetworkPolicyPeer;
  /** The fernet key, API secret key and JWT secret, for the servers and Jobs. */
  readonly secretKeys: Array<[string, kplus.EnvValue]>;
  /** What running components and task pods need besides: DAGs folder, Execution API, metrics, base URL. */
  readonly runtime: Record<string, kplus.EnvValue>;
}

/**
 * Configures Airflow's containers, and remembers the runtime ones (components and task pods, where DAG code runs)
 * so that connections and variables added later reach all of them.
 */
export class AirflowEnvironment {
  public readonly runtimeContainers: kplus.Container[] = [];
  private readonly runtimePods: Array<[kplus.AbstractPod, kplus.Container]> = [];

  constructor(private readonly props: AirflowEnvironmentProps) {}

  /** What every Airflow container needs: the database, the executor, the auth manager and, for servers, the keys. */
  public configureCore(pod: kplus.AbstractPod, container: kplus.Container, executor: string, withSecretKeys: boolean): void {
    const database = this.props.database;
    // The bind selects every Airflow pod, not this one: the pod gets the database's trust bundle here.
    database.endpoint.trustBundle?.mountInto(pod, container);
    const scheme = database.engine.name === DatabaseEngine.MYSQL.name ? 'mysql+mysqldb' : 'postgresql+psycopg2';
    // Airflow runs `_CMD` settings of its sensitive options, so the URI is built in the pod with the user and password
    // percent-encoded, and any password works.
    database.bind(this.props.pods, container, { envPrefix: 'AIRFLOW_DB', uriCommandEnv: 'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD', scheme });
    container.env.addVariable('AIRFLOW__CORE__EXECUTOR', kplus.EnvValue.fromValue(executor));
    container.env.addVariable('AIRFLOW__CORE__AUTH_MANAGER', kplus.EnvValue.fromValue(FAB_AUTH_MANAGER));
    container.env.addVariable('AIRFLOW__CORE__LOAD_EXAMPLES', kplus.EnvValue.fromValue('False'));
    for (const [name, value] of withSecretKeys ? this.props.secretKeys : []) {
      container.env.addVariable(name, value);
    }
  }

  /** `configureCore` plus what running components and tasks need. */
  public configureRuntime(pod: kplus.AbstractPod, container: kplus.Container, executor: string, withSecretKeys: boolean): void {
    this.configureCore(pod, container, executor, withSecretKeys);
    for (const [name, value] of Object.entries(this.props.runtime)) {
      container.env.addVariable(name, value);
    }
    this.runtimeContainers.push(container);
    this.runtimePods.push([pod, container]);
  }

  /** Lets every runtime container verify servers signed by the CA of `bundle` (mounts it; nothing without one). */
  public trust(bundle: TrustBundle | undefined): void {
    for (const [pod, container] of bundle ? this.runtimePods : []) {
      bundle!.mountInto(pod, container);
    }
  }

  /** Adds `env`, in order, to every runtime container. */
  public add(env: Array<[string, kplus.EnvValue]>): void {
    for (const container of this.runtimeContainers) {
      for (const [name, value] of env) {
        container.env.addVariable(name, value);
      }
    }
  }
}
