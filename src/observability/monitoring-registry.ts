import { IConstruct } from 'constructs';
import { RuleGroupSpec, RuleSpec } from './promql';
import { MlopsValidationError } from '../core/errors';
import {
  AlertRule, DashboardPanel, IMonitoringContribution, ISeriesScope, MlopsRuleGroups, MonitoringDashboard, RecordingRule,
  ResolvedAlertThresholds,
} from '../core/monitoring';
import { promDuration } from '../core/monitoring-promql';

/** A row of a dashboard as rendered: the panels of every contribution that gave a row of its title. */
export interface RenderedRow {
  readonly title: string;
  readonly panels: DashboardPanel[];
}

const KEY = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const ALERT_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DASHBOARDS: string[] = Object.values(MonitoringDashboard);

/**
 * The monitoring contributions one Prometheus renders: its own first, then the registered ones in the order of their
 * keys, each key once. Rendering happens at synth time, so contributions registered after the Prometheus was created
 * count too.
 */
export class MonitoringRegistry {
  private readonly contributions = new Map<string, IMonitoringContribution>();

  constructor(
    private readonly scope: IConstruct,
    private readonly own: IMonitoringContribution,
    private readonly series: ISeriesScope,
    private readonly thresholds: ResolvedAlertThresholds,
  ) {}

  /** Registers `contribution` unless one of its key is registered already; throws when it cannot be rendered. */
  public add(contribution: IMonitoringContribution): void {
    if (contribution.key === this.own.key && contribution !== this.own) {
      throw new MlopsValidationError(this.scope, `addMonitoring: contribution '${contribution.key}' is invalid: its key is that of the `
        + "Prometheus' own rules; give it a key of its own, e.g. 'acme-feature-store'");
    }
    if (contribution.key === this.own.key || this.contributions.has(contribution.key)) {
      return;
    }
    this.check(contribution);
    this.contributions.set(contribution.key, contribution);
  }

  /** The names of the alerts of every contribution registered so far. */
  public alertNames(): string[] {
    return this.ordered().flatMap((contribution) => contribution.alertRules(this.series, this.thresholds).map((rule) => rule.alert));
  }

  /**
   * The recording rule groups (sorted by name; each recorded series labelled with `cluster`), then the alerts. When
   * the rules live in a namespace, each alert's `namespace` label is set to it and the namespace the alert came from
   * is kept in `target_namespace`: the operator adds a `namespace=<its namespace>` matcher to the route of every
   * AlertmanagerConfig, so an alert from another namespace would never reach the routes of `addAlertRoute`.
   */
  public ruleGroups(cluster: string, namespace: string | undefined): RuleGroupSpec[] {
    const recorded = new Map<string, RuleSpec[]>();
    for (const contribution of this.ordered()) {
      for (const group of contribution.recordingRules(this.series)) {
        const rules = recorded.get(group.name) ?? [];
        rules.push(...group.rules.map((rule) => recordingRuleSpec(rule, cluster)));
        recorded.set(group.name, rules);
      }
    }
    const alerts = this.ordered().flatMap((contribution) => contribution.alertRules(this.series, this.thresholds))
      .map((rule) => alertRuleSpec(rule, namespace));
    return [
      ...[...recorded.keys()].sort().map((name) => ({ name, rules: recorded.get(name)! })),
      { name: MlopsRuleGroups.ALERTS, rules: alerts },
    ];
  }

  /** The rows of `dashboard`: rows of one title are one row, their panels in the order of the contributions. */
  public dashboardRows(dashboard: MonitoringDashboard): RenderedRow[] {
    const rows: Array<{ title: string; panels: DashboardPanel[] }> = [];
    for (const contribution of this.ordered()) {
      for (const row of contribution.dashboardRows().filter((candidate) => candidate.dashboard === dashboard)) {
        const existing = rows.find((candidate) => candidate.title === row.title);
        if (existing) {
          existing.panels.push(...row.panels);
        } else {
          rows.push({ title: row.title, panels: [...row.panels] });
        }
      }
    }
    return rows;
  }

  private ordered(): IMonitoringContribution[] {
    const registered = [...this.contributions.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return [this.own, ...registered];
  }

  private check(contribution: IMonitoringContribution): void {
    const problems: string[] = [];
    for (const group of contribution.recordingRules(this.series)) {
      if (group.name.trim() === '' || group.name === MlopsRuleGroups.ALERTS) {
        problems.push(`recording rule group '${group.name}' has a name that is empty or that of the alerts' group`);
      }
      for (const rule of group.rules) {
        if (!METRIC_NAME.test(rule.record) || !rule.record.includes(':')) {
          problems.push(`recording rule '${rule.record}' records a series whose name is not a metric name with a ':' `
            + '(only such series are federated), e.g. namespace_job:my_metric:rate5m');
        }
        if (rule.expr.trim() === '') {
          problems.push(`recording rule '${rule.record}' has an empty expr`);
        }
      }
    }
    for (const rule of contribution.alertRules(this.series, this.thresholds)) {
      if (!ALERT_NAME.test(rule.alert)) {
        problems.push(`alert '${rule.alert}' has a name that is not letters, digits and '_', e.g. FeatureStoreDown`);
      }
      if (rule.expr.trim() === '') {
        problems.push(`alert '${rule.alert}' has an empty expr`);
      }
    }
    for (const row of contribution.dashboardRows()) {
      if (!DASHBOARDS.includes(row.dashboard)) {
        problems.push(`row '${row.title}' is for dashboard '${row.dashboard}', which does not exist (dashboards: ${DASHBOARDS.join(', ')})`);
      }
      for (const panel of row.panels.filter((candidate) => candidate.queries.length === 0)) {
        problems.push(`panel '${panel.title}' of row '${row.title}' has no queries`);
      }
    }
    if (!KEY.test(contribution.key)) {
      problems.unshift("its key is not lowercase letters, digits, '.' and '-' (starting and ending with a letter or digit)");
    }
    if (problems.length > 0) {
      throw new MlopsValidationError(this.scope, `addMonitoring: contribution '${contribution.key}' is invalid: ${problems.join('; ')}`);
    }
  }
}

function recordingRuleSpec(rule: RecordingRule, cluster: string): RuleSpec {
  return { record: rule.record, expr: rule.expr, labels: { ...rule.labels, cluster } };
}

function alertRuleSpec(rule: AlertRule, namespace: string | undefined): RuleSpec {
  const labels = { ...rule.labels, severity: rule.severity };
  return {
    alert: rule.alert,
    expr: rule.expr,
    for: rule.forDuration ? promDuration(rule.forDuration) : undefined,
    labels: namespace === undefined ? labels : { ...labels, namespace, target_namespace: '{{ $labels.namespace }}' },
    annotations: { summary: rule.summary, description: rule.description },
  };
}
