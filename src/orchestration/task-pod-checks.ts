import { IConstruct } from 'constructs';
import { MlopsValidationError } from '../core/errors';

// The checks of what `GitSyncAirflow` adds to every task pod after it is built (secret env vars, mounts).

/** Where the task pods mount Airflow's own volumes: its home, `/tmp` and the DAGs. */
const RESERVED_PATHS = ['/opt/airflow', '/tmp', '/opt/airflow/dags'];

/** An env var name of a task pod that is new, and not one of Airflow's own (`AIRFLOW_*`, which configure Airflow). */
export function checkSecretEnvName(scope: IConstruct, name: string, taken: ReadonlySet<string>): void {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new MlopsValidationError(scope, `task env var '${name}' is invalid: must start with a letter or '_' and contain only letters, `
      + "digits and '_', e.g. 'AZURE_STORAGE_KEY'");
  }
  if (name.toUpperCase().startsWith('AIRFLOW')) {
    throw new MlopsValidationError(scope, `task env var '${name}' is invalid: AIRFLOW* variables configure Airflow itself; `
      + 'give a connection with addConnection(connId, source), or another name');
  }
  if (taken.has(name)) {
    throw new MlopsValidationError(scope, `task env var '${name}' is invalid: it was added already; give each env var once`);
  }
}

/** An absolute mount path of a task pod, not `/` and not one the task pods use already. */
export function checkTaskMountPath(scope: IConstruct, path: string, taken: ReadonlySet<string>): void {
  if (typeof path !== 'string' || !/^(\/[A-Za-z0-9._~-]+)+$/.test(path) || path.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw new MlopsValidationError(scope, `task mount path '${path}' is invalid: must be an absolute path of letters, digits, '.', '_', '~' `
      + "and '-' segments, without '.' or '..', e.g. '/shared'");
  }
  if (RESERVED_PATHS.includes(path) || taken.has(path)) {
    const used = taken.has(path) ? 'another mountInTasks call mounts there' : "the task pods mount Airflow's own volume there";
    throw new MlopsValidationError(scope, `task mount path '${path}' is invalid: ${used}; give another path, e.g. '/shared'`);
  }
}
