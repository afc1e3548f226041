import { IConstruct } from 'constructs';
import { RE2JS } from 're2js';
import { MlopsValidationError } from './errors';

/**
 * Throws unless `regex` compiles as Go's RE2, as Prometheus and Alertmanager compile relabel regexes and `=~`
 * matchers: fully anchored (`^(?:regex)$`), without lookarounds or backreferences.
 */
export function checkRe2(where: IConstruct | string, what: string, regex: unknown): void {
  if (typeof regex !== 'string') {
    throw new MlopsValidationError(where, `${what} is invalid: expected a regular expression, got ${JSON.stringify(regex) ?? String(regex)}; give e.g. 'model-.*'`);
  }
  try {
    // The regex alone first, so that a message quotes the user's text; then anchored, as Prometheus compiles it.
    RE2JS.compile(regex);
    RE2JS.compile(`^(?:${regex})$`);
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, '');
    throw new MlopsValidationError(where, `${what} '${regex}' is invalid: ${reason}; it is Go RE2 syntax, matched against the whole value `
      + "(no lookarounds or backreferences), e.g. 'model-(a|b)' or 'serving-.*'");
  }
}
