import { IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';

/**
 * Returns `value` when it is a whole number from `min` to `max`, else throws naming the construct, the value and the
 * range; `hint` is added to the message.
 */
export function assertWholeNumber(scope: IConstruct | string, what: string, value: number, min: number, max: number, hint: string = ''): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MlopsValidationError(scope, `${what} '${value}' is invalid: must be a whole number ${wholeNumberRange(min, max)}${hint}`);
  }
  return value;
}

/** `from 1 to 10`, or `1 or more` without an upper bound. */
export function wholeNumberRange(min: number, max: number): string {
  return Number.isFinite(max) ? `from ${min} to ${max}` : `${min} or more`;
}
