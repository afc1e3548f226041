import { ISeriesScope } from '../core/monitoring';

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

/**
 * Which series the rules of one Prometheus read: its own aggregates (`cluster="<its cluster>"`), and the raw series
 * it scraped itself. A primary also holds the aggregates it federates (and, as a remote write receiver, what it
 * receives), each labelled with its own cluster: its rules must neither recompute them under its own cluster label nor
 * alert on them a second time, so raw selectors are limited to series without a `cluster` label there.
 */
export class SeriesScope implements ISeriesScope {
  constructor(private readonly cluster: string, private readonly receivesOtherClusters: boolean) {}

  /** A selector of a series this Prometheus records, e.g. `x:y:z{cluster="eu-1", quantile="0.95"}`. */
  public recorded(name: string, matchers?: string): string {
    return `${name}{${[`cluster="${this.cluster}"`, matchers].filter(Boolean).join(', ')}}`;
  }

  /** A selector of a series recorded here and, on a primary, in the clusters it federates, e.g. `x:y:z`. */
  public everyCluster(name: string): string {
    return this.receivesOtherClusters ? name : this.recorded(name);
  }

  /** A selector of a metric scraped from a target, e.g. `up` or `up{cluster=""}` on a primary. */
  public raw(metric: string, matchers?: string): string {
    const all = [this.receivesOtherClusters ? 'cluster=""' : undefined, matchers].filter(Boolean);
    return all.length > 0 ? `${metric}{${all.join(', ')}}` : metric;
  }
}
