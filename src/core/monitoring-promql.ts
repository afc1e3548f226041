import { Duration } from 'cdk8s';
import { DashboardPanel, DashboardPanelType, RecordingRule } from './monitoring';

// PromQL helpers for the monitoring contributions of the components (not part of the public API).

const UNITS: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000], ['ms', 1]];

/** A duration in Prometheus' notation, in the largest unit that divides it: `30s`, `5m`, `15d`. */
export function promDuration(duration: Duration): string {
  const ms = duration.toMilliseconds();
  const [unit, size] = UNITS.find(([, length]) => ms % length === 0)!;
  return `${ms / size}${unit}`;
}

/** A number as PromQL writes it (no exponent for the small thresholds used here). */
export function promNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/**
 * `a + b` where `b`'s series may not exist yet (a failure counter appears with the first failure): missing `b` counts
 * as 0 instead of dropping the sum.
 */
export function plusMaybeMissing(a: string, b: string): string {
  return `${a} + (${b} or ${a} * 0)`;
}

/**
 * A dashboard query's selector of a recorded series in the clusters picked on the dashboard (its `$cluster`
 * variable), e.g. `x:y:z{cluster=~"$cluster"}` or `x:y:z{cluster=~"$cluster", quantile="0.95"}`.
 */
export function inPickedClusters(name: string, matchers: string = ''): string {
  return matchers ? `${name}{cluster=~"$cluster", ${matchers}}` : `${name}{cluster=~"$cluster"}`;
}

/** The legend of a per-model series on a dashboard. */
export const MODEL_LEGEND = '{{cluster}}/{{namespace}} {{model}}';

/** The legend of a per-job series on a dashboard. */
export const JOB_LEGEND = '{{cluster}}/{{namespace}} {{job}}';

/** A dashboard panel from `[expr, legend]` pairs. */
export function dashboardPanel(
  title: string, unit: string, queries: Array<[string, string]>, type: DashboardPanelType = DashboardPanelType.TIMESERIES,
): DashboardPanel {
  return { title, panelType: type, unit, queries: queries.map(([expr, legend]) => ({ expr, legend })) };
}

/** A recording rule, with its labels (always given, so that every rule has a `labels` map for the cluster). */
export function recordingRule(record: string, expr: string, labels: { [key: string]: string } = {}): RecordingRule {
  return { record, expr, labels };
}
