import { ApiObject, Chart, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { LogOutput } from './log-output';
import { configChecksum } from '../core/config-checksum';
import { MlopsValidationError } from '../core/errors';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { httpGetProbe } from '../core/probes';
import { anImage, anInstanceOf, checkProps } from '../core/props-check';
import { A_PLACEMENT, placeWorkloads, WorkloadPlacement } from '../core/workload-placement';

const LOG_DIR = '/var/log/pods';
const CHECKPOINT_DIR = '/var/lib/otelcol/file_storage';
const CONFIG_DIR = '/etc/otelcol-contrib';
const HEALTH_PORT = 13133;

/** Properties of a `NodeLogShipper`. */
export interface NodeLogShipperProps {
  /** Where the logs go: `LogOutput.loki(store)` or `LogOutput.elasticsearch(...)`. */
  readonly output: LogOutput;

  /**
   * The OpenTelemetry Collector contrib image (its `filelog` receiver reads the files).
   *
   * @default DefaultImages.OTEL_COLLECTOR
   */
  readonly image?: string;

  /**
   * The container's cpu and memory, per node.
   *
   * @default - cpu request 50m; memory request 128Mi, limit 256Mi
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Where the pods run; give tolerations for tainted nodes whose logs you want too.
   *
   * @default - every untainted node
   */
  readonly placement?: WorkloadPlacement;
}

/**
 * Ships every container's log from every node: a DaemonSet of the OpenTelemetry Collector whose `filelog` receiver
 * reads `/var/log/pods` (the kubelet's CRI log files; the `container` operator parses them and names the pod,
 * namespace and container from the path), adds the pod's labels (`k8sattributes`) and sends the lines to `output`.
 *
 * Pod Security: reading a hostPath is forbidden by `baseline` and `restricted`, so the shipper lives in a namespace of
 * its own, the chart's, which it creates labelled `pod-security.kubernetes.io/enforce: privileged`; put nothing else
 * there. The pod itself stays as narrow as it can: uid 0 (the log files belong to root) without any capability or
 * privilege escalation, RuntimeDefault seccomp, a read-only root filesystem, `/var/log/pods` mounted read-only as its
 * only hostPath, and the read positions in an emptyDir (a replaced pod reads the files again from the start; Loki
 * drops the lines it has, with the same timestamp, while an Elasticsearch output indexes them twice). Its
 * ServiceAccount may only get, list and watch pods and namespaces.
 */
export class NodeLogShipper extends Construct {
  /** The shipper's Namespace, enforcing Pod Security `privileged`. */
  public readonly namespace: kplus.Namespace;
  /** The DaemonSet. */
  public readonly daemonSet: kplus.DaemonSet;
  /** The collector's configuration, as mounted. */
  public readonly config: string;

  constructor(scope: Construct, id: string, props: NodeLogShipperProps) {
    super(scope, id);
    checkProps(this, props, { output: anInstanceOf(LogOutput, 'LogOutput.loki(logStore)') }, {
      image: anImage('DefaultImages.OTEL_COLLECTOR'), placement: A_PLACEMENT,
    });
    const namespaceName = Chart.of(this).namespace;
    if (!namespaceName) {
      throw new MlopsValidationError(this, 'the chart has no namespace: the shipper needs a namespace of its own that enforces Pod Security '
        + "privileged, which it creates; give its chart one, e.g. new Chart(app, 'logs', { namespace: 'mlops-logs' })");
    }
    const image = props.image ?? defaultImage(this, DefaultImages.OTEL_COLLECTOR);
    const labels = componentLabels(this, { name: 'otel-collector', component: 'log-shipper', image });

    this.namespace = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: namespaceName,
        labels: {
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/enforce-version': 'v1.28',
          // What the shipper breaks of restricted is visible in warnings and the audit log.
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
    ApiObject.of(this.namespace).addJsonPatch(JsonPatch.remove('/metadata/namespace'));

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: { labels } });
    const clusterRole = new kplus.ClusterRole(this, 'ClusterRole', { metadata: { labels } });
    clusterRole.allowRead(kplus.ApiResource.PODS, kplus.ApiResource.NAMESPACES);
    const binding = clusterRole.bind(serviceAccount);
    for (const clusterScoped of [clusterRole, binding]) {
      ApiObject.of(clusterScoped).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }

    this.config = shipperConfig(namespaceName, props.output);
    const files = { 'config.yaml': this.config };
    const configMap = new kplus.ConfigMap(this, 'Config', { metadata: { labels }, data: files });
    this.daemonSet = new kplus.DaemonSet(this, 'Resource', {
      metadata: { labels },
      podMetadata: {
        labels,
        annotations: configChecksum(files),
      },
      serviceAccount,
      automountServiceAccountToken: true,
      securityContext: {
        ensureNonRoot: false,
        user: 0,
        group: 0,
      },
    });
    const container = this.daemonSet.addContainer({
      name: 'log-shipper',
      image,
      imagePullPolicy: imagePullPolicy(image),
      args: [`--config=${CONFIG_DIR}/config.yaml`],
      ports: [{ name: 'health', number: HEALTH_PORT }],
      envVariables: {
        K8S_NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
        ...props.output._env(this),
      },
      securityContext: {
        ensureNonRoot: false,
        user: 0,
        group: 0,
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: [kplus.Capability.ALL] },
        seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
      resources: props.resources ?? {
        cpu: { request: kplus.Cpu.millis(50) },
        memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
      },
      readiness: httpGetProbe('/', HEALTH_PORT, { failureThreshold: 3 }),
      liveness: httpGetProbe('/', HEALTH_PORT, { failureThreshold: 6 }),
    });
    container.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap), { readOnly: true });
    container.mount(LOG_DIR, kplus.Volume.fromHostPath(this, 'PodLogs', 'pod-logs', { path: LOG_DIR, type: kplus.HostPathVolumeType.DIRECTORY }),
      { readOnly: true });
    container.mount(CHECKPOINT_DIR, kplus.Volume.fromEmptyDir(this, 'Checkpoints', 'checkpoints'));
    props.output._allowFrom(this.daemonSet);
    placeWorkloads(this, props.placement);
  }
}

