import { Duration } from 'cdk8s';
import {
  AlertRule, DashboardRow, IMonitoringContribution, ISeriesScope, MlopsAlerts, MlopsRuleGroups, ModelSeries, MonitoringDashboard,
  RecordingRule, RecordingRuleGroup,
} from '../core/monitoring';
import { dashboardPanel, inPickedClusters, plusMaybeMissing, recordingRule } from '../core/monitoring-promql';

/**
 * KServe's Python model servers (the `kserve-sklearnserver`, `-xgbserver`, `-lgbserver`, `-pmmlserver` runtimes and
 * custom predictors): one histogram per step, labelled `model_name` (kserve/kserve `python/kserve/kserve/metrics.py`;
 * kserve/website `docs/modelserving/observability/prometheus_metrics.md`). No failure counter.
 */
export const KSERVE = {
  predictBucket: 'request_predict_seconds_bucket',
  predictSum: 'request_predict_seconds_sum',
  predictCount: 'request_predict_seconds_count',
} as const;

/** The label KServe's Python model servers name the model with. */
export const KSERVE_MODEL_LABEL = 'model_name';

/**
 * MLServer (the `kserve-mlserver` runtime): counters and a summary labelled `model`, `version`, and the REST server's
 * histogram labelled `method`, `path` (templated, e.g. `/v2/models/{model_name}/infer`), `status_code` (SeldonIO/MLServer
 * `docs/user-guide/metrics.md` and `mlserver/handlers/dataplane.py`). The failure counter only appears after the first
 * failure.
 */
export const MLSERVER = {
  success: 'model_infer_request_success_total',
  failure: 'model_infer_request_failure_total',
  durationSum: 'model_infer_request_duration_sum',
  durationCount: 'model_infer_request_duration_count',
  restDurationBucket: 'rest_server_request_duration_seconds_bucket',
} as const;

/**
 * NVIDIA Triton (the `kserve-tritonserver` runtime): counters without a `_total` suffix, labelled `model`, `version`
 * (and `reason` on failures); the request duration is a cumulative counter in microseconds
 * (triton-inference-server/server `docs/user_guide/metrics.md`, "Inference Request Metrics").
 */
export const TRITON = {
  success: 'nv_inference_request_success',
  failure: 'nv_inference_request_failure',
  durationUs: 'nv_inference_request_duration_us',
} as const;

/**
 * Every scrape target, from Prometheus itself: 1 when its last scrape succeeded. The monitors label predictor pods
 * with `ModelSeries.PREDICTOR_LABEL`, so `up` counts a predictor's replicas.
 */
export const PREDICTOR_UP = 'up';

/** Every raw metric the rules below read. */
export const KSERVE_METRIC_NAMES: readonly string[] = [
  ...Object.values(KSERVE), ...Object.values(MLSERVER), ...Object.values(TRITON), PREDICTOR_UP,
];

const BY_MODEL = 'namespace, job, model';

/**
 * The predictors of KServe (its Python servers, MLServer, Triton): requests, errors and latency per model into the
 * shared `ModelSeries` (`runtime` tells the runtimes apart), the replicas per predictor, the predictor alert and the
 * Predictors row of the model-serving dashboard. The error ratio, the model alerts and the Traffic and Latency rows
 * are every backend's (`MODEL_SERVING_MONITORING`).
 */
class KserveMonitoring implements IMonitoringContribution {
  public readonly key = 'kserve';

  public recordingRules(series: ISeriesScope): RecordingRuleGroup[] {
    const predictorUp = series.raw(PREDICTOR_UP, `${ModelSeries.PREDICTOR_LABEL}!=""`);
    const byPredictor = `namespace, ${ModelSeries.PREDICTOR_LABEL}`;
    return [
      { name: MlopsRuleGroups.MODELS, rules: this.modelRules(series) },
      {
        name: MlopsRuleGroups.PLATFORM,
        rules: [
          recordingRule(ModelSeries.PREDICTOR_REPLICAS_UP, `sum by (${byPredictor}) (${predictorUp})`),
          recordingRule(ModelSeries.PREDICTOR_REPLICAS, `count by (${byPredictor}) (${predictorUp})`),
        ],
      },
    ];
  }

