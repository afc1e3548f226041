import { IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';

/**
 * Returns `value` when it is a whole number from `min` to `max`, else throws naming the construct, the value and the
 * range; `hint` is added to the message.
 */
export function assertWholeNumber(scope: IConstruct, what: string, value: number, min: number, max: number, hint: string = ''): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MlopsValidationError(scope, `${what} '${value}' is invalid: must be a whole number from ${min} to ${max}${hint}`);
  }
  return value;
}
