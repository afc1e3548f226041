import { ApiObject, Chart, Duration, JsonPatch, Lazy, Names, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AlertRouteOptions } from './alert-route';
import { createAlertRoute } from './alertmanager-config';
import { AlertmanagerEndpoint, FederatedPrometheusProps, PrometheusRole } from './federated-prometheus-props';
import { FederatedClusterOptions, RemoteWriteOptions } from './federation';
import { createFederationScrapeConfig, remoteWriteSpec } from './federation-config';
import { createDashboardConfigMap, DashboardSpec, resolveDashboardOptions } from './grafana-dashboard';
import { MODEL_SERVING_DASHBOARD, PLATFORM_DASHBOARD } from './mlops-dashboards';
import { MonitoringRegistry } from './monitoring-registry';
import { MODEL_DRIFT_MONITORING, PROMETHEUS_MONITORING } from './prometheus-monitoring';
import { prometheusResources, versionOf } from './prometheus-spec';
import { SeriesScope } from './promql';
import { assertValidSpec, createMonitor, targetNamespace } from './scrape-monitors';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { defaultImage } from '../core/image-registry';
import { DefaultImages } from '../core/images';
import { componentLabels } from '../core/labels';
import { IMonitoringContribution, ResolvedAlertThresholds } from '../core/monitoring';
import { promDuration } from '../core/monitoring-promql';
import { assertDnsLabel, assertLabels } from '../core/names';
import { aDnsLabel, aDuration, aPromql, aRegex, aSize, aUrl, aWholeNumber } from '../core/prop-kinds';
import { aListOf, anImage, anImplementationOf, anInstanceOf, aString, checkArgument, checkProps } from '../core/props-check';
import { sizeQuantity } from '../core/quantities';
import { IScrapeTarget, ScrapeTargetSpec } from '../core/scrape-target';
import { restrictedPodSecurityContext } from '../core/security';
import { addServerCertificate, TLS_CERT_KEY, TLS_KEY_KEY } from '../core/server-certificate';
import { A_SERVER_TLS } from '../core/tls';
import { TrustBundle } from '../core/trust-bundle';
import { A_VOLUME_RETENTION, VolumeRetention } from '../core/volume-retention';
import { A_PLACEMENT } from '../core/workload-placement';
import {
  Prometheus, PrometheusSpecAlertingAlertmanagers, PrometheusSpecAlertingAlertmanagersApiVersion, PrometheusSpecAlertingAlertmanagersPort,
  PrometheusSpecAlertingAlertmanagersScheme, PrometheusSpecRemoteWrite, PrometheusSpecWeb, toJson_PrometheusSpecWeb,
  PrometheusSpecStorageVolumeClaimTemplateSpecResourcesRequests as StorageRequest,
} from '../imports/monitoring-prometheus-monitoring.coreos.com';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../imports/monitoring-prometheusrule-monitoring.coreos.com';

const WEB_PORT = 9090;
/** A recording rule's or an alert's expression. */
const RULE_EXPR = aPromql('sum by (namespace, job) (rate(http_requests_total[5m]))');
/** The image's `nobody` user; the operator adds the rest of the restricted container settings itself. */
const NOBODY = { user: 65534, group: 65534 };

/**
 * A Prometheus run by the prometheus-operator (v0.93 CRDs): its `Prometheus` resource, ServiceAccount and read-only
 * ClusterRole, a Service in front of its pods, a monitor for each target added with `addTargets`, recording rules
 * that pre-aggregate per model and per component, alerts, Alertmanager routes and Grafana dashboards. The rules and
 * dashboard rows are those of the Prometheus itself (its targets' health, model drift) and of the monitoring
 * contributions of what it monitors (`addTargets`) or federates (`addMonitoring`).
 *
 * A secondary runs in each cluster and labels everything with its `cluster`; a primary also pulls the secondaries'
 * aggregates through `/federate` (`addFederatedCluster`), or receives them by remote write (`addRemoteWrite` on
 * the secondary, `enableRemoteWriteReceiver` on the primary).
 *
 * Every object this construct creates carries `monitorLabels`, and the Prometheus resource selects exactly those
 * labels, so no monitor is silently ignored.
 */
