import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GrafanaDashboardOptions } from './dashboard-options';
import { RenderedRow } from './monitoring-registry';
import { DashboardPanel, DashboardPanelType, MonitoringDashboard } from '../core/monitoring';

/** A dashboard: its identity and cluster picker; its rows come from the monitoring contributions. */
export interface DashboardSpec {
  readonly uid: MonitoringDashboard;
  readonly title: string;
  readonly description: string;
  readonly tags: string[];
  /** A series whose `cluster` label values fill the cluster picker. */
  readonly clusterSeries: string;
}

/** The Grafana JSON schema version the dashboards are written in (Grafana 10.4/11). */
export const SCHEMA_VERSION = 39;
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const WIDTH = 24;
const PANEL_HEIGHT = 8;
const PANELS_PER_LINE = 3;

/** Grafana's dashboard JSON for `spec`: a data source picker, a cluster picker, and the panels laid out in `rows`. */
export function dashboardJson(spec: DashboardSpec, rows: RenderedRow[]): Record<string, unknown> {
  const panels: Array<Record<string, unknown>> = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: WIDTH, x: 0, y }, panels: [] });
    y += 1;
    const width = WIDTH / Math.min(row.panels.length, PANELS_PER_LINE);
    row.panels.forEach((panel, index) => {
      const gridPos = { h: PANEL_HEIGHT, w: width, x: (index % PANELS_PER_LINE) * width, y: y + Math.floor(index / PANELS_PER_LINE) * PANEL_HEIGHT };
      panels.push(panelJson(panel, id++, gridPos));
    });
    y += Math.ceil(row.panels.length / PANELS_PER_LINE) * PANEL_HEIGHT;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: spec.tags,
    editable: true,
    graphTooltip: 1,
    refresh: '1m',
    schemaVersion: SCHEMA_VERSION,
    time: { from: 'now-6h', to: 'now' },
    timezone: 'browser',
    version: 1,
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        {
          name: 'cluster',
          label: 'Cluster',
          type: 'query',
          datasource: DATASOURCE,
          definition: `label_values(${spec.clusterSeries}, cluster)`,
          query: { query: `label_values(${spec.clusterSeries}, cluster)`, refId: 'cluster' },
          includeAll: true,
          allValue: '.*',
          multi: true,
          refresh: 2,
          current: {},
          hide: 0,
        },
      ],
    },
    annotations: { list: [] },
    panels,
  };
}

function panelJson(panel: DashboardPanel, id: number, gridPos: Record<string, number>): Record<string, unknown> {
  const type = panel.panelType ?? DashboardPanelType.TIMESERIES;
  return {
    id,
    type,
    title: panel.title,
    description: panel.description ?? '',
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
    options: type === DashboardPanelType.STAT
      ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area' }
      : { legend: { displayMode: 'table', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
    targets: panel.queries.map((query, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource: DATASOURCE,
      expr: query.expr,
      legendFormat: query.legend,
      range: true,
    })),
  };
}

/** Options with their defaults. */
export function resolveDashboardOptions(options: GrafanaDashboardOptions = {}): Required<Omit<GrafanaDashboardOptions, 'namespace'>> & { namespace?: string } {
  return {
    enabled: options.enabled ?? true,
    label: options.label ?? 'grafana_dashboard',
    labelValue: options.labelValue ?? '1',
    folder: options.folder ?? 'MLOps',
    namespace: options.namespace,
  };
}

/**
 * A ConfigMap holding one dashboard as `<uid>.json`, labelled for the sidecar and annotated with the folder. Its rows
 * are rendered at synth time.
 */
export function createDashboardConfigMap(
  scope: Construct, id: string, spec: DashboardSpec, rows: () => RenderedRow[],
  options: ReturnType<typeof resolveDashboardOptions>, labels: Record<string, string>,
): kplus.ConfigMap {
  return new kplus.ConfigMap(scope, id, {
    metadata: {
      namespace: options.namespace,
      labels: { ...labels, [options.label]: options.labelValue },
      annotations: { 'k8s-sidecar-target-directory': options.folder },
    },
    data: { [`${spec.uid}.json`]: Lazy.any({ produce: () => JSON.stringify(dashboardJson(spec, rows()), undefined, 2) }) },
  });
}
