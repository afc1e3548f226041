import { Chart, Duration, JsonPatch, Names, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AlertmanagerEndpoint } from './federated-prometheus-props';
import { prometheusResources, versionOf } from './prometheus-spec';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { defaultImage } from '../core/image-registry';
import { DefaultImages } from '../core/images';
import { componentLabels } from '../core/labels';
import { assertLabels } from '../core/names';
import { allowIngress } from '../core/network';
import { A_STORAGE_CLASS_NAME, aDuration, aSize, aUrl, aWholeNumber } from '../core/prop-kinds';
import { anImage, aString, aStringMap, checkProps } from '../core/props-check';
import { sizeQuantity } from '../core/quantities';
import { IScrapeTarget, ScrapeDiscovery, ScrapeTargetSpec } from '../core/scrape-target';
import { restrictedPodSecurityContext } from '../core/security';
import { addServerCertificate, TLS_CERT_KEY, TLS_KEY_KEY } from '../core/server-certificate';
import { A_SERVER_TLS, ServerTls } from '../core/tls';
import { A_VOLUME_RETENTION, VolumeRetention } from '../core/volume-retention';
import { A_PLACEMENT, WorkloadPlacement } from '../core/workload-placement';
import {
  Alertmanager as AlertmanagerResource, AlertmanagerSpecAlertmanagerConfigMatcherStrategyType as MatcherStrategy,
  AlertmanagerSpecStorageVolumeClaimTemplateSpecResourcesRequests as StorageRequest, AlertmanagerSpecWeb, toJson_AlertmanagerSpecWeb,
} from '../imports/monitoring-alertmanager-monitoring.coreos.com';

const WEB_PORT = 9093;
const GOSSIP_PORT = 9094;
/** The image's `nobody` user (its Dockerfile ends with `USER nobody`); the operator adds the restricted container settings. */
const NOBODY = { user: 65534, group: 65534 };

/** Properties of an `Alertmanager`. */
export interface AlertmanagerProps {
  /**
   * The labels of the AlertmanagerConfigs this Alertmanager merges into its configuration (from its own namespace);
   * `FederatedPrometheus.addAlertRoute` labels its routes with the Prometheus' `monitorLabels`, so give those.
   */
  readonly configLabels: { [key: string]: string };

  /**
   * The Alertmanager image.
   *
   * @default DefaultImages.ALERTMANAGER
   */
  readonly image?: string;

  /**
   * The Alertmanager version the operator configures for (`spec.version`); set it whenever `image` is not tagged `vX.Y.Z`.
   *
   * @default - the tag of `image`
   */
  readonly version?: string;

  /**
   * The number of replicas; more than one form a gossip cluster that deduplicates notifications.
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * How long silences and the notification log are kept (`spec.retention`).
   *
   * @default Duration.hours(120)
   */
  readonly retention?: Duration;

  /**
   * The size of each replica's PersistentVolumeClaim, which keeps silences and the notification log across restarts.
   *
   * @default Size.gibibytes(1)
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
   * `VolumeRetention.DELETE` deletes them with the Alertmanager. Scaling down keeps a replica's claim either way
   * (`whenScaled: Retain`).
   *
   * @default VolumeRetention.RETAIN
   */
  readonly volumeRetention?: VolumeRetention;

  /**
   * The Alertmanager container's resources; give cpu and memory requests and a memory limit.
   *
   * @default - requests 50m cpu and 64Mi memory, limit 256Mi memory
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * The path prefix every route is served under (`spec.routePrefix`), for a proxy that serves the UI under a path,
   * e.g. `/alertmanager`. Probes, Prometheus and the scrapes use it too.
   *
   * @default - served at `/`
   */
  readonly routePrefix?: string;

  /**
   * The URL users reach the UI at (`spec.externalUrl`), used in the links of notifications, e.g.
   * `https://mlops.example.com/alertmanager`.
   *
   * @default - the Service's address
   */
  readonly externalUrl?: string;

  /**
   * Where the pods run and what they pull images with (node selector, tolerations, node affinity, topology spread,
   * priority class, image pull secrets), applied to every pod this construct makes.
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;

  /**
   * Serves the UI and API over TLS (`spec.web.tlsConfig`) with a certificate for the Service from `tls.issuer`:
   * `endpoint` becomes `https`, `alertmanagerEndpoint` and the scrape carry the trust bundle and the Service's name,
   * and the operator switches its probes to HTTPS. Alertmanager re-reads the certificate on each connection. The
   * replicas' gossip on 9094 stays plain (no `clusterTLS`), inside the namespace behind its NetworkPolicy.
   *
   * @default - plain HTTP
   */
  readonly tls?: ServerTls;
}