export class FederatedPrometheus extends Construct {
  /** The `cluster` external label. */
  public readonly clusterName: string;
  /** Secondary or primary. */
  public readonly role: PrometheusRole;
  /** The labels the Prometheus resource selects monitors, rules and scrape configs by. */
  public readonly monitorLabels: { [key: string]: string };
  /** The name of the `Prometheus` resource (and the `operator.prometheus.io/name` label of its pods). */
  public readonly prometheusName: string;
  /** The ServiceAccount Prometheus runs as. */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The Service in front of the Prometheus pods. */
  public readonly service: kplus.Service;
  /**
   * `http://<service>.<namespace>.svc:9090` (`https://` with the trust bundle, with `tls`): the API, `/federate` and,
   * with the receiver on, `/api/v1/write`.
   */
  public readonly endpoint: ServiceEndpoint;
  /** The base URL of the API and UI inside the cluster, with `routePrefix`: what Grafana's data source reads. */
  public readonly apiUrl: string;
  /** The Prometheus pods, for NetworkPolicies that let scrapes in. */
  public readonly pods: kplus.Pods;
  /** The dashboard ConfigMaps (labelled for Grafana's sidecar; `Grafana` mounts them); empty with dashboards off. */
  public readonly dashboards: kplus.ConfigMap[] = [];

  private readonly scrapeInterval: string;
  private readonly remoteWrites: PrometheusSpecRemoteWrite[] = [];
  private readonly targetKeys = new Map<string, { path: string; spec: ScrapeTargetSpec }>();
  private readonly federatedClusters = new Set<string>();
  private readonly alertmanagers: PrometheusSpecAlertingAlertmanagers[] = [];
  private readonly namespace?: string;
  private readonly monitoring: MonitoringRegistry;

