import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { Credentials } from './credentials';
import { SecretSource } from './secret-source';

/** The Airflow user a client starts DAG runs as. */
export interface DagRunGrantOptions {
  /** The user's name, e.g. `retrain-trigger`: letters, digits, '_', '.', '@' or '-'. */
  readonly username: string;

  /**
   * Where its password comes from (`Credentials.PASSWORD`).
   *
   * @default SecretSource.generated() - a random password generated inside the cluster
   */
  readonly password?: SecretSource;
}

/**
 * An Airflow 3 REST API that other components start DAG runs through (`POST /auth/token`, then
 * `POST /api/v2/dags/{dag_id}/dagRuns`), e.g. `GitSyncAirflow`.
 */
export interface IDagRunApi extends IConstruct {
  /**
   * The API's base URL inside the cluster, without a trailing '/': `/auth/token` and `/api/v2/...` are below it, e.g.
   * `http://airflow-api.mlops.svc:8080/airflow`.
   */
  readonly apiUrl: string;

  /** The api-server's pods, for the egress rules of a client. */
  readonly apiPeer: kplus.INetworkPolicyPeer;

  /**
   * Creates an Airflow user for `grantee` with the least built-in role that can start DAG runs (FAB's `User`: read
   * DAGs, create DAG runs) and lets `grantee` reach the API. Returns its user name and password
   * (`Credentials.USERNAME`, `Credentials.PASSWORD`).
   */
  grantTriggerDagRuns(grantee: kplus.INetworkPolicyPeer, options: DagRunGrantOptions): Credentials;
}
