import { IConstruct } from 'constructs';

/**
 * The error thrown for bad input: it names the construct (its class and path), says what is wrong with which value,
 * and how to fix it, so that the message alone is enough to act on.
 */
export class MlopsValidationError extends Error {
  /**
   * @param scope the construct the bad value was given to, or the static entry point's name (`ModelSource.fromBucket`)
   */
  constructor(scope: IConstruct | string, message: string) {
    super(`${typeof scope === 'string' ? scope : describe(scope)}: ${message}`);
    this.name = 'MlopsValidationError';
  }
}

/** `Postgres 'platform/Postgres'`: the class a user instantiated and where it sits in the construct tree. */
export function describe(scope: IConstruct): string {
  return `${scope.constructor.name} '${scope.node.path}'`;
}
