import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { driftDetections } from './prometheus-monitoring';
import { AlertRule, DashboardRow, IMonitoringContribution, ISeriesScope, RecordingRuleGroup, ResolvedAlertThresholds } from '../core/monitoring';
import { promDuration, promNumber } from '../core/monitoring-promql';
import { aDuration, aWholeNumber } from '../core/prop-kinds';
import { A_CONSTRUCT, checkArgument, checkProps } from '../core/props-check';

/** When a model is retrained because of drift. */
export interface DriftRetrainRuleOptions {
  /**
   * The alert fires when a model had more drift detections (`model_drifted_total`) than this within `window`.
   *
   * @default 0 - any drift detection
   */
  readonly threshold?: number;

  /**
   * The window the detections are counted over.
   *
   * @default Duration.hours(1)
   */
  readonly window?: Duration;
}

/**
 * The alert `ModelDriftRetrain` (`DriftRetrainRule.ALERT`): a model had more drift detections than `threshold` within
 * `window`. A primary evaluates it over its own models and those of the serving clusters it federates, labelled with
 * their `cluster` and `model`; route it to a `RetrainTrigger` (`MlopsCore.retrainOnDrift` does all three).
 */
export class DriftRetrainRule implements IMonitoringContribution {
  /** The alert's name. */
  public static readonly ALERT = 'ModelDriftRetrain';

  /** Checks `options` on behalf of `scope` (the construct that adds the rule) and makes the rule. */
  public static of(scope: IConstruct, options: DriftRetrainRuleOptions = {}): DriftRetrainRule {
    checkArgument('DriftRetrainRule.of', 'scope', scope, A_CONSTRUCT);
    checkProps(scope, options, {}, {
      threshold: aWholeNumber(0, 0, Infinity, ' (drift detections; 0: any detection), e.g. 3'),
      window: aDuration({ example: 'Duration.hours(1)', atLeast: Duration.minutes(5), reason: 'the detections are counted from a 5-minute rate' }),
    }, 'options');
    return new DriftRetrainRule(options?.threshold ?? 0, options?.window ?? Duration.hours(1));
  }

  public readonly key = 'model-drift-retrain';

  private constructor(
    /** See `DriftRetrainRuleOptions.threshold`. */
    public readonly threshold: number,
    /** See `DriftRetrainRuleOptions.window`. */
    public readonly window: Duration,
  ) {}

  public recordingRules(_series: ISeriesScope): RecordingRuleGroup[] {
    return [];
  }

  public alertRules(series: ISeriesScope, _thresholds: ResolvedAlertThresholds): AlertRule[] {
    const window = promDuration(this.window);
    return [{
      alert: DriftRetrainRule.ALERT,
      expr: `${driftDetections(series, this.window)} > ${promNumber(this.threshold)}`,
      severity: 'warning',
      summary: 'Model {{ $labels.model }} is retrained: it drifted',
      description: 'The drift monitor flagged model {{ $labels.model }} in {{ $labels.namespace }} of cluster {{ $labels.cluster }} about {{ $value }} '
        + `times in the last ${window}, more than ${promNumber(this.threshold)}: its retraining DAG is started.`,
    }];
  }

  public dashboardRows(): DashboardRow[] {
    return [];
  }
}
