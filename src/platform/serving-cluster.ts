import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AN_EGRESS_CIDR, assertExternalServiceType, limitSourceRanges, preserveClientAddress, requireCidr } from './cross-cluster-access';
import { createRestrictedNamespace, denyAllIngress } from './platform-network';
import { addServingSmokeTests } from './platform-smoke-tests';
import { ServingSmokeTestOptions } from './serving-smoke-test-options';
import { SmokeTests } from './smoke-tests';
import { IBucket } from '../core/bucket';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { IModelDeployment, IServedModel } from '../core/model-serving';
import { IMonitoringContribution } from '../core/monitoring';
import { clusterNameOf } from '../core/names';
import { allowIngress } from '../core/network';
import { aDnsLabel } from '../core/prop-kinds';
import { AN_IBUCKET, anInstanceOf, checkProps } from '../core/props-check';
import { A_VOLUME_RETENTION, VolumeRetention } from '../core/volume-retention';
import { FederatedPrometheus } from '../observability/federated-prometheus';
import { PrometheusRole } from '../observability/federated-prometheus-props';
import { FederationProxy } from '../security/federation-proxy';
import { PlatformTls } from '../security/platform-tls';
import { KservePredictor, KservePredictorProps } from '../serving/kserve-predictor';

const PROMETHEUS_PORT = 9090;

/** Properties of a `ServingCluster`. */
export interface ServingClusterProps {
  /**
   * Where the models are, typically the primary cluster's MinIO imported with `MinioBucket.fromBucketAttributes()`
   * and credentials from a Secret you create in this cluster.
   */
  readonly modelsBucket: IBucket;

  /**
   * Where the primary's Prometheus reaches this cluster's Prometheus, e.g.
   * `ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090)`: the LoadBalancer's address, or a node's address
   * and the NodePort.
   */
  readonly prometheusEndpoint: ServiceEndpoint;

  /**
   * The cluster's name: the Prometheus `cluster` label. A DNS label.
   *
   * @default - the construct's id, lower-cased
   */
  readonly clusterName?: string;

  /**
   * How the Prometheus is exposed to the primary: `LOAD_BALANCER` (port 9090), or `NODE_PORT` on the port of
   * `prometheusEndpoint`.
   *
   * @default kplus.ServiceType.LOAD_BALANCER
   */
  readonly prometheusServiceType?: kplus.ServiceType;

  /**
   * The addresses the primary's Prometheus federates from (an IPv4 CIDR): only they reach the exposed port. Without
   * `tls`, `/federate` has no authentication, so narrow this to the primary's node or egress addresses. Required:
   * give '0.0.0.0/0' explicitly to admit any address.
   *
   * @default - none; a missing value is refused
   */
  readonly federatedFrom?: string;

  /**
   * The cluster's trust (the primary's, replicated: `primaryTls.replicate(chart, 'Tls')`). With it the Prometheus is
   * not exposed itself: a `FederationProxy` serves `/federate` over TLS to clients with a certificate of the same CA
   * (`clientCommonName`), from `federatedFrom` only, at `prometheusEndpoint`, which must be `https`.
   *
   * @default - no TLS: the Prometheus itself is exposed over plain HTTP to `federatedFrom`
   */
  readonly tls?: PlatformTls;

  /**
   * The common name of the client certificate the primary presents to the `FederationProxy` (with `tls`).
   *
   * @default 'prometheus-federation'
   */
  readonly clientCommonName?: string;

  /**
   * The labels the Prometheus selects its monitors by (`FederatedPrometheusProps.monitorLabels`).
   *
   * @default - a label unique to the Prometheus
   */
  readonly monitorLabels?: { [key: string]: string };

  /**
   * Whether the Prometheus' PersistentVolumeClaims outlive it (`FederatedPrometheusProps.volumeRetention`).
   *
   * @default VolumeRetention.RETAIN
   */
  readonly volumeRetention?: VolumeRetention;
}

