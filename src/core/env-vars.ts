import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';

/** The env var names the verbs write: names `$(VAR)` expansion and every shell can refer to. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Adds `name` to `container`, refusing a name that is not an env var name and one the container already has (two
 * binds into one container with the same names would otherwise leave only the second). `option` names the prop that
 * chooses the name, for the fix.
 */
export function addEnvVariable(where: IConstruct, container: kplus.Container, name: string, value: kplus.EnvValue, option: string): void {
  checkEnvVarName(where, option, name);
  if (container.env.variables[name] !== undefined) {
    throw new MlopsValidationError(where, `env var '${name}' is invalid: container '${container.name}' already has it (another bind or the `
      + `container's own env); give another name with ${option}`);
  }
  container.env.addVariable(name, value);
}

/** Throws unless `name`, given as `what`, is an env var name; `example` is one fit for the prop. */
export function checkEnvVarName(where: IConstruct | string, what: string, name: unknown, example: string = 'MLFLOW_DB_URI'): void {
  if (typeof name !== 'string' || !ENV_NAME.test(name)) {
    throw new MlopsValidationError(where, `${what} '${name}' is invalid: an env var name is letters, digits and '_', not starting with a digit, `
      + `e.g. '${example}'`);
  }
}
