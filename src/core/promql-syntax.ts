import { IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';

/** The part of lezer's tree API the check uses. */
interface SyntaxNode {
  readonly from: number;
  readonly to: number;
  readonly type: { readonly isError: boolean };
}

// Prometheus' own PromQL grammar (the one its web UI uses), as a CommonJS build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: { parse(expr: string): { iterate(spec: { enter(node: SyntaxNode): void }): void } } };

/** Grafana's range variables, which only Grafana resolves; checked as the range they stand for. */
const GRAFANA_RANGES = /\$__(rate_)?interval|\$__range/g;

/** Where PromQL `expr` stops being PromQL: `undefined` when it parses, else the offset of the first syntax error. */
export function promqlSyntaxError(expr: string): number | undefined {
  let first: number | undefined;
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError && (first === undefined || node.from < first)) first = node.from;
    },
  });
  return first;
}

/**
 * Throws unless `expr` parses as PromQL. `grafana` allows Grafana's `$__rate_interval`, `$__interval` and `$__range`
 * (dashboard queries), checked as a `5m` range.
 */
export function checkPromql(where: IConstruct | string, what: string, expr: unknown, options: { readonly grafana?: boolean } = {}): void {
  if (typeof expr !== 'string' || expr.trim() === '') {
    throw new MlopsValidationError(where, `${what} is invalid: expected a PromQL expression, got ${JSON.stringify(expr) ?? String(expr)}; give e.g. 'sum(rate(http_requests_total[5m]))'`);
  }
  const checked = options.grafana ? expr.replace(GRAFANA_RANGES, (variable) => '5m'.padEnd(variable.length)) : expr;
  const at = promqlSyntaxError(checked);
  if (at === undefined) {
    return;
  }
  const position = at >= expr.length ? 'at its end (something is not closed or is missing)'
    : `at character ${at + 1} (near '${expr.slice(Math.max(0, at - 15), at + 15)}')`;
  throw new MlopsValidationError(where, `${what} '${expr}' is invalid: PromQL syntax error ${position}; `
    + 'check brackets, quotes and operators against the Prometheus query documentation, e.g. sum by (model) (rate(model_drifted_total[5m])) > 0');
}
