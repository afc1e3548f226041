import { checkPromql, promqlSyntaxError } from '../../src/core/promql-syntax';
import { checkRe2 } from '../../src/core/re2-syntax';

describe('checkPromql', () => {
  test.each([
    'up == 0',
    'sum by (model) (rate(model_drifted_total{cluster=~"$cluster"}[5m])) > 0',
    'histogram_quantile(0.95, sum by (le) (rate(request_seconds_bucket[5m])))',
  ])('accepts %s', (expr) => {
    expect(() => checkPromql('Test', 'expr', expr)).not.toThrow();
  });

  test('reports the first syntax error with where it is and an example', () => {
    expect(() => checkPromql('FederatedPrometheus \'p\'', 'alert ModelDrift expr', 'rate(model_drifted_total[5m]')).toThrow(
      "FederatedPrometheus 'p': alert ModelDrift expr 'rate(model_drifted_total[5m]' is invalid: PromQL syntax error at its end "
      + '(something is not closed or is missing); check brackets, quotes and operators against the Prometheus query documentation, '
      + 'e.g. sum by (model) (rate(model_drifted_total[5m])) > 0');
    expect(() => checkPromql('Test', 'expr', 'up == 0 and on() foo bar')).toThrow(
      "Test: expr 'up == 0 and on() foo bar' is invalid: PromQL syntax error at character 22 (near '0 and on() foo bar')");
    expect(promqlSyntaxError('foo bar')).toBe(4);
  });

  test('refuses an empty or non-string expression', () => {
    expect(() => checkPromql('Test', 'expr', '  ')).toThrow('Test: expr is invalid: expected a PromQL expression, got "  "');
    expect(() => checkPromql('Test', 'expr', 42)).toThrow('Test: expr is invalid: expected a PromQL expression, got 42');
  });

  test("allows Grafana's range variables only in dashboard queries", () => {
    const query = 'sum(rate(x[$__rate_interval]))';
    expect(() => checkPromql('Test', 'panel', query, { grafana: true })).not.toThrow();
    expect(() => checkPromql('Test', 'expr', query)).toThrow("expr 'sum(rate(x[$__rate_interval]))' is invalid: PromQL syntax error");
  });
});

describe('checkRe2', () => {
  test.each(['model-.*', 'serving-(eu|us)', '\\d+', ''])('accepts %j', (regex) => {
    expect(() => checkRe2('Test', 'regex', regex)).not.toThrow();
  });

  test.each([
    ['(a', 'missing closing ): `(a`'],
    ['(?=x)y', 'invalid or unsupported Perl syntax: `(?=`'],
    ['a{2,1}', 'invalid repeat count: `{2,1}`'],
  ])('refuses %j, as Prometheus would: %s', (regex, reason) => {
    expect(() => checkRe2('Test', 'regex', regex)).toThrow(`Test: regex '${regex}' is invalid: ${reason}; it is Go RE2 syntax`);
  });
});