/**
 * An Alertmanager run by the prometheus-operator (v0.93 CRDs): its `Alertmanager` resource with a
 * PersistentVolumeClaim per replica, a Service on port 9093 (`web`) and a NetworkPolicy that lets in only what
 * `allowFrom` names. It merges the AlertmanagerConfigs of its namespace that carry `configLabels`, each limited to
 * the alerts of that namespace (the operator's `OnNamespace` strategy), which is how
 * `FederatedPrometheus.addAlertRoute` routes reach it.
 *
 * ```ts
 * const alertmanager = new Alertmanager(this, 'Alertmanager', { configLabels: prometheus.monitorLabels });
 * prometheus.addAlertmanager(alertmanager.alertmanagerEndpoint);
 * alertmanager.allowFrom(prometheus.pods);
 * ```
 */
export class Alertmanager extends Construct implements IScrapeTarget {
  /** The name of the `Alertmanager` resource (the `alertmanager` label of its pods). */
  public readonly alertmanagerName: string;
  /** The Service in front of the pods, port 9093 `web`. */
  public readonly service: kplus.Service;
  /** `http://<service>.<namespace>.svc:9093` (`https://` with the trust bundle, with `tls`). */
  public readonly endpoint: ServiceEndpoint;
  /** The path prefix of every route: '' or e.g. '/alertmanager'. */
  public readonly routePrefix: string;
  /** What a `FederatedPrometheus` needs to send its alerts here (`addAlertmanager`, or its `alertmanager` prop). */
  public readonly alertmanagerEndpoint: AlertmanagerEndpoint;
  /** The Alertmanager pods, for NetworkPolicies. */
  public readonly pods: kplus.Pods;
  /** Alertmanager's own metrics at `<routePrefix>/metrics`. */
  public readonly scrapeTargets: ScrapeTargetSpec[];

  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    checkProps(this, props, { configLabels: aStringMap("{ 'mlops.cdk8s.io/prometheus': 'platform' }") }, {
      image: anImage("'quay.io/prometheus/alertmanager:v0.33.1'"),
      version: aString("'v0.33.1'"),
      retention: aDuration({ example: 'Duration.hours(120)', atLeast: Duration.seconds(1) }),
      storageSize: aSize({ example: 'Size.gibibytes(1)', atLeast: Size.mebibytes(64) }),
      storageClassName: A_STORAGE_CLASS_NAME,
      replicas: aWholeNumber(3, 1, 9),
      routePrefix: aString("'/alertmanager'"),
      externalUrl: aUrl({ schemes: ['http', 'https'], example: 'https://mlops.example.com/alertmanager' }),
      placement: A_PLACEMENT,
      tls: A_SERVER_TLS,
      volumeRetention: A_VOLUME_RETENTION,
    });
    if (Object.keys(props.configLabels).length === 0) {
      throw new MlopsValidationError(this, 'configLabels is invalid: it is empty, and an empty selector merges every AlertmanagerConfig '
        + 'of the namespace; give the labels your routes carry, e.g. prometheus.monitorLabels');
    }
    assertLabels(this, 'configLabels', props.configLabels);
    const routePrefix = props.routePrefix ?? '';
    if (props.routePrefix !== undefined && !/^(\/[A-Za-z0-9._~-]+)+$/.test(routePrefix)) {
      throw new MlopsValidationError(this, `routePrefix '${routePrefix}' is invalid: must start with '/', not end with one, and hold only `
        + "letters, digits, '.', '_', '~' or '-' between; e.g. '/alertmanager'");
    }
    this.routePrefix = routePrefix;
    const replicas = props.replicas ?? 1;
    const retention = props.retention ?? Duration.hours(120);
    const image = props.image ?? defaultImage(this, DefaultImages.ALERTMANAGER);
    const labels = componentLabels(this, { name: 'alertmanager', component: 'alerting', image });

