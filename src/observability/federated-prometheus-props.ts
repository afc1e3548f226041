import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { GrafanaDashboardOptions } from './dashboard-options';
import { AlertThresholds } from '../core/monitoring';
import { ServerTls } from '../core/tls';
import { TrustBundle } from '../core/trust-bundle';
import { VolumeRetention } from '../core/volume-retention';
import { WorkloadPlacement } from '../core/workload-placement';

/** What a `FederatedPrometheus` does in a multi-cluster setup. */
export enum PrometheusRole {
  /** Scrapes the components of its own cluster and pre-aggregates them with recording rules for a primary. */
  SECONDARY = 'secondary',
  /** Scrapes its own cluster too, and federates the aggregates of the secondaries (`addFederatedCluster`). */
  PRIMARY = 'primary',
}

/** The Alertmanager a `FederatedPrometheus` sends its alerts to, e.g. kube-prometheus-stack's. */
export interface AlertmanagerEndpoint {
  /** The Alertmanager's Service, e.g. `kps-kube-prometheus-stack-alertmanager`. */
  readonly serviceName: string;

  /**
   * The Service's namespace.
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * The name of the Service's port that serves the Alertmanager API.
   *
   * @default 'web' (kube-prometheus-stack names it 'http-web')
   */
  readonly port?: string;

  /**
   * The path prefix the Alertmanager serves its API under (its `routePrefix`), e.g. `/alertmanager`.
   *
   * @default - none: the API is at `/api/v2`
   */
  readonly pathPrefix?: string;

  /**
   * `http` or `https`.
   *
   * @default 'http'
   */
  readonly scheme?: string;

  /**
   * The CA bundle an `https` Alertmanager is verified with (its ConfigMap in the Prometheus' namespace).
   *
   * @default - the system CAs of the Prometheus image
   */
  readonly trustBundle?: TrustBundle;

  /**
   * The name the certificate is checked against: Prometheus sends to the pods' addresses, which a Service's
   * certificate does not hold, e.g. `alertmanager.mlops.svc`.
   *
   * @default - the pod's address
   */
  readonly serverName?: string;
}

/** Properties of a `FederatedPrometheus`. */
export interface FederatedPrometheusProps {
  /**
   * The cluster's name: the `cluster` external label on every series the primary federates, every alert and every
   * remote write, and the `cluster` label of the recorded aggregates. A DNS label, e.g. `serving-eu-1`.
   */
  readonly clusterName: string;

  /**
   * Secondary (scrape and pre-aggregate) or primary (also federate the secondaries).
   *
   * @default PrometheusRole.SECONDARY
   */
  readonly role?: PrometheusRole;

  /**
   * The labels every ServiceMonitor, PodMonitor, ScrapeConfig, PrometheusRule and AlertmanagerConfig of this construct
   * carries, and that the Prometheus resource selects them by. With kube-prometheus-stack give
   * `{ release: '<its release name>' }`: its Prometheus only selects objects with that label, and ignores the rest
   * without a word.
   *
   * @default { 'mlops.cdk8s.io/prometheus': <a label value unique to this construct> }
   */
  readonly monitorLabels?: { [key: string]: string };

  /**
   * The Prometheus image.
   *
   * @default DefaultImages.PROMETHEUS
   */
  readonly image?: string;

  /**
   * The Prometheus version the operator configures for (`spec.version`); set it whenever `image` is not tagged `vX.Y.Z`.
   *
   * @default - the tag of `image`
   */
  readonly version?: string;

  /**
   * The number of Prometheus replicas. Each one scrapes everything; the primary federates whichever answers.
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * How long samples are kept.
   *
   * @default Duration.days(15)
   */
  readonly retention?: Duration;

  /**
   * The size of each replica's PersistentVolumeClaim.
   *
   * @default Size.gibibytes(20)
   */
  readonly storageSize?: Size;

  /**
   * The StorageClass of the PersistentVolumeClaims.
   *
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;

  /**
   * Whether the replicas' PersistentVolumeClaims, which the operator's StatefulSet makes from its template, outlive
   * it (`spec.persistentVolumeClaimRetentionPolicy`): `VolumeRetention.RETAIN` keeps them (`whenDeleted: Retain`),
   * `VolumeRetention.DELETE` deletes them with the Prometheus. Scaling down keeps a replica's claim either way
   * (`whenScaled: Retain`), so that scaling up again finds its data.
   *
   * @default VolumeRetention.RETAIN
   */
  readonly volumeRetention?: VolumeRetention;

  /**
   * The Prometheus container's resources; give cpu and memory requests and a memory limit.
   *
   * @default - requests 200m cpu and 1Gi memory, limit 2Gi memory
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * How often targets are scraped and rules evaluated.
   *
   * @default Duration.seconds(30)
   */
  readonly scrapeInterval?: Duration;

  /**
   * The Alertmanager the alerts go to.
   *
   * @default - alerts are evaluated and visible in Prometheus but sent nowhere; `addAlertRoute` needs this
   */
  readonly alertmanager?: AlertmanagerEndpoint;

  /**
   * The thresholds of the alerts.
   *
   * @default - see `AlertThresholds`
   */
  readonly alertThresholds?: AlertThresholds;

  /**
   * Whether this Prometheus accepts remote writes at `/api/v1/write`, so that secondaries can push with
   * `addRemoteWrite` instead of being federated.
   *
   * @default false
   */
  readonly enableRemoteWriteReceiver?: boolean;

  /**
   * The Grafana dashboards (model serving, platform overview) as ConfigMaps for Grafana's sidecar.
   *
   * @default - both dashboards, labelled `grafana_dashboard: "1"`, in the folder `MLOps`, in the chart's namespace
   */
  readonly dashboards?: GrafanaDashboardOptions;

  /**
   * The type of the Service in front of the Prometheus pods, through which a primary reaches `/federate`.
   *
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;

  /**
   * Where the pods run and what they pull images with (node selector, tolerations, node affinity, topology spread,
   * priority class, image pull secrets), applied to every pod this construct makes.
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;

  /**
   * The path prefix the UI and API are served under (`spec.routePrefix`), for a proxy that serves Prometheus under a
   * path, e.g. `/prometheus`; `apiUrl` includes it.
   *
   * @default - served at `/`
   */
  readonly routePrefix?: string;

  /**
   * The URL users reach the UI at (`spec.externalUrl`), used in its links and in alerts' `generatorURL`, e.g.
   * `https://mlops.example.com/prometheus`.
   *
   * @default - the operator's default, the Service's address
   */
  readonly externalUrl?: string;

  /**
   * Serves the UI and API over TLS (`spec.web.tlsConfig`) with a certificate for the Service from `tls.issuer`:
   * `endpoint` and `apiUrl` become `https` with `tls.trustBundle`, and the operator switches its probes to HTTPS.
   * Prometheus re-reads the certificate on each connection, so a renewed one is served without a restart. No client
   * certificates are required: that would break the operator's probes (prometheus-operator#5419).
   *
   * @default - plain HTTP
   */
  readonly tls?: ServerTls;
}
