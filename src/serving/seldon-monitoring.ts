import {
  AlertRule, DashboardRow, IMonitoringContribution, ISeriesScope, MlopsRuleGroups, ModelSeries, MonitoringDashboard, RecordingRuleGroup,
} from '../core/monitoring';
import { dashboardPanel, inPickedClusters, recordingRule } from '../core/monitoring-promql';

/**
 * Seldon's agents (one beside each server container, port `metrics`) count inference calls per model as clients name
 * it, labelled `server`, `server_replica`, `model`, `model_internal`, `method_type` and `code` (an HTTP status or a
 * gRPC code name); their latency histogram has no model label (scheduler/pkg/metrics/agent.go @v2.6.0).
 */
export const SELDON_AGENT = {
  inferTotal: 'seldon_model_infer_total',
  inferSecondsTotal: 'seldon_model_infer_seconds_total',
  loadedModels: 'seldon_loaded_model_gauge',
} as const;

/** The pipeline gateway counts calls per pipeline, labelled `server`, `pipeline`, `method_type`, `code` (gateway.go @v2.6.0). */
export const SELDON_PIPELINE_GATEWAY = {
  inferTotal: 'seldon_pipeline_infer_total',
} as const;

/** Every raw metric the rules below read. */
export const SELDON_METRIC_NAMES: readonly string[] = [...Object.values(SELDON_AGENT), ...Object.values(SELDON_PIPELINE_GATEWAY)];

/** The recorded series of Seldon's pipelines and servers, beside the shared `ModelSeries`. */
export const SeldonSeries = {
  PIPELINE_REQUESTS: 'namespace_job_pipeline:seldon_pipeline_infer_requests:rate5m',
  PIPELINE_ERRORS: 'namespace_job_pipeline:seldon_pipeline_infer_errors:rate5m',
  LOADED_MODELS: 'namespace_server:seldon_loaded_models:sum',
} as const;

/** A call that did not succeed: neither an HTTP 2xx nor gRPC `OK`. */
const FAILED = 'code!~"2..|OK"';
const BY_MODEL = 'namespace, job, model';
const BY_PIPELINE = 'namespace, job, pipeline';

/**
 * Seldon Core v2: requests, errors and mean latency per model from the agents into the shared `ModelSeries`
 * (`runtime="seldon"`, whatever server runs the model), requests and errors per pipeline, models loaded per server,
 * and a Seldon row on the model-serving dashboard.
 */
class SeldonMonitoring implements IMonitoringContribution {
  public readonly key = 'seldon';

  public recordingRules(series: ISeriesScope): RecordingRuleGroup[] {
    const sumRate = (metric: string, by: string, matchers?: string) => `sum by (${by}) (rate(${series.raw(metric, matchers)}[5m]))`;
    const seldon = { runtime: 'seldon' };
    const requests = sumRate(SELDON_AGENT.inferTotal, BY_MODEL);
    const pipelineRequests = sumRate(SELDON_PIPELINE_GATEWAY.inferTotal, BY_PIPELINE);
    return [
      {
        name: MlopsRuleGroups.MODELS,
        rules: [
          recordingRule(ModelSeries.REQUESTS, requests, seldon),
          // Failures are series of their own `code`: a model without any counts 0, not nothing.
          recordingRule(ModelSeries.ERRORS, `${sumRate(SELDON_AGENT.inferTotal, BY_MODEL, FAILED)} or ${requests} * 0`, seldon),
          recordingRule(ModelSeries.LATENCY_MEAN, `${sumRate(SELDON_AGENT.inferSecondsTotal, BY_MODEL)} / (${requests} > 0)`, seldon),
        ],
      },
      {
        name: MlopsRuleGroups.PLATFORM,
        rules: [
          recordingRule(SeldonSeries.PIPELINE_REQUESTS, pipelineRequests),
          recordingRule(SeldonSeries.PIPELINE_ERRORS,
            `${sumRate(SELDON_PIPELINE_GATEWAY.inferTotal, BY_PIPELINE, FAILED)} or ${pipelineRequests} * 0`),
          recordingRule(SeldonSeries.LOADED_MODELS, `sum by (namespace, server) (${series.raw(SELDON_AGENT.loadedModels)})`),
        ],
      },
    ];
  }

  public alertRules(): AlertRule[] {
    return [];
  }

  public dashboardRows(): DashboardRow[] {
    const pipelineLegend = '{{cluster}}/{{namespace}} {{pipeline}}';
    return [{
      dashboard: MonitoringDashboard.MODEL_SERVING,
      title: 'Seldon pipelines and servers',
      panels: [
        dashboardPanel('Pipeline requests per second', 'reqps', [[inPickedClusters(SeldonSeries.PIPELINE_REQUESTS), pipelineLegend]]),
        dashboardPanel('Failed pipeline requests per second', 'reqps', [[inPickedClusters(SeldonSeries.PIPELINE_ERRORS), pipelineLegend]]),
        dashboardPanel('Models loaded per server', 'short', [[inPickedClusters(SeldonSeries.LOADED_MODELS), '{{cluster}}/{{namespace}} {{server}}']]),
      ],
    }];
  }
}

/** The contribution of every Seldon runtime and its models, after `MODEL_SERVING_MONITORING` (`SeldonRuntime.monitoring`). */
export const SELDON_MONITORING: IMonitoringContribution = new SeldonMonitoring();