/**
 * A cluster that serves models for a primary: KServe predictors that read the primary's model bucket, and a secondary
 * `FederatedPrometheus` the primary federates, in one namespace.
 *
 * ```ts
 * const serving = new ServingCluster(chart, 'ServingEu', {
 *   modelsBucket: MinioBucket.fromBucketAttributes(chart, 'Models', { ... }),
 *   prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090),
 *   federatedFrom: '198.51.100.0/24',   // the primary's egress addresses
 * });
 * const iris = serving.addPredictor('Iris', { model: ModelSource.fromBucket(serving.modelsBucket, 'triton'), ... });
 * primary.prometheus!.addFederatedCluster({ clusterName: serving.clusterName, endpoint: serving.prometheusEndpoint });
 * primary.prometheus!.addMonitoring(...iris.monitoring!); // the model rules and dashboard rows on the primary too
 * serving.addSmokeTests({ models: [{ model: iris, inferenceRequest: '{"inputs":[...]}' }] });
 * ```
 *
 * - The chart's Namespace enforces Pod Security `restricted`; a NetworkPolicy denies all ingress, then allows
 *   Prometheus to scrape each predictor and `federatedFrom` to reach Prometheus. Allow your inference clients with
 *   `predictor.allowFrom(...)`.
 * - The Prometheus Service keeps the caller's address (`externalTrafficPolicy: Local`) so that `federatedFrom` matches
 *   the primary rather than the node that forwarded the call; a LoadBalancer admits only `federatedFrom`
 *   (`loadBalancerSourceRanges`) as well.
 */
export class ServingCluster extends Construct {
  /** The Prometheus `cluster` label. */
  public readonly clusterName: string;
  /** The chart's Namespace, enforcing Pod Security `restricted`. */
  public readonly namespace: kplus.Namespace;
  /** The NetworkPolicy that denies all ingress to the namespace's pods. */
  public readonly defaultDeny: kplus.NetworkPolicy;
  /** The secondary Prometheus. */
  public readonly prometheus: FederatedPrometheus;
  /** Where the primary reaches `prometheus`: give it to the primary's `addFederatedCluster`. */
  public readonly prometheusEndpoint: ServiceEndpoint;
  /** Where the models are: `ModelSource.fromBucket(serving.modelsBucket, ...)`. */
  public readonly modelsBucket: IBucket;
  /** The authenticating proxy in front of `/federate`, with `tls`. */
  public readonly federationProxy?: FederationProxy;

  /** The monitoring contributions of what the cluster serves, and the primaries' Prometheus that must render them too. */
  private readonly contributions: IMonitoringContribution[] = [];
  private readonly federatedBy: FederatedPrometheus[] = [];
  /** What the cluster serves, and the smoke tests that check each of them. */
  private readonly servedModels: IServedModel[] = [];
  private smokeTests?: SmokeTests;

  constructor(scope: Construct, id: string, props: ServingClusterProps) {
    super(scope, id);
    checkProps(this, props, {
      modelsBucket: AN_IBUCKET,
      prometheusEndpoint: anInstanceOf(ServiceEndpoint, "ServiceEndpoint.fromHost('prometheus.serving-eu.example.com', 443, 'https')"),
    }, {
      clusterName: aDnsLabel("'serving-eu'"),
      federatedFrom: AN_EGRESS_CIDR,
      tls: anInstanceOf(PlatformTls, "primaryTls.replicate(chart, 'Tls')"),
      volumeRetention: A_VOLUME_RETENTION,
    });
    const namespace = Chart.of(this).namespace;
    if (!namespace) {
      throw new MlopsValidationError(this, "the chart has no namespace: ServingCluster creates the chart's Namespace and puts "
        + "everything in it; give the chart one, e.g. new Chart(app, 'serving-eu', { namespace: 'mlops' })");
    }
    this.clusterName = clusterNameOf(this, props.clusterName);
    const serviceType = props.prometheusServiceType ?? kplus.ServiceType.LOAD_BALANCER;
    assertExternalServiceType(this, 'prometheusServiceType', serviceType, props.prometheusEndpoint.port);
    if (props.tls) {
      this.checkTlsProps(props);
    }
    const federatedFrom = requireCidr(this, 'federatedFrom', props.federatedFrom, `cluster '${this.clusterName}' admits only the primary's egress `
      + `addresses to its federation endpoint (${props.tls ? 'the FederationProxy' : 'its Prometheus, without authentication'})`);
    this.modelsBucket = props.modelsBucket;

    this.namespace = createRestrictedNamespace(this, 'Namespace', namespace);
    this.defaultDeny = denyAllIngress(this, 'DefaultDenyIngress');

    this.prometheus = new FederatedPrometheus(this, 'Prometheus', {
      clusterName: this.clusterName,
      role: PrometheusRole.SECONDARY,
      monitorLabels: props.monitorLabels,
      volumeRetention: props.volumeRetention,
      // With TLS the proxy reaches it over https too.
      ...(props.tls ? { tls: props.tls.serverTls } : { serviceType }),
    });
    if (props.tls) {
      const endpoint = props.prometheusEndpoint;
      this.federationProxy = new FederationProxy(this, 'FederationProxy', {
        upstream: this.prometheus.endpoint,
        tls: props.tls.serverTls,
        allowedFrom: federatedFrom,
        clientCommonName: props.clientCommonName,
        hosts: [endpoint.host],
        port: endpoint.port,
        serviceType,
      });
      allowIngress(this.prometheus, this.prometheus.pods, this.federationProxy.deployment, [PROMETHEUS_PORT]);
      limitSourceRanges(this.federationProxy.service, serviceType, federatedFrom);
      this.prometheusEndpoint = this.federationProxy.endpoint;
    } else {
      preserveClientAddress(this.prometheus.service, serviceType, props.prometheusEndpoint.port);
      limitSourceRanges(this.prometheus.service, serviceType, federatedFrom);
      const primary = kplus.NetworkPolicyIpBlock.ipv4(this, 'FederatedFrom', federatedFrom);
      allowIngress(this.prometheus, this.prometheus.pods, primary, [PROMETHEUS_PORT]);
      this.prometheusEndpoint = props.prometheusEndpoint;
    }
  }