/**
 * The shipper's pipeline: `filelog` on every pod's log files except its own namespace's (its own lines would loop),
 * the `container` operator, `k8sattributes` by pod uid on this node, `memory_limiter`, `batch`, then the output.
 */
function shipperConfig(ownNamespace: string, output: LogOutput): string {
  return stringify({
    extensions: {
      health_check: { endpoint: `0.0.0.0:${HEALTH_PORT}` },
      file_storage: { directory: CHECKPOINT_DIR },
    },
    receivers: {
      filelog: {
        include: [`${LOG_DIR}/*/*/*.log`],
        exclude: [`${LOG_DIR}/${ownNamespace}_*/*/*.log`],
        start_at: 'beginning',
        include_file_path: true,
        include_file_name: false,
        storage: 'file_storage',
        operators: [{ type: 'container', id: 'container-parser' }],
      },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
      k8sattributes: {
        auth_type: 'serviceAccount',
        filter: { node_from_env_var: 'K8S_NODE_NAME' },
        pod_association: [{ sources: [{ from: 'resource_attribute', name: 'k8s.pod.uid' }] }],
        extract: {
          metadata: ['k8s.namespace.name', 'k8s.pod.name', 'k8s.pod.uid', 'k8s.node.name'],
          labels: [
            { tag_name: 'app.kubernetes.io/name', key: 'app.kubernetes.io/name', from: 'pod' },
            { tag_name: 'app.kubernetes.io/component', key: 'app.kubernetes.io/component', from: 'pod' },
          ],
        },
      },
      batch: {},
    },
    exporters: output._exporters(),
    service: {
      extensions: ['health_check', 'file_storage'],
      pipelines: {
        logs: { receivers: ['filelog'], processors: ['memory_limiter', 'k8sattributes', 'batch'], exporters: Object.keys(output._exporters()) },
      },
    },
  });
}
