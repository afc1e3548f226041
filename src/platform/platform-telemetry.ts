import { Chart, Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformLogsOptions } from './mlops-core-props';
import { checkUserCredentials } from './platform-credentials';
import { PlatformProfile } from './platform-profile';
import { RetrainOnDriftOptions } from './retrain-on-drift-options';
import { MlopsValidationError } from '../core/errors';
import { dnsLabelProblems } from '../core/names';
import { A_SECRET_SOURCE, aDuration } from '../core/prop-kinds';
import { aString, checkProps } from '../core/props-check';
import { ServerTls } from '../core/tls';
import { VolumeRetention } from '../core/volume-retention';
import { Alertmanager } from '../observability/alertmanager';
import { DriftRetrainRule } from '../observability/drift-retrain-rule';
import { FederatedPrometheus } from '../observability/federated-prometheus';
import { GrafanaDataSource } from '../observability/grafana-props';
import { GitSyncAirflow } from '../orchestration/git-sync-airflow';
import { JaegerTraceStore } from '../telemetry/jaeger-trace-store';
import { LogOutput } from '../telemetry/log-output';
import { LokiLogStore } from '../telemetry/loki-log-store';
import { NodeLogShipper } from '../telemetry/node-log-shipper';
import { OtelCollector } from '../telemetry/otel-collector';
import { RetrainTrigger } from '../telemetry/retrain-trigger';

const RETRAIN_ID = 'RetrainOnDrift';

/**
 * The platform's Alertmanager: it merges the AlertmanagerConfigs `prometheus` labels its routes with, receives its
 * alerts and is scraped by it, over https with `tls`. With profile production two replicas form a gossip cluster.
 */
export function addPlatformAlertmanager(scope: Construct, prometheus: FederatedPrometheus, profile: PlatformProfile,
  route: { readonly routePrefix?: string; readonly externalUrl?: string }, tls: ServerTls | undefined,
  volumeRetention: VolumeRetention | undefined): Alertmanager {
  const alertmanager = new Alertmanager(scope, 'Alertmanager', {
    configLabels: prometheus.monitorLabels,
    replicas: profile.isProduction ? 2 : 1,
    tls,
    volumeRetention,
    ...route,
  });
  prometheus.addAlertmanager(alertmanager.alertmanagerEndpoint);
  alertmanager.allowFrom(prometheus.pods);
  prometheus.addTargets(alertmanager);
  return alertmanager;
}

/** What `retrainOnDrift` wires. */
export interface RetrainOnDriftContext {
  readonly scope: Construct;
  readonly profile: PlatformProfile;
  readonly airflow: GitSyncAirflow;
  readonly prometheus?: FederatedPrometheus;
  readonly alertmanager?: Alertmanager;
  readonly tracing?: OtelCollector;
}

/**
 * The drift → retrain loop: the `ModelDriftRetrain` rule on the platform's Prometheus, its route to a `RetrainTrigger`
 * through the platform's Alertmanager, and the trigger, which starts `options.dag` per model.
 */
export function wireRetrainOnDrift(context: RetrainOnDriftContext, options: RetrainOnDriftOptions): RetrainTrigger {
  const { scope, prometheus, alertmanager } = context;
  checkProps(scope, options, { dag: aString("'retrain'") }, {
    cooldown: aDuration({ example: 'Duration.hours(1)', atLeast: Duration.seconds(1) }),
    password: A_SECRET_SOURCE,
  }, 'options');
  const fail = (message: string) => new MlopsValidationError(scope, `retrainOnDrift: ${message}`);
  if (!prometheus || !alertmanager) {
    throw fail('there is no Prometheus to evaluate the drift rule (monitoring is off); turn monitoring on');
  }
  if (scope.node.tryFindChild(RETRAIN_ID)) {
    throw fail('it was called before: one trigger retrains every model; call it once');
  }
  checkUserCredentials(scope, context.profile, options.password, {
    context: 'retrainOnDrift',
    what: "options.password (the trigger's Airflow user)",
  });
  const rule = DriftRetrainRule.of(scope, options);
  const trigger = new RetrainTrigger(scope, RETRAIN_ID, {
    airflow: context.airflow,
    dags: { [DriftRetrainRule.ALERT]: options.dag },
    cooldown: options.cooldown,
    password: options.password,
    tracing: context.tracing,
  });
  prometheus.addMonitoring(rule);
  prometheus.addAlertRoute('retrain-on-drift', {
    alerts: [DriftRetrainRule.ALERT],
    webhookUrl: trigger.webhookUrl,
    sendResolved: false,
    groupBy: ['alertname', 'cluster', 'target_namespace', 'model'],
  });
  trigger.allowFrom(alertmanager.pods);
  prometheus.addTargets(trigger);
  return trigger;
}