  /**
   * Serves a model with KServe and has Prometheus scrape it. Nothing else reaches it until you allow your clients:
   * `predictor.allowFrom(peer)` (your ingress gateway's namespace, an application's pods).
   */
  public addPredictor(id: string, props: KservePredictorProps): KservePredictor {
    const predictor = new KservePredictor(this, id, props);
    this.serve(predictor);
    return predictor;
  }

  /**
   * Serves a model with any serving backend (`new KserveModelDeployment(props)`, `new SeldonModelDeployment(props)`),
   * scraped like `addPredictor`'s.
   */
  public serveModel(id: string, deployment: IModelDeployment): IServedModel {
    const served = deployment.deploy(this, id, deployment.model);
    this.serve(served);
    return served;
  }

  /**
   * Smoke tests (`SmokeTests`) of the cluster, as Argo CD `PostSync` hooks that fail the sync when a check fails:
   * Prometheus has targets and none is down, and each model the cluster serves, now and later, is ready
   * (`/v2/health/ready`, `/v2/models/<name>/ready`) and answers the inference request `options.models` gives it.
   */
  public addSmokeTests(options: ServingSmokeTestOptions = {}): SmokeTests {
    if (this.smokeTests) {
      throw new MlopsValidationError(this, 'addSmokeTests: it was called before, and its tests check every model the cluster serves; call it once');
    }
    this.smokeTests = addServingSmokeTests({ scope: this, prometheus: this.prometheus, models: this.servedModels }, options);
    return this.smokeTests;
  }

  /**
   * @internal Has `primary`, which federates this cluster, render the rules and dashboard rows of what the cluster
   * serves, now and later, so that the primary's dashboards show this cluster's models.
   */
  public _federatedBy(primary: FederatedPrometheus): void {
    this.federatedBy.push(primary);
    primary.addMonitoring(...this.contributions);
  }

  /** With TLS, every endpoint that crosses clusters is https. */
  private checkTlsProps(props: ServingClusterProps): void {
    for (const [prop, endpoint] of [['prometheusEndpoint', props.prometheusEndpoint], ['modelsBucket', props.modelsBucket.objectStore.endpoint]] as const) {
      if (endpoint.scheme !== 'https') {
        throw new MlopsValidationError(this, `${prop} '${endpoint.url()}' is invalid with tls: it crosses clusters over plain HTTP; `
          + `give an https endpoint, e.g. ServiceEndpoint.fromHost('${endpoint.host}', 443, 'https')`);
      }
    }
  }

  private serve(model: IServedModel): void {
    this.prometheus.addTargets(model);
    const contributions = model.monitoring ?? [];
    this.contributions.push(...contributions);
    for (const primary of this.federatedBy) {
      primary.addMonitoring(...contributions);
    }
    this.servedModels.push(model);
    this.smokeTests?.checkModel(model);
  }
}