    const resource = new AlertmanagerResource(this, 'Resource', {
      metadata: { labels },
      spec: {
        image,
        version: props.version ?? versionOf(this, image),
        replicas,
        retention: goDuration(retention),
        securityContext: restrictedPodSecurityContext(NOBODY),
        automountServiceAccountToken: false,
        resources: prometheusResources(this, props.resources ?? {
          cpu: { request: kplus.Cpu.millis(50) },
          memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
        }),
        storage: {
          volumeClaimTemplate: {
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: props.storageClassName,
              resources: { requests: { storage: StorageRequest.fromString(sizeQuantity(props.storageSize ?? Size.gibibytes(1))) } },
            },
          },
        },
        persistentVolumeClaimRetentionPolicy: (props.volumeRetention ?? VolumeRetention.RETAIN)._statefulSetPolicy(),
        alertmanagerConfigSelector: { matchLabels: { ...props.configLabels } },
        alertmanagerConfigMatcherStrategy: { type: MatcherStrategy.ON_NAMESPACE },
        routePrefix: props.routePrefix,
        externalUrl: props.externalUrl,
      },
    });
    this.alertmanagerName = resource.name;

    // The labels prometheus-operator puts on every pod of an Alertmanager resource.
    const podLabels = { 'app.kubernetes.io/name': 'alertmanager', 'alertmanager': this.alertmanagerName };
    for (const [field, value] of Object.entries(props.placement?.podSpecFields(this, podLabels) ?? {})) {
      resource.addJsonPatch(JsonPatch.add(`/spec/${field}`, value));
    }
    this.service = new kplus.Service(this, 'Service', {
      metadata: { labels },
      ports: [{ name: 'web', port: WEB_PORT, targetPort: WEB_PORT }],
    });
    for (const [key, value] of Object.entries(podLabels)) {
      this.service.selectLabel(key, value);
    }
    if (props.tls) {
      const { secret } = addServerCertificate(this, this.service, props.tls);
      const web: AlertmanagerSpecWeb = {
        tlsConfig: { cert: { secret: { name: secret.name, key: TLS_CERT_KEY } }, keySecret: { name: secret.name, key: TLS_KEY_KEY } },
      };
      resource.addJsonPatch(JsonPatch.add('/spec/web', toJson_AlertmanagerSpecWeb(web)));
    }
    this.endpoint = ServiceEndpoint.fromService(this.service, WEB_PORT, props.tls ? 'https' : 'http', props.tls?.trustBundle);
    const namespace = Chart.of(this).namespace;
    // Prometheus and the scrapes reach the pods' addresses, which the certificate does not name: they check the Service's name.
    const verify = props.tls ? { scheme: 'https', trustBundle: props.tls.trustBundle, serverName: this.endpoint.host } : {};
    this.alertmanagerEndpoint = { serviceName: this.service.name, namespace, port: 'web', pathPrefix: props.routePrefix, ...verify };
    this.pods = kplus.Pods.select(this, 'Pods', {
      labels: podLabels,
      namespaces: namespace ? kplus.Namespaces.select(this, 'Namespace', { names: [namespace] }) : undefined,
    });
    if (replicas > 1) {
      // The replicas gossip silences and notifications on 9094, TCP and UDP.
      new kplus.NetworkPolicy(this, 'AllowGossip', {
        selector: this.pods,
        ingress: { rules: [{ peer: this.pods, ports: [kplus.NetworkPolicyPort.tcp(GOSSIP_PORT), kplus.NetworkPolicyPort.udp(GOSSIP_PORT)] }] },
      });
    }
    this.scrapeTargets = [{
      name: 'alertmanager',
      discovery: ScrapeDiscovery.SERVICE,
      namespace,
      selector: { 'app.kubernetes.io/name': 'alertmanager', 'app.kubernetes.io/instance': Names.toLabelValue(this) },
      endpoints: [{ port: 'web', path: `${routePrefix}/metrics`, ...verify }],
    }];
  }

  /** Lets `peer` reach the API and UI on port 9093: the Prometheus that sends alerts, an Ingress controller. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.pods, peer, [WEB_PORT]);
  }

  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    this.allowFrom(scraper);
  }
}

/** A duration as the operator's `retention` takes it (Go's units up to hours): `120h`, `90m`, `30s`. */
function goDuration(duration: Duration): string {
  const ms = duration.toMilliseconds();
  const [unit, size] = ([['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as Array<[string, number]>).find(([, length]) => ms % length === 0)!;
  return `${ms / size}${unit}`;
}