  constructor(scope: Construct, id: string, props: FederatedPrometheusProps) {
    super(scope, id);
    checkProps(this, props, { clusterName: aDnsLabel("'central'") }, {
      image: anImage('DefaultImages.PROMETHEUS'),
      storageSize: aSize({ example: 'Size.gibibytes(50)', atLeast: Size.gibibytes(1) }),
      retention: aDuration({ example: 'Duration.days(15)', atLeast: Duration.hours(1) }),
      scrapeInterval: aDuration({ example: 'Duration.seconds(30)', atLeast: Duration.seconds(1) }),
      replicas: aWholeNumber(2, 1, Infinity),
      placement: A_PLACEMENT,
      routePrefix: aString("'/prometheus'"),
      externalUrl: aUrl({ schemes: ['http', 'https'], example: 'https://mlops.example.com/prometheus' }),
      tls: A_SERVER_TLS,
      volumeRetention: A_VOLUME_RETENTION,
    });
    if (props.routePrefix !== undefined && !/^(\/[A-Za-z0-9._~-]+)+$/.test(props.routePrefix)) {
      throw new MlopsValidationError(this, `routePrefix '${props.routePrefix}' is invalid: must start with '/', not end with one, and hold only `
        + "letters, digits, '.', '_', '~' or '-' between; e.g. '/prometheus'");
    }
    this.clusterName = props.clusterName;
    this.role = props.role ?? PrometheusRole.SECONDARY;
    this.monitorLabels = { ...(props.monitorLabels ?? { 'mlops.cdk8s.io/prometheus': Names.toLabelValue(this) }) };
    assertLabels(this, 'monitorLabels', this.monitorLabels);
    const replicas = props.replicas ?? 1;
    const interval = props.scrapeInterval ?? Duration.seconds(30);
    this.scrapeInterval = promDuration(interval);
    const image = props.image ?? defaultImage(this, DefaultImages.PROMETHEUS);
    const namespace = Chart.of(this).namespace;
    const labels = componentLabels(this, { name: 'prometheus', component: 'monitoring', image });
    this.namespace = namespace;
    if (props.alertmanager) {
      this.addAlertmanager(props.alertmanager);
    }

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: { labels } });
    // What service discovery and the operator's generated config need (the operator's documented RBAC for Prometheus).
    const clusterRole = new kplus.ClusterRole(this, 'ClusterRole', { metadata: { labels } });
    clusterRole.allowRead(kplus.ApiResource.SERVICES, kplus.ApiResource.ENDPOINTS, kplus.ApiResource.PODS, kplus.ApiResource.ENDPOINT_SLICES);
    clusterRole.allowGet(kplus.ApiResource.CONFIG_MAPS);
    clusterRole.allowGet(kplus.NonApiResource.of('/metrics'));
    const binding = clusterRole.bind(this.serviceAccount);
    if (namespace) {
      // Cluster-scoped: kplus gives them the chart's namespace, which they must not carry.
      for (const clusterScoped of [clusterRole, binding]) {
        ApiObject.of(clusterScoped).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
      }
    }

    const prometheus = new Prometheus(this, 'Resource', {
      metadata: { labels },
      spec: {
        image,
        version: props.version ?? versionOf(this, image),
        replicas,
        serviceAccountName: this.serviceAccount.name,
        automountServiceAccountToken: true,
        securityContext: restrictedPodSecurityContext(NOBODY),
        resources: prometheusResources(this, props.resources),
        externalLabels: { cluster: this.clusterName },
        // One series per metric whichever replica answers a federation scrape.
        replicaExternalLabelName: '',
        routePrefix: props.routePrefix,
        externalUrl: props.externalUrl,
        scrapeInterval: this.scrapeInterval,
        evaluationInterval: this.scrapeInterval,
        retention: promDuration(props.retention ?? Duration.days(15)),
        storage: {
          volumeClaimTemplate: {
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: props.storageClassName,
              resources: {
                requests: {
                  storage: StorageRequest.fromString(sizeQuantity(props.storageSize ?? Size.gibibytes(20))),
                },
              },
            },
          },
        },
        persistentVolumeClaimRetentionPolicy: (props.volumeRetention ?? VolumeRetention.RETAIN)._statefulSetPolicy(),
        serviceMonitorSelector: { matchLabels: this.monitorLabels },
        serviceMonitorNamespaceSelector: {},
        podMonitorSelector: { matchLabels: this.monitorLabels },
        podMonitorNamespaceSelector: {},
        scrapeConfigSelector: { matchLabels: this.monitorLabels },
        scrapeConfigNamespaceSelector: {},
        ruleSelector: { matchLabels: this.monitorLabels },
        ruleNamespaceSelector: {},
        alerting: Lazy.any({ produce: () => (this.alertmanagers.length > 0 ? { alertmanagers: this.alertmanagers } : undefined) }),
        enableRemoteWriteReceiver: props.enableRemoteWriteReceiver,
        remoteWrite: Lazy.any({ produce: () => (this.remoteWrites.length > 0 ? this.remoteWrites : undefined) }),
      },
    });
    this.prometheusName = prometheus.name;

    // The labels prometheus-operator puts on every pod of a Prometheus resource.
    const podLabels = { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': this.prometheusName };
    for (const [field, value] of Object.entries(props.placement?.podSpecFields(this, podLabels) ?? {})) {
      prometheus.addJsonPatch(JsonPatch.add(`/spec/${field}`, value));
    }
    this.service = new kplus.Service(this, 'Service', {
      metadata: { labels },
      type: props.serviceType ?? kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'web', port: WEB_PORT, targetPort: WEB_PORT }],
    });
    for (const [key, value] of Object.entries(podLabels)) {
      this.service.selectLabel(key, value);
    }
    if (props.tls) {
      const { secret } = addServerCertificate(this, this.service, props.tls);
      const web: PrometheusSpecWeb = {
        tlsConfig: { cert: { secret: { name: secret.name, key: TLS_CERT_KEY } }, keySecret: { name: secret.name, key: TLS_KEY_KEY } },
      };
      prometheus.addJsonPatch(JsonPatch.add('/spec/web', toJson_PrometheusSpecWeb(web)));
    }
    this.endpoint = ServiceEndpoint.fromService(this.service, WEB_PORT, props.tls ? 'https' : 'http', props.tls?.trustBundle);
    this.apiUrl = this.endpoint.url(props.routePrefix ?? '');
    this.pods = kplus.Pods.select(this, 'Pods', {
      labels: podLabels,
      namespaces: namespace ? kplus.Namespaces.select(this, 'Namespace', { names: [namespace] }) : undefined,
    });

    const thresholds = ResolvedAlertThresholds.resolve(this, props.alertThresholds);
    const series = new SeriesScope(this.clusterName, this.role === PrometheusRole.PRIMARY || props.enableRemoteWriteReceiver === true);
    this.monitoring = new MonitoringRegistry(this, PROMETHEUS_MONITORING, series, thresholds);
    this.monitoring.add(MODEL_DRIFT_MONITORING);
    new PrometheusRule(this, 'Rules', {
      metadata: { labels: this.monitorLabels },
      spec: {
        groups: Lazy.any({
          produce: () => this.monitoring.ruleGroups(this.clusterName, namespace).map((group) => ({
            name: group.name,
            rules: group.rules.map((rule) => {
              // A contribution's expression is code: one that Prometheus would refuse fails the synth, not the rule reload.
              checkArgument(this, `${rule.alert ? 'alert' : 'recording rule'} '${rule.alert ?? rule.record}' expr`, rule.expr, RULE_EXPR);
              return { ...rule, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr) };
            }),
          })),
        }),
      },
    });

    const dashboards = resolveDashboardOptions(props.dashboards);
    if (dashboards.enabled) {
      const dashboardLabels = componentLabels(this, { name: 'prometheus', component: 'dashboard' });
      const rowsOf = (spec: DashboardSpec) => () => this.monitoring.dashboardRows(spec.uid);
      this.dashboards.push(
        createDashboardConfigMap(this, 'ModelServingDashboard', MODEL_SERVING_DASHBOARD, rowsOf(MODEL_SERVING_DASHBOARD), dashboards, dashboardLabels),
        createDashboardConfigMap(this, 'PlatformDashboard', PLATFORM_DASHBOARD, rowsOf(PLATFORM_DASHBOARD), dashboards, dashboardLabels),
      );
    }
  }

  /**
   * Scrapes `targets`: a ServiceMonitor or PodMonitor for each of their `scrapeTargets`, their `monitoring`
   * contributions (as `addMonitoring`), and `allowScrapeFrom` so that their NetworkPolicies let Prometheus in. A spec
   * that several targets share (a Seldon runtime's, which each of its models exposes) gets one monitor.
   */
  public addTargets(...targets: IScrapeTarget[]): void {
    for (const target of targets) {
      if (target.scrapeTargets.length === 0) {
        throw new MlopsValidationError(this, `target '${target.node.path}' is invalid: it exposes no metrics (its scrapeTargets is empty); `
          + 'turn its exporter on first, e.g. metrics: true on Postgres, Mysql and Redis');
      }
      for (const spec of target.scrapeTargets) {
        assertValidSpec(this, target, spec);
        const namespace = targetNamespace(target, spec);
        const key = `${namespace ?? ''}/${spec.name}`;
        const previous = this.targetKeys.get(key);
        if (previous?.spec === spec) {
          continue;
        }
        if (previous !== undefined) {
          throw new MlopsValidationError(this, `scrape target '${spec.name}' of '${target.node.path}' is invalid: '${previous.path}' `
            + `already has a target of that name${namespace ? ` in namespace '${namespace}'` : ''}, and the name is the job label; `
            + 'add each target once, and give targets in one namespace different names');
        }
        this.targetKeys.set(key, { path: target.node.path, spec });
        createMonitor(this, `Monitor-${namespace ?? 'default'}-${spec.name}`, namespace, spec, this.monitorLabels, this.scrapeInterval);
      }
      this.addMonitoring(...(target.monitoring ?? []));
      target.allowScrapeFrom(this.pods);
    }
  }

  /**
   * Adds the recording rules, alerts and dashboard rows of `contributions` to this Prometheus' PrometheusRule and
   * dashboards, each key once: `addTargets` does it for its targets; call it for what this Prometheus watches without
   * scraping it, e.g. on a primary the predictors of the clusters it federates (`predictor.monitoring`), or for your
   * own workload's rules. The rules and rows are rendered at synth time: the Prometheus' own first (its targets'
   * health), then those of each contribution in the order of their keys.
   */
  public addMonitoring(...contributions: IMonitoringContribution[]): void {
    for (const contribution of contributions) {
      this.monitoring.add(contribution);
    }
  }

  /**
   * Federates a secondary: a ScrapeConfig that pulls its `/federate` with `honor_labels`, selecting its aggregates
   * (and the raw series of `modelNamespaces`). Only a primary federates.
   */
  public addFederatedCluster(options: FederatedClusterOptions): void {
    checkProps(this, options, {
      clusterName: aDnsLabel("'serving-eu'"),
      endpoint: anInstanceOf(ServiceEndpoint, "ServiceEndpoint.fromHost('prometheus.eu.example.com', 443, 'https')"),
    }, { match: aListOf(aPromql('{__name__=~".+:.+"}')) }, 'addFederatedCluster: options');
    const fail = (message: string) => new MlopsValidationError(this, `addFederatedCluster('${options.clusterName}'): ${message}`);
    if (this.role !== PrometheusRole.PRIMARY) {
      throw fail('this Prometheus is a secondary: only a primary federates other clusters; create it with role: PrometheusRole.PRIMARY');
    }
    if (options.clusterName === this.clusterName) {
      throw fail('clusterName is invalid: it is the cluster name of this Prometheus itself; give the clusterName of the secondary');
    }
    if (this.federatedClusters.has(options.clusterName)) {
      throw fail('clusterName is invalid: that cluster is federated already; add each secondary once');
    }
    this.federatedClusters.add(options.clusterName);
    createFederationScrapeConfig(this, options, this.monitorLabels);
  }

  /**
   * Pushes the aggregates (series with a `:` in their name, unless `seriesNameRegex` says otherwise) to a remote write
   * receiver: a primary with `enableRemoteWriteReceiver`, Thanos Receive, Mimir. The `cluster` external label comes along.
   */
  public addRemoteWrite(options: RemoteWriteOptions): void {
    checkProps(this, options, { url: aUrl({ schemes: ['http', 'https'], example: 'http://prometheus.monitoring.svc:9090/api/v1/write' }) }, {
      seriesNameRegex: aRegex('.+:.+'),
    }, 'addRemoteWrite: options');
    const spec = remoteWriteSpec(this, options);
    if (this.remoteWrites.some((existing) => existing.url === spec.url)) {
      throw new MlopsValidationError(this, `addRemoteWrite: url '${spec.url}' is invalid: it was added already; add each receiver once`);
    }
    this.remoteWrites.push(spec);
  }

  /**
   * Sends the alerts to one more Alertmanager, e.g. `alertmanager.alertmanagerEndpoint` of an `Alertmanager`. Each
   * Alertmanager is added once.
   */
  public addAlertmanager(endpoint: AlertmanagerEndpoint): void {
    checkArgument(this, 'addAlertmanager: endpoint', endpoint, anImplementationOf('AlertmanagerEndpoint', ['serviceName'], 'alertmanager.alertmanagerEndpoint'));
    checkProps(this, endpoint, {}, {
      scheme: aString("'https'"),
      trustBundle: anInstanceOf(TrustBundle, 'platformTls.trustBundle'),
      serverName: aString("'alertmanager.mlops.svc'"),
    }, 'addAlertmanager: endpoint');
    const https = endpoint.scheme === 'https';
    if ((endpoint.scheme ?? 'http') !== 'http' && !https) {
      throw new MlopsValidationError(this, `addAlertmanager: endpoint scheme '${endpoint.scheme}' is invalid: give 'http' or 'https'`);
    }
    if (!https && (endpoint.trustBundle || endpoint.serverName)) {
      throw new MlopsValidationError(this, "addAlertmanager: endpoint trustBundle and serverName are invalid without scheme 'https': they verify "
        + "a TLS server; give scheme: 'https', or remove them");
    }
    const namespace = endpoint.namespace ?? this.namespace;
    if (this.alertmanagers.some((existing) => existing.name === endpoint.serviceName && existing.namespace === namespace)) {
      throw new MlopsValidationError(this, `addAlertmanager: serviceName '${endpoint.serviceName}' is invalid: that Alertmanager was added already; add each once`);
    }
    this.alertmanagers.push({
      name: endpoint.serviceName,
      namespace,
      port: PrometheusSpecAlertingAlertmanagersPort.fromString(endpoint.port ?? 'web'),
      pathPrefix: endpoint.pathPrefix,
      apiVersion: PrometheusSpecAlertingAlertmanagersApiVersion.V2,
      ...(https ? {
        scheme: PrometheusSpecAlertingAlertmanagersScheme.HTTPS,
        tlsConfig: {
          ca: endpoint.trustBundle ? { configMap: { name: endpoint.trustBundle.configMapName, key: endpoint.trustBundle.key } } : undefined,
          serverName: endpoint.serverName,
        },
      } : {}),
    });
  }

  /**
   * Routes some alerts to a webhook (e.g. `MlopsAlerts.MODEL_DRIFTED` to the retraining trigger): an
   * AlertmanagerConfig with a webhook receiver, matchers on the alert names and `sendResolved`. Needs `alertmanager`.
   * The alerts are `MlopsAlerts`, or those of a contribution added before (`addMonitoring`).
   */
  public addAlertRoute(id: string, options: AlertRouteOptions): void {
    if (this.alertmanagers.length === 0) {
      throw new MlopsValidationError(this, `addAlertRoute('${id}'): the alerts would never reach an Alertmanager: `
        + "give the alertmanager prop (e.g. { serviceName: 'alertmanager-operated' }) or call addAlertmanager first, so that Prometheus sends them");
    }
    assertDnsLabel(this, 'addAlertRoute id', id);
    createAlertRoute(this, id, this.monitorLabels, options, this.monitoring.alertNames());
  }
}
