import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { configChecksum } from '../core/config-checksum';
import { ServiceEndpoint } from '../core/endpoint';
import { imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';

export const STATSD_PORT = 9125;
export const METRICS_PORT = 9102;
const CONFIG_DIR = '/etc/statsd-exporter';
const NOBODY = { user: 65534, group: 65534 };

/** A statsd name pattern turned into a Prometheus metric with labels taken from the `*` parts. */
function mapping(match: string, name: string, ...labels: string[]): object {
  return { match, name, labels: Object.fromEntries(labels.map((label, i) => [label, `$${i + 1}`])) };
}

/** The Airflow Helm chart's mappings: ids that Airflow puts into metric names become labels. */
const MAPPINGS = {
  mappings: [
    mapping('airflow.dagrun.dependency-check.*.*', 'airflow_dagrun_dependency_check', 'dag_id'),
    { match: 'airflow.operator_successes_(.*)', match_type: 'regex', name: 'airflow_operator_successes', labels: { operator: '$1' } },
    { match: 'airflow.operator_failures_(.*)', match_type: 'regex', name: 'airflow_operator_failures', labels: { operator: '$1' } },
    mapping('airflow.dag.*.*.duration', 'airflow_task_duration', 'dag_id', 'task_id'),
    mapping('airflow.dagrun.duration.success.*', 'airflow_dagrun_duration', 'dag_id'),
    mapping('airflow.dagrun.duration.failed.*', 'airflow_dagrun_failed', 'dag_id'),
    mapping('airflow.dagrun.schedule_delay.*', 'airflow_dagrun_schedule_delay', 'dag_id'),
    mapping('airflow.dag_processing.last_run.seconds_ago.*', 'airflow_dag_processing_last_run_seconds_ago', 'dag_file'),
    mapping('airflow.pool.open_slots.*', 'airflow_pool_open_slots', 'pool'),
    mapping('airflow.pool.queued_slots.*', 'airflow_pool_queued_slots', 'pool'),
    mapping('airflow.pool.running_slots.*', 'airflow_pool_running_slots', 'pool'),
    mapping('airflow.pool.starving_tasks.*', 'airflow_pool_starving_tasks', 'pool'),
    mapping('airflow.ti.finish.*.*.*', 'airflow_ti_finish', 'dag_id', 'task_id', 'state'),
    mapping('airflow.executor.open_slots.*', 'airflow_executor_open_slots', 'executor'),
    mapping('airflow.executor.queued_tasks.*', 'airflow_executor_queued_tasks', 'executor'),
    mapping('airflow.executor.running_tasks.*', 'airflow_executor_running_tasks', 'executor'),
  ],
};

/** What the exporter needs from its Airflow. */
export interface StatsdExporterProps {
  readonly image: string;
  /** The pods that send metrics (every Airflow pod). */
  readonly senders: kplus.INetworkPolicyPeer;
}

/**
 * The Prometheus statsd exporter Airflow sends its metrics to over UDP: a Deployment with the mapping config, a
 * Service (`statsd` 9125/UDP, `metrics` 9102/TCP) and a NetworkPolicy that lets only Airflow's pods send.
 */
export class StatsdExporter extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly service: kplus.Service;
  /** Where Airflow sends, `AIRFLOW__METRICS__STATSD_HOST` and `_PORT`. */
  public readonly endpoint: ServiceEndpoint;
  /** The Service's labels, which the scrape target selects. */
  public readonly labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: StatsdExporterProps) {
    super(scope, id);
    this.labels = componentLabels(this, { name: 'statsd-exporter', component: 'metrics', image: props.image });
    const mappings = stringify(MAPPINGS);
    const config = new kplus.ConfigMap(this, 'Mappings', { metadata: { labels: this.labels }, data: { 'mappings.yml': mappings } });
    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { labels: this.labels },
      podMetadata: {
        labels: this.labels,
        annotations: configChecksum(mappings),
      },
      replicas: 1,
      securityContext: restrictedPodSecurity(NOBODY),
      containers: [{
        name: 'statsd-exporter',
        image: props.image,
        imagePullPolicy: imagePullPolicy(props.image),
        args: [
          `--statsd.mapping-config=${CONFIG_DIR}/mappings.yml`,
          `--statsd.listen-udp=:${STATSD_PORT}`,
          `--web.listen-address=:${METRICS_PORT}`,
        ],
        ports: [
          { name: 'statsd', number: STATSD_PORT, protocol: kplus.Protocol.UDP },
          { name: 'metrics', number: METRICS_PORT },
        ],
        securityContext: restrictedContainerSecurity(NOBODY),
        resources: {
          cpu: { request: kplus.Cpu.millis(10) },
          memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
        },
        readiness: kplus.Probe.fromHttpGet('/metrics', { port: METRICS_PORT, periodSeconds: Duration.seconds(10) }),
        liveness: kplus.Probe.fromHttpGet('/metrics', { port: METRICS_PORT, periodSeconds: Duration.seconds(30) }),
      }],
    });
    this.deployment.containers[0].mount(CONFIG_DIR, kplus.Volume.fromConfigMap(this, 'MappingsVolume', config, { name: 'mappings' }), { readOnly: true });
    this.service = new kplus.Service(this, 'Service', {
      metadata: { labels: this.labels },
      selector: this.deployment,
      ports: [
        { name: 'statsd', port: STATSD_PORT, targetPort: STATSD_PORT, protocol: kplus.Protocol.UDP },
        { name: 'metrics', port: METRICS_PORT, targetPort: METRICS_PORT },
      ],
    });
    this.endpoint = ServiceEndpoint.fromService(this.service, STATSD_PORT, 'udp');
    new kplus.NetworkPolicy(this, 'AllowStatsd', {
      selector: this.deployment,
      ingress: { rules: [{ peer: props.senders, ports: [kplus.NetworkPolicyPort.udp(STATSD_PORT)] }] },
    });
  }
}
