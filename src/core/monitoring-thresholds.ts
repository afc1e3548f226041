import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';

/** The thresholds of the alerts `FederatedPrometheus` defines. */
export interface AlertThresholds {
  /**
   * `ModelHighErrorRatio` fires when more than this share of a model's requests fail, for 10 minutes (MLServer and
   * Triton count failures; KServe's Python servers do not).
   *
   * @default 0.05
   */
  readonly modelErrorRatio?: number;

  /**
   * `ModelHighLatency` fires when a model's p95 latency (the mean latency for Triton, which has no histogram) stays
   * above this for 10 minutes.
   *
   * @default Duration.seconds(1)
   */
  readonly modelLatencyP95?: Duration;

  /**
   * `ModelDrifted` fires when `model_drifted_total` grew by more than this within `modelDriftWindow`.
   *
   * @default 0 - any drift detection
   */
  readonly modelDriftCount?: number;

  /**
   * The window `modelDriftCount` is counted over.
   *
   * @default Duration.hours(1)
   */
  readonly modelDriftWindow?: Duration;

  /**
   * `AirflowDagRunFailed` fires when a DAG has more failed runs than this within the last hour.
   *
   * @default 0 - any failed run
   */
  readonly airflowDagRunFailures?: number;

  /**
   * `AirflowSchedulerHeartbeatMissing` fires when the scheduler sent no heartbeat for this long.
   *
   * @default Duration.minutes(5)
   */
  readonly airflowSchedulerHeartbeatMissingFor?: Duration;

  /**
   * `MinioCapacityLow` fires when less than this share of MinIO's usable capacity is free, for 15 minutes.
   *
   * @default 0.1
   */
  readonly minioFreeCapacityRatio?: number;
}

/**
 * `AlertThresholds` with every default filled in and checked: what the alerts of a monitoring contribution read
 * (`IMonitoringContribution.alertRules`).
 */
export class ResolvedAlertThresholds {
  /**
   * The thresholds of `thresholds`, each missing one at its default. Throws, naming `scope`, on a value the alerts
   * cannot use (a share outside 0..1, a count that is not a whole number, a duration of 0).
   */
  public static resolve(scope: IConstruct, thresholds?: AlertThresholds): ResolvedAlertThresholds {
    return new ResolvedAlertThresholds(scope, thresholds ?? {});
  }

  /** See `AlertThresholds.modelErrorRatio`. */
  public readonly modelErrorRatio: number;
  /** See `AlertThresholds.modelLatencyP95`. */
  public readonly modelLatencyP95: Duration;
  /** See `AlertThresholds.modelDriftCount`. */
  public readonly modelDriftCount: number;
  /** See `AlertThresholds.modelDriftWindow`. */
  public readonly modelDriftWindow: Duration;
  /** See `AlertThresholds.airflowDagRunFailures`. */
  public readonly airflowDagRunFailures: number;
  /** See `AlertThresholds.airflowSchedulerHeartbeatMissingFor`. */
  public readonly airflowSchedulerHeartbeatMissingFor: Duration;
  /** See `AlertThresholds.minioFreeCapacityRatio`. */
  public readonly minioFreeCapacityRatio: number;

  private constructor(scope: IConstruct, thresholds: AlertThresholds) {
    this.modelErrorRatio = thresholds.modelErrorRatio ?? 0.05;
    this.modelLatencyP95 = thresholds.modelLatencyP95 ?? Duration.seconds(1);
    this.modelDriftCount = thresholds.modelDriftCount ?? 0;
    this.modelDriftWindow = thresholds.modelDriftWindow ?? Duration.hours(1);
    this.airflowDagRunFailures = thresholds.airflowDagRunFailures ?? 0;
    this.airflowSchedulerHeartbeatMissingFor = thresholds.airflowSchedulerHeartbeatMissingFor ?? Duration.minutes(5);
    this.minioFreeCapacityRatio = thresholds.minioFreeCapacityRatio ?? 0.1;

    for (const name of ['modelErrorRatio', 'minioFreeCapacityRatio'] as const) {
      const value = this[name];
      if (!(value > 0 && value < 1)) {
        throw new MlopsValidationError(scope, `alertThresholds.${name} ${value} is invalid: it is a share of requests or capacity; `
          + 'give a number between 0 and 1, e.g. 0.05');
      }
    }
    for (const name of ['modelDriftCount', 'airflowDagRunFailures'] as const) {
      const value = this[name];
      if (!(Number.isInteger(value) && value >= 0)) {
        throw new MlopsValidationError(scope, `alertThresholds.${name} ${value} is invalid: it counts events; give a whole number, 0 or more`);
      }
    }
    for (const name of ['modelLatencyP95', 'modelDriftWindow', 'airflowSchedulerHeartbeatMissingFor'] as const) {
      if (this[name].toMilliseconds() <= 0) {
        throw new MlopsValidationError(scope, `alertThresholds.${name} is invalid: it must be longer than 0`);
      }
    }
  }
}

/** The names of the alerts the platform's components define, for `addAlertRoute({ alerts: [...] })`. */
export class MlopsAlerts {
  /** A model's error ratio is above `AlertThresholds.modelErrorRatio`. */
  public static readonly MODEL_HIGH_ERROR_RATIO = 'ModelHighErrorRatio';
  /** A model's p95 latency (its mean, for runtimes that record no quantiles) is above `AlertThresholds.modelLatencyP95`. */
  public static readonly MODEL_HIGH_LATENCY = 'ModelHighLatency';
  /** Every replica of a KServe predictor is down or unreachable. */
  public static readonly MODEL_PREDICTOR_DOWN = 'ModelPredictorDown';
  /** `model_drifted_total` grew by more than `AlertThresholds.modelDriftCount`: the trigger for retraining. */
  public static readonly MODEL_DRIFTED = 'ModelDrifted';
  /** A scrape target (a pod behind a monitor, or a federated cluster) is down. */
  public static readonly SCRAPE_TARGET_DOWN = 'ScrapeTargetDown';
  /** A DAG run failed. */
  public static readonly AIRFLOW_DAG_RUN_FAILED = 'AirflowDagRunFailed';
  /** The Airflow scheduler stopped sending heartbeats. */
  public static readonly AIRFLOW_SCHEDULER_HEARTBEAT_MISSING = 'AirflowSchedulerHeartbeatMissing';
  /** MinIO's free usable capacity is below `AlertThresholds.minioFreeCapacityRatio`. */
  public static readonly MINIO_CAPACITY_LOW = 'MinioCapacityLow';
  /** The exporter of a Postgres, Mysql or Redis answers, but cannot reach its server. */
  public static readonly DATABASE_DOWN = 'DatabaseDown';

  /** Every alert name above. */
  public static readonly ALL: string[] = [
    MlopsAlerts.MODEL_HIGH_ERROR_RATIO, MlopsAlerts.MODEL_HIGH_LATENCY, MlopsAlerts.MODEL_PREDICTOR_DOWN,
    MlopsAlerts.MODEL_DRIFTED, MlopsAlerts.SCRAPE_TARGET_DOWN, MlopsAlerts.AIRFLOW_DAG_RUN_FAILED,
    MlopsAlerts.AIRFLOW_SCHEDULER_HEARTBEAT_MISSING, MlopsAlerts.MINIO_CAPACITY_LOW, MlopsAlerts.DATABASE_DOWN,
  ];

  private constructor() {}
}
