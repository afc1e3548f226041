import { Duration } from 'cdk8s';

/** One rule of a PrometheusRule group: a recording rule (`record`) or an alert (`alert`). */
export interface RuleSpec {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** A PrometheusRule group. */
export interface RuleGroupSpec {
  readonly name: string;
  readonly rules: RuleSpec[];
}

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
 * Which series the rules of one Prometheus read: its own aggregates (`cluster="<its cluster>"`), and the raw series
 * it scraped itself. A primary also holds the aggregates it federates (and, as a remote write receiver, what it
 * receives), each labelled with its own cluster: its rules must neither recompute them under its own cluster label nor
 * alert on them a second time, so raw selectors are limited to series without a `cluster` label there.
 */
export class SeriesScope {
  constructor(private readonly cluster: string, private readonly receivesOtherClusters: boolean) {}

  /** A selector of a series this Prometheus records, e.g. `x:y:z{cluster="eu-1", quantile="0.95"}`. */
  public recorded(name: string, matchers?: string): string {
    return `${name}{${[`cluster="${this.cluster}"`, matchers].filter(Boolean).join(', ')}}`;
  }

  /** A selector of a metric scraped from a target, e.g. `up` or `up{cluster=""}` on a primary. */
  public raw(name: string, matchers?: string): string {
    const all = [this.receivesOtherClusters ? 'cluster=""' : undefined, matchers].filter(Boolean);
    return all.length > 0 ? `${name}{${all.join(', ')}}` : name;
  }
}

/**
 * `a + b` where `b`'s series may not exist yet (a failure counter appears with the first failure): missing `b` counts
 * as 0 instead of dropping the sum.
 */
export function plusMaybeMissing(a: string, b: string): string {
  return `${a} + (${b} or ${a} * 0)`;
}
