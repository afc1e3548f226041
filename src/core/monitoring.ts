import { Duration } from 'cdk8s';
import { ResolvedAlertThresholds } from './monitoring-thresholds';

export * from './monitoring-thresholds';

/**
 * Names the series the rules of one Prometheus read. Every expression of a monitoring contribution selects its
 * series through it, so that the same rules work on a secondary and on a primary: a primary also holds the aggregates
 * it federates (or receives by remote write), each labelled with its own cluster, and must neither recompute them
 * under its own cluster label nor alert on them a second time.
 */
export interface ISeriesScope {
  /**
   * A selector of a series this Prometheus records itself, limited to its own cluster, e.g.
   * `x:y:z{cluster="eu-1", quantile="0.95"}`.
   *
   * @param name the recorded series, e.g. `ModelSeries.REQUESTS`
   * @param matchers more label matchers, e.g. `quantile="0.95"`
   */
  recorded(name: string, matchers?: string): string;

  /**
   * A selector of a series recorded in every cluster whose aggregates this Prometheus holds: its own and, on a primary,
   * those of the clusters it federates (or receives by remote write), e.g. `x:y:z` there and `x:y:z{cluster="eu-1"}`
   * on a secondary. For alerts a primary evaluates for the whole platform, such as the drift that retrains a model.
   *
   * @param name the recorded series, e.g. `ModelSeries.REQUESTS`
   */
  everyCluster(name: string): string;

  /**
   * A selector of a metric scraped from a target, e.g. `up`; on a primary limited to the series without a `cluster`
   * label (its own scrapes), e.g. `up{cluster=""}`.
   *
   * @param metric the metric as the target exposes it, e.g. `minio_s3_requests_total`
   * @param matchers more label matchers, e.g. `status=~"5.."`
   */
  raw(metric: string, matchers?: string): string;
}

/** A recording rule: the series `record` is written from `expr`. */
export interface RecordingRule {
  /**
   * The series written, `level:metric:operations`, e.g. `namespace_job:minio_s3_requests:rate5m`. It must contain a
   * `:`: by that a primary federates, and a secondary remote-writes, the aggregates and nothing else.
   */
  readonly record: string;

  /** The PromQL expression; select series with the `ISeriesScope` given to `recordingRules`. */
  readonly expr: string;

  /**
   * Labels added to the series, e.g. `{ runtime: 'triton' }`. The `cluster` label is always added.
   *
   * @default - only `cluster`
   */
  readonly labels?: { [key: string]: string };
}

/** Recording rules of one PrometheusRule group. */
export interface RecordingRuleGroup {
  /**
   * The group's name, e.g. `MlopsRuleGroups.PLATFORM`. The rules of every contribution that name one group are one
   * group, in the order of the contributions' keys.
   */
  readonly name: string;

  /** The rules, in the order Prometheus evaluates them: a rule may read a series recorded before it in its group. */
  readonly rules: RecordingRule[];
}

/** An alerting rule of the `mlops.alerts` group. */
export interface AlertRule {
  /** The alert's name, e.g. `MlopsAlerts.MINIO_CAPACITY_LOW`; `addAlertRoute` routes by it. */
  readonly alert: string;

  /** The PromQL condition; select series with the `ISeriesScope` given to `alertRules`. */
  readonly expr: string;

  /**
   * How long `expr` must hold before the alert fires (Prometheus' `for`).
   *
   * @default - the alert fires at the first evaluation where `expr` holds
   */
  readonly forDuration?: Duration;

  /** The `severity` label, e.g. `warning` or `critical`. */
  readonly severity: string;

  /** The `summary` annotation: one line, may use `{{ $labels.x }}` and `{{ $value }}`. */
  readonly summary: string;

  /** The `description` annotation: what happened, where, for how long. */
  readonly description: string;

  /**
   * More labels, e.g. `{ team: 'data' }`.
   *
   * @default - only `severity` (and, when the rules live in a namespace, `namespace` and `target_namespace`)
   */
  readonly labels?: { [key: string]: string };
}

/** The Grafana dashboards a `FederatedPrometheus` creates, by uid. */
export enum MonitoringDashboard {
  /** `MLOps / Model serving`: traffic, latency, errors, replicas and drift per model. */
  MODEL_SERVING = 'mlops-model-serving',
  /** `MLOps / Platform overview`: the scrape targets and the platform's components. */
  PLATFORM = 'mlops-platform',
}

/** How a dashboard panel draws its queries. */
export enum DashboardPanelType {
  /** A graph over time. */
  TIMESERIES = 'timeseries',
  /** The latest value, large. */
  STAT = 'stat',
}

/** One query of a dashboard panel. */
export interface DashboardQuery {
  /**
   * The PromQL query. Dashboards query recorded series only (what a primary federates), in the clusters picked on
   * the dashboard, e.g. `namespace_job:minio_s3_requests:rate5m{cluster=~"$cluster"}`.
   */
  readonly expr: string;

  /** The legend of its series, e.g. `{{cluster}}/{{namespace}} {{job}}`. */
  readonly legend: string;
}