/** The platform's trace pipeline. */
export interface PlatformTracing {
  readonly collector: OtelCollector;
  readonly traces: JaegerTraceStore;
}

/**
 * A Jaeger trace store and an OpenTelemetry Collector exporting to it, Airflow's traces pointed at the collector,
 * and both scraped by `prometheus`; the UI under `basePath` behind an Ingress. Dev keeps 3 days of traces on 5Gi,
 * production 7 days on 10Gi.
 */
export function addPlatformTracing(scope: Construct, profile: PlatformProfile, airflow: GitSyncAirflow,
  prometheus: FederatedPrometheus | undefined, basePath: string | undefined, volumeRetention: VolumeRetention | undefined): PlatformTracing {
  const traces = new JaegerTraceStore(scope, 'Traces', {
    basePath,
    volumeRetention,
    ...(profile.isProduction ? {} : { retention: Duration.days(3), storageSize: Size.gibibytes(5) }),
  });
  const collector = new OtelCollector(scope, 'Collector', { traceStore: traces, replicas: profile.isProduction ? 2 : 1 });
  airflow.useTracing(collector);
  prometheus?.addTargets(collector, traces);
  return { collector, traces };
}

/** Jaeger as a Grafana data source. */
export function jaegerDataSource(traces: JaegerTraceStore): GrafanaDataSource {
  return { name: 'Jaeger', type: 'jaeger', uid: 'jaeger', url: traces.queryUrl };
}

/** The platform's log pipeline. */
export interface PlatformLogs {
  readonly store: LokiLogStore;
  readonly shipper: NodeLogShipper;
}

/**
 * A Loki in the platform's namespace and the node log shipper in a sibling chart whose namespace enforces Pod
 * Security `privileged`; Prometheus scrapes Loki.
 */
export function addPlatformLogs(scope: Construct, profile: PlatformProfile, options: PlatformLogsOptions,
  prometheus: FederatedPrometheus | undefined, volumeRetention: VolumeRetention | undefined): PlatformLogs {
  const chart = Chart.of(scope);
  const namespace = options.shipperNamespace ?? `${chart.namespace}-logs`;
  const problems = dnsLabelProblems(namespace);
  if (problems.length > 0 || namespace === chart.namespace) {
    throw new MlopsValidationError(scope, `logs.shipperNamespace '${namespace}' is invalid: ${problems.length > 0 ? problems.join('; ') : "it is the platform's namespace"}; `
      + `the shipper needs a namespace of its own that enforces Pod Security privileged, e.g. '${chart.namespace}-logs'`);
  }
  const store = new LokiLogStore(scope, 'Logs', {
    retention: options.retention ?? (profile.isProduction ? undefined : Duration.days(3)),
    volumeRetention,
    ...(profile.isProduction ? {} : { storageSize: Size.gibibytes(5) }),
  });
  const shipperChart = new Chart(chart.node.scope!, namespace, { namespace });
  const shipper = new NodeLogShipper(shipperChart, 'LogShipper', { output: LogOutput.loki(store) });
  prometheus?.addTargets(store);
  return { store, shipper };
}

/** Loki as a Grafana data source. */
export function lokiDataSource(store: LokiLogStore): GrafanaDataSource {
  return { name: 'Loki', type: 'loki', uid: 'loki', url: store.endpoint.url() };
}