  public alertRules(series: ISeriesScope): AlertRule[] {
    return [
      {
        alert: MlopsAlerts.MODEL_PREDICTOR_DOWN,
        expr: `${series.recorded(ModelSeries.PREDICTOR_REPLICAS_UP)} == 0`,
        forDuration: Duration.minutes(5),
        severity: 'critical',
        summary: 'Predictor {{ $labels.inferenceservice }} is down',
        description: 'No replica of InferenceService {{ $labels.inferenceservice }} in {{ $labels.namespace }} answers scrapes.',
      },
    ];
  }

  public dashboardRows(): DashboardRow[] {
    const dashboard = MonitoringDashboard.MODEL_SERVING;
    return [
      {
        dashboard,
        title: 'Predictors',
        panels: [
          dashboardPanel('Replicas per predictor', 'short', [
            [inPickedClusters(ModelSeries.PREDICTOR_REPLICAS_UP), '{{cluster}}/{{namespace}} {{inferenceservice}} up'],
            [inPickedClusters(ModelSeries.PREDICTOR_REPLICAS), '{{cluster}}/{{namespace}} {{inferenceservice}} scraped'],
          ]),
        ],
      },
    ];
  }

  /** Requests, errors and latency per model, for each runtime; `runtime` tells them apart. */
  private modelRules(series: ISeriesScope): RecordingRule[] {
    const sumRate = (metric: string, matchers?: string) => `sum by (${BY_MODEL}) (rate(${series.raw(metric, matchers)}[5m]))`;
    // KServe's Python servers name the model `model_name`; the other runtimes, and these rules, `model`.
    const kserveRate = (metric: string) => `label_replace(rate(${series.raw(metric)}[5m]), "model", "$1", "${KSERVE_MODEL_LABEL}", "(.+)")`;
    const kserve = { runtime: 'kserve' };
    const mlserver = { runtime: 'mlserver' };
    const triton = { runtime: 'triton' };
    const rules: RecordingRule[] = [
      recordingRule(ModelSeries.REQUESTS, `sum by (${BY_MODEL}) (${kserveRate(KSERVE.predictCount)})`, kserve),
      recordingRule(ModelSeries.REQUESTS, plusMaybeMissing(sumRate(MLSERVER.success), sumRate(MLSERVER.failure)), mlserver),
      recordingRule(ModelSeries.REQUESTS, plusMaybeMissing(sumRate(TRITON.success), sumRate(TRITON.failure)), triton),
      recordingRule(ModelSeries.ERRORS, sumRate(MLSERVER.failure), mlserver),
      recordingRule(ModelSeries.ERRORS, sumRate(TRITON.failure), triton),
    ];
    for (const quantile of ModelSeries.QUANTILES) {
      rules.push(recordingRule(ModelSeries.LATENCY_QUANTILE,
        `histogram_quantile(${quantile}, sum by (${BY_MODEL}, le) (${kserveRate(KSERVE.predictBucket)}))`, { ...kserve, quantile }));
      // MLServer's latency histogram is per REST route, without the model: in KServe one predictor serves one model,
      // named after the InferenceService, which the monitors copy into `inferenceservice`.
      rules.push(recordingRule(ModelSeries.LATENCY_QUANTILE,
        `histogram_quantile(${quantile}, sum by (${BY_MODEL}, le) (label_replace(rate(${series.raw(MLSERVER.restDurationBucket, 'path=~".*/infer"')}[5m]), `
        + `"model", "$1", "${ModelSeries.PREDICTOR_LABEL}", "(.+)")))`, { ...mlserver, quantile }));
    }
    rules.push(
      recordingRule(ModelSeries.LATENCY_MEAN,
        `sum by (${BY_MODEL}) (${kserveRate(KSERVE.predictSum)}) / (sum by (${BY_MODEL}) (${kserveRate(KSERVE.predictCount)}) > 0)`, kserve),
      recordingRule(ModelSeries.LATENCY_MEAN, `${sumRate(MLSERVER.durationSum)} / (${sumRate(MLSERVER.durationCount)} > 0)`, mlserver),
      recordingRule(ModelSeries.LATENCY_MEAN,
        `${sumRate(TRITON.durationUs)} / 1e6 / on (${BY_MODEL}) (${series.recorded(ModelSeries.REQUESTS, 'runtime="triton"')} > 0)`, triton),
    );
    return rules;
  }
}

/** The contribution of every KServe predictor, after `MODEL_SERVING_MONITORING` (`KservePredictor.monitoring`). */
export const KSERVE_MONITORING: IMonitoringContribution = new KserveMonitoring();