/** One panel of a dashboard row. */
export interface DashboardPanel {
  /** The panel's title. */
  readonly title: string;

  /** The unit of its values, as Grafana names it, e.g. `reqps`, `s`, `bytes`, `percentunit`, `short`. */
  readonly unit: string;

  /** The queries, drawn together. */
  readonly queries: DashboardQuery[];

  /**
   * How the panel draws.
   *
   * @default DashboardPanelType.TIMESERIES
   */
  readonly panelType?: DashboardPanelType;

  /**
   * A description shown on the panel's info icon.
   *
   * @default - none
   */
  readonly description?: string;
}

/** A row of panels on one of the dashboards. */
export interface DashboardRow {
  /** The dashboard the row goes on. */
  readonly dashboard: MonitoringDashboard;

  /** The row's title, e.g. `MinIO`. Rows of one title on one dashboard are one row, their panels in key order. */
  readonly title: string;

  /** The panels, three per line. */
  readonly panels: DashboardPanel[];
}

/**
 * What a component adds to the Prometheus that monitors it: the recording rules that pre-aggregate its metrics, its
 * alerts, and its rows on the dashboards. A scrape target exposes its contributions (`IScrapeTarget.monitoring`),
 * which `FederatedPrometheus.addTargets` registers; `FederatedPrometheus.addMonitoring` registers any other, e.g. those
 * of what the clusters a primary federates run, or your own workload's.
 *
 * A Prometheus renders the rules and rows of its own (its targets' health) first, then those of each contribution in
 * the order of their keys.
 */
export interface IMonitoringContribution {
  /**
   * What the contribution monitors, unique among contributions, e.g. `minio`, `kserve`; prefix your own, e.g.
   * `acme-feature-store`. Lowercase letters, digits, '.' and '-'. A Prometheus registers each key once: every
   * instance of a component contributes the same rules.
   */
  readonly key: string;

  /**
   * The recording rules. Their series carry a `cluster` label; a primary federates them.
   *
   * @param series names the series the expressions select
   */
  recordingRules(series: ISeriesScope): RecordingRuleGroup[];

  /**
   * The alerts, evaluated by the Prometheus of every cluster the contribution is registered with.
   *
   * @param series names the series the expressions select
   * @param thresholds the Prometheus' alert thresholds, with their defaults
   */
  alertRules(series: ISeriesScope, thresholds: ResolvedAlertThresholds): AlertRule[];

  /** The dashboard rows, which query the recorded series. */
  dashboardRows(): DashboardRow[];
}

/**
 * The recorded series of served models, which every serving backend (KServe's runtimes, Seldon) writes with its own
 * recording rules, and which the model alerts and the model-serving dashboard read. Each is labelled `namespace`,
 * `job`, `model` and `runtime` (the predictor series: `namespace` and `inferenceservice`).
 */
export class ModelSeries {
  /** Requests per second over 5 minutes. */
  public static readonly REQUESTS = 'namespace_job_model:inference_requests:rate5m';
  /** Failed requests per second over 5 minutes. */
  public static readonly ERRORS = 'namespace_job_model:inference_request_errors:rate5m';
  /** The share of requests that failed. */
  public static readonly ERROR_RATIO = 'namespace_job_model:inference_request_errors:ratio_rate5m';
  /** A latency quantile in seconds, labelled `quantile` (one of `QUANTILES`). */
  public static readonly LATENCY_QUANTILE = 'namespace_job_model:inference_request_duration_seconds:histogram_quantile';
  /** The mean latency in seconds over 5 minutes. */
  public static readonly LATENCY_MEAN = 'namespace_job_model:inference_request_duration_seconds:mean5m';
  /** The replicas of a predictor that answer scrapes. */
  public static readonly PREDICTOR_REPLICAS_UP = 'namespace_inferenceservice:up:sum';
  /** The replicas of a predictor that Prometheus scrapes. */
  public static readonly PREDICTOR_REPLICAS = 'namespace_inferenceservice:up:count';
  /** The latency quantiles recorded: `0.5`, `0.95`, `0.99`. */
  public static readonly QUANTILES: string[] = ['0.5', '0.95', '0.99'];
  /**
   * The label that names a predictor: `FederatedPrometheus`' monitors copy it from KServe's pod label
   * `serving.kserve.io/inferenceservice`, so that predictor pods are recognisable whatever their runtime.
   */
  public static readonly PREDICTOR_LABEL = 'inferenceservice';

  private constructor() {}
}

/** The recording rule groups of the platform's contributions. */
export class MlopsRuleGroups {
  /** Per-model series: `mlops.models.rules`. */
  public static readonly MODELS = 'mlops.models.rules';
  /** Per-component series: `mlops.platform.rules`. */
  public static readonly PLATFORM = 'mlops.platform.rules';
  /** The alerts: `mlops.alerts`. A recording rule group may not have this name. */
  public static readonly ALERTS = 'mlops.alerts';

  private constructor() {}
}
