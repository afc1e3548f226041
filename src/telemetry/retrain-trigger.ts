import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RETRAIN_TRIGGER_SCRIPT } from './retrain-trigger-script';
import { configChecksum } from '../core/config-checksum';
import { Credentials } from '../core/credentials';
import { IDagRunApi } from '../core/dag-run-api';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { componentLabels, instanceSelector } from '../core/labels';
import { DAG_ID } from '../core/names';
import { allowIngress } from '../core/network';
import { httpGetProbe } from '../core/probes';
import { A_SECRET_SOURCE, aDuration, aWholeNumber } from '../core/prop-kinds';
import { anImage, anImplementationOf, aString, aStringMap, checkProps } from '../core/props-check';
import { IScrapeTarget, ScrapeDiscovery, ScrapeTargetSpec } from '../core/scrape-target';
import { SecretSource } from '../core/secret-source';
import { ImageUser, mountWritablePaths, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { ITraceCollector } from '../core/trace-collector';
import { A_PLACEMENT, placeWorkloads, WorkloadPlacement } from '../core/workload-placement';

const WEBHOOK_PORT = 8080;
const METRICS_PORT = 9102;
const CONFIG_DIR = '/etc/retrain-trigger';
/** The python image's `nobody`. */
const NOBODY: ImageUser = { user: 65534, group: 65534 };
/** Prometheus' alert names. */
const ALERT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Properties of a `RetrainTrigger`. */
export interface RetrainTriggerProps {
  /** The Airflow whose DAG runs the trigger starts, e.g. `platform.airflow`. */
  readonly airflow: IDagRunApi;

  /**
   * The DAG each alert starts, by alert name, e.g. `{ ModelDrifted: 'retrain' }`. The DAG receives the alert's
   * labels in its run's `conf` (`dag_run.conf['model']`), and `alert_fingerprint` and `alert_starts_at`.
   */
  readonly dags: { [alertName: string]: string };

  /**
   * How long after starting a run for a model (the `cooldownLabel` value) no other run is started for it by any
   * alert of the same DAG.
   *
   * @default Duration.hours(1)
   */
  readonly cooldown?: Duration;

  /**
   * The alert label whose value the cooldown is kept per.
   *
   * @default 'model'
   */
  readonly cooldownLabel?: string;

  /**
   * The Airflow user the trigger starts runs as; it gets the FAB role `User`.
   *
   * @default 'retrain-trigger'
   */
  readonly username?: string;

  /**
   * Where the Airflow user's password comes from (`Credentials.PASSWORD`).
   *
   * @default SecretSource.generated()
   */
  readonly password?: SecretSource;

  /**
   * How often a call to Airflow is retried when Airflow does not answer or answers 429 or 5xx, waiting
   * `retryBackoff`, then twice as long, and so on. When all fail, the webhook answers 503 and Alertmanager sends
   * the notification again.
   *
   * @default 4
   */
  readonly retries?: number;

  /**
   * The first wait before a retry.
   *
   * @default Duration.seconds(2)
   */
  readonly retryBackoff?: Duration;

  /**
   * Where the receiver sends a span per alert it handles (OTLP/HTTP JSON to `/v1/traces`; attributes `alertname`,
   * `outcome`, `airflow.dag_id`, `alert.model`), e.g. `platform.tracing`.
   *
   * @default - no spans
   */
  readonly tracing?: ITraceCollector;

  /**
   * The image; it must have Python 3.9 or later on the PATH as `python3`.
   *
   * @default DefaultImages.PYTHON
   */
  readonly image?: string;

  /**
   * The receiver's cpu and memory.
   *
   * @default - cpu request 10m; memory request 32Mi, limit 128Mi
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Where the pods run and what they pull images with (node selector, tolerations, node affinity, topology spread,
   * priority class, image pull secrets), applied to every pod this construct makes.
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;
}

/**
 * Starts an Airflow DAG run when an alert fires, e.g. the retraining DAG of a model that drifted: a small receiver
 * (Python stdlib) of Alertmanager's webhook at `webhookUrl`, run as one replica on port 8080, with its metrics on 9102.
 *
 * ```ts
 * const trigger = new RetrainTrigger(this, 'Retrain', { airflow, dags: { ModelDrifted: 'retrain' } });
 * prometheus.addAlertRoute('retrain', { alerts: ['ModelDrifted'], webhookUrl: trigger.webhookUrl, sendResolved: false });
 * trigger.allowFrom(alertmanager.pods);
 * ```
 *
 * - Each firing alert whose name is in `dags` starts one run through Airflow 3's REST API, as an Airflow user of its
 *   own (FAB role `User`, password from a SecretSource): `POST /auth/token`, then
 *   `POST /api/v2/dags/{dag_id}/dagRuns` with `logical_date: null`, the alert's labels in `conf` and a `dag_run_id`
 *   made of the alert's fingerprint and start, so that Airflow refuses (409) a second run for a notification that
 *   Alertmanager sends again (`repeat_interval`), even across restarts of the receiver.
 * - A cooldown per model (the `model` label) suppresses runs in the hour after one started; resolved alerts are
 *   ignored; a paused DAG (where a run would wait unseen) is reported in the log and the metrics, not queued.
 * - Calls to Airflow are retried with exponential backoff; when Airflow stays down the webhook answers 503, so that
 *   Alertmanager retries too.
 * - Metrics (`IScrapeTarget`): `retrain_trigger_alerts_received_total`, `retrain_trigger_runs_triggered_total{dag_id}`,
 *   `retrain_trigger_alerts_suppressed_total{reason}` (resolved, unmapped, cooldown, duplicate) and
 *   `retrain_trigger_alerts_failed_total{reason}` (dag_paused, dag_not_found, rejected, unreachable).
 * - Network: only `allowFrom` peers reach the webhook and only the scraper reaches the metrics; the pod itself may
 *   only reach DNS and Airflow's api-server.
 */
export class RetrainTrigger extends Construct implements IScrapeTarget {
  /** Where Alertmanager posts its notifications: `http://<service>.<namespace>.svc:8080/alerts`. */
  public readonly webhookUrl: string;
  /** The Service's webhook address. */
  public readonly endpoint: ServiceEndpoint;
  /** The Service, ports 8080 (`webhook`) and 9102 (`metrics`). */
  public readonly service: kplus.Service;
  /** The receiver. */
  public readonly deployment: kplus.Deployment;
  /** The Airflow user it starts runs as. */
  public readonly credentials: Credentials;
  /** The DAG each alert starts, by alert name. */
  public readonly dags: { [alertName: string]: string };
  /** `/metrics` on the Service's `metrics` port. */
  public readonly scrapeTargets: ScrapeTargetSpec[];

  constructor(scope: Construct, id: string, props: RetrainTriggerProps) {
    super(scope, id);
    checkProps(this, props, {
      airflow: anImplementationOf('IDagRunApi', ['apiUrl', 'apiPeer', 'grantTriggerDagRuns'], 'platform.airflow'),
      dags: aStringMap("{ ModelDrifted: 'retrain' }"),
    }, {
      cooldown: aDuration({ example: 'Duration.hours(1)', atLeast: Duration.seconds(1) }),
      cooldownLabel: aString("'model'"),
      username: aString("'retrain-trigger'"),
      password: A_SECRET_SOURCE,
      retries: aWholeNumber(4, 0, 10),
      retryBackoff: aDuration({ example: 'Duration.seconds(2)', atLeast: Duration.millis(100), wholeSeconds: false }),
      image: anImage('DefaultImages.PYTHON'),
      tracing: anImplementationOf('ITraceCollector', ['otlpHttpEndpoint', 'collectorPods', 'allowFrom'], 'platform.tracing'),
      placement: A_PLACEMENT,
    });
    this.dags = { ...props.dags };
    this.checkDags();
    const cooldown = props.cooldown ?? Duration.hours(1);
    const cooldownLabel = props.cooldownLabel ?? 'model';
    if (!LABEL_NAME.test(cooldownLabel)) {
      throw new MlopsValidationError(this, `cooldownLabel '${cooldownLabel}' is invalid: must be a Prometheus label name (letters, digits and '_', `
        + "not starting with a digit), e.g. 'model'");
    }
    const retries = props.retries ?? 4;
    const backoff = props.retryBackoff ?? Duration.seconds(2);

    const image = props.image ?? defaultImage(this, DefaultImages.PYTHON);
    const labels = componentLabels(this, { name: 'retrain-trigger', component: 'alert-receiver', image });
    const config = {
      airflowUrl: props.airflow.apiUrl,
      dags: this.dags,
      cooldownSeconds: cooldown.toSeconds(),
      cooldownLabel,
      retries,
      backoffSeconds: backoff.toMilliseconds() / 1000,
      webhookPort: WEBHOOK_PORT,
      metricsPort: METRICS_PORT,
      ...(props.tracing ? { otlpTracesUrl: props.tracing.otlpHttpEndpoint.url('/v1/traces') } : {}),
    };
    const files = { 'receiver.py': RETRAIN_TRIGGER_SCRIPT, 'config.json': JSON.stringify(config, null, 2) };
    const configMap = new kplus.ConfigMap(this, 'Config', { metadata: { labels }, data: files });

    this.service = new kplus.Service(this, 'Service', {
      metadata: { labels },
      ports: [
        { name: 'webhook', port: WEBHOOK_PORT, targetPort: WEBHOOK_PORT },
        { name: 'metrics', port: METRICS_PORT, targetPort: METRICS_PORT },
      ],
    });
    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { labels },
      podMetadata: {
        labels,
        annotations: configChecksum(files),
      },
      replicas: 1,
      // One receiver keeps the cooldowns; a second would keep its own.
      strategy: kplus.DeploymentStrategy.recreate(),
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(NOBODY),
    });
    this.service.select(this.deployment);
    this.endpoint = ServiceEndpoint.fromService(this.service, WEBHOOK_PORT);
    this.webhookUrl = this.endpoint.url('/alerts');
    const username = props.username ?? 'retrain-trigger';
    this.credentials = props.airflow.grantTriggerDagRuns(this.deployment, { username, password: props.password });
    const container = this.deployment.addContainer({
      name: 'receiver',
      image,
      imagePullPolicy: imagePullPolicy(image),
      command: ['python3', '-u', `${CONFIG_DIR}/receiver.py`],
      ports: [{ name: 'webhook', number: WEBHOOK_PORT }, { name: 'metrics', number: METRICS_PORT }],
      envVariables: {
        RETRAIN_TRIGGER_CONFIG: kplus.EnvValue.fromValue(`${CONFIG_DIR}/config.json`),
        AIRFLOW_USERNAME: this.credentials.envValue(Credentials.USERNAME),
        AIRFLOW_PASSWORD: this.credentials.envValue(Credentials.PASSWORD),
      },
      securityContext: restrictedContainerSecurity(NOBODY),
      resources: props.resources ?? {
        cpu: { request: kplus.Cpu.millis(10) },
        memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
      },
      readiness: httpGetProbe('/healthz', WEBHOOK_PORT, { failureThreshold: 3 }),
      liveness: httpGetProbe('/healthz', WEBHOOK_PORT, { failureThreshold: 6 }),
    });
    container.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap), { readOnly: true });
    mountWritablePaths(this, container, { tmp: '/tmp' });

    this.restrictEgress(props.airflow.apiPeer, props.airflow.apiUrl, props.tracing);
    props.tracing?.allowFrom(this.deployment);
    const namespace = Chart.of(this).namespace;
    this.scrapeTargets = [{
      name: 'retrain-trigger',
      discovery: ScrapeDiscovery.SERVICE,
      namespace,
      selector: instanceSelector(labels),
      endpoints: [{ port: 'metrics', path: '/metrics' }],
    }];
    placeWorkloads(this, props.placement);
  }

  /** Lets `peer` post to the webhook on port 8080: the Alertmanager pods. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.deployment, peer, [WEBHOOK_PORT]);
  }

  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.deployment, scraper, [METRICS_PORT]);
  }

  private checkDags(): void {
    const entries = Object.entries(this.dags);
    if (entries.length === 0) {
      throw new MlopsValidationError(this, "dags is invalid: it is empty; map at least one alert to the DAG it starts, e.g. { ModelDrifted: 'retrain' }");
    }
    for (const [alert, dag] of entries) {
      if (!ALERT_NAME.test(alert)) {
        throw new MlopsValidationError(this, `dags: alert name '${alert}' is invalid: must be a Prometheus alert name (letters, digits and '_', `
          + "not starting with a digit), e.g. 'ModelDrifted'");
      }
      if (!DAG_ID.test(dag)) {
        throw new MlopsValidationError(this, `dags: DAG id '${dag}' of alert '${alert}' is invalid: Airflow accepts only letters, digits, '_', '.' `
          + "and '-', at most 250; e.g. 'retrain'");
      }
    }
  }

  /** The pod may reach DNS, Airflow's api-server and the trace collector, nothing else. */
  private restrictEgress(api: kplus.INetworkPolicyPeer, apiUrl: string, tracing: ITraceCollector | undefined): void {
    const url = new URL(apiUrl);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    new kplus.NetworkPolicy(this, 'Egress', {
      selector: this.deployment,
      egress: {
        default: kplus.NetworkPolicyTrafficDefault.DENY,
        rules: [
          { peer: api, ports: [kplus.NetworkPolicyPort.tcp(port)] },
          ...(tracing ? [{ peer: tracing.collectorPods, ports: [kplus.NetworkPolicyPort.tcp(tracing.otlpHttpEndpoint.port)] }] : []),
          {
            peer: kplus.Namespaces.all(this, 'AnyNamespace'),
            ports: [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)],
          },
        ],
      },
    });
  }
}
