import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AGENT_PORTS, AGENT_THRESHOLDS, CONTROL_PLANE_CLIENT, ENVOY_HOST, ENVOY_UPSTREAM_SERVER, envOf, POD_NAME, POD_NAMESPACE, SCHEDULER_HOST,
  SELDON_USER, TRACING_CONFIG_PATH, TRACING_MOUNT, TRACING_VOLUME,
} from './seldon-chart-settings';
import { SeldonPort } from './seldon-labels';
import { SeldonServerConfig } from './seldon-server-config';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/security';
import * as srv from '../imports/seldon-serverconfig-mlops.seldon.io';

// The ServerConfigs `mlserver` and `triton` of the Seldon Core v2.6.0 chart `seldon-core-v2-setup`, restricted, for
// `SeldonOperatorConfig` (not part of the public API).

/** The ConfigMap the operator writes for each runtime's agents, and the volume the chart mounts it as. */
const AGENT_CONFIG_VOLUME = { name: 'config-volume', configMap: { name: 'seldon-agent' } };
/** The ServiceAccount the operator makes in each runtime's namespace for the servers. */
const SERVER_ACCOUNT = 'seldon-server';
/** The agent's drain endpoint, which every server container's preStop calls. */
const DRAINER_PORT = 9007;

/**
 * The ServerConfigs `mlserver` and `triton` in `namespace`, as uid/gid 1000 with RuntimeDefault seccomp, no privilege
 * escalation and no capabilities. The agent's root filesystem is read-only; rclone (which writes the remotes it is
 * given to `/rclone`) and the model servers (whose images vary, and which a `SeldonServer` may replace) keep theirs.
 */
export function seldonServerConfigs(scope: Construct, namespace: string, tracingServer?: string): ApiObject[] {
  return [
    serverConfig(scope, 'Mlserver', namespace, SeldonServerConfig.MLSERVER, mlserver(scope), tracingServer),
    serverConfig(scope, 'Triton', namespace, SeldonServerConfig.TRITON, triton(scope)),
  ];
}

function mlserver(scope: Construct): srv.ServerConfigSpecPodSpecContainers {
  return {
    ...serverContainer(SeldonServerConfig.MLSERVER, defaultImage(scope, DefaultImages.SELDON_MLSERVER)),
    env: envOf([
      ['MLSERVER_HTTP_PORT', '9000'],
      ['MLSERVER_GRPC_PORT', '9500'],
      ['MLSERVER_MODELS_DIR', '/mnt/agent/models'],
      ['MLSERVER_MODEL_PARALLEL_WORKERS', '1'],
      ['MLSERVER_LOAD_MODELS_AT_STARTUP', 'false'],
      ['MLSERVER_GRPC_MAX_MESSAGE_LENGTH', '1048576000'],
    ]),
    ports: [{ containerPort: 9500, name: 'server-grpc', protocol: 'TCP' }, { containerPort: 9000, name: 'server-http', protocol: 'TCP' }],
    volumeMounts: [
      { mountPath: '/mnt/agent', name: modelsClaim(SeldonServerConfig.MLSERVER), readOnly: true },
      { mountPath: '/mnt/certs', name: 'downstream-ca-certs', readOnly: true },
    ],
  };
}

function triton(scope: Construct): srv.ServerConfigSpecPodSpecContainers {
  return {
    ...serverContainer(SeldonServerConfig.TRITON, defaultImage(scope, DefaultImages.SELDON_TRITON)),
    command: ['/opt/tritonserver/bin/tritonserver'],
    args: [
      '--model-repository=$(SERVER_MODELS_DIR)',
      '--http-port=$(SERVER_HTTP_PORT)',
      '--grpc-port=$(SERVER_GRPC_PORT)',
      '--log-verbose=1',
      '--model-control-mode=explicit',
      '--backend-config=python,shm-default-byte-size=16777216',
    ],
    env: envOf([
      ['SERVER_HTTP_PORT', '9000'],
      ['SERVER_GRPC_PORT', '9500'],
      ['SERVER_MODELS_DIR', '/mnt/agent/models'],
      ['LD_PRELOAD', '/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4'],
    ]),
    ports: [
      { containerPort: 9500, name: 'server-grpc', protocol: 'TCP' },
      { containerPort: 9000, name: 'server-http', protocol: 'TCP' },
      { containerPort: SeldonPort.TRITON_METRICS, name: 'server-metrics' },
    ],
    volumeMounts: [
      { mountPath: '/mnt/agent', name: modelsClaim(SeldonServerConfig.TRITON), readOnly: true },
      { mountPath: '/dev/shm', name: 'dshm', readOnly: false },
    ],
  };
}

/** What MLServer's and Triton's containers share: image, probes on `/v2/health/live`, the drain on stop, resources. */
function serverContainer(config: SeldonServerConfig, image: string): srv.ServerConfigSpecPodSpecContainers {
  const live = '/v2/health/live';
  return {
    ...serverSideContainer(config.serverContainer, image, '100m', '1Gi'),
    livenessProbe: { httpGet: { path: live, port: srv.ServerConfigSpecPodSpecContainersLivenessProbeHttpGetPort.fromString('server-http') } },
    readinessProbe: {
      httpGet: { path: live, port: srv.ServerConfigSpecPodSpecContainersReadinessProbeHttpGetPort.fromString('server-http') },
      initialDelaySeconds: 5,
      periodSeconds: 5,
    },
    startupProbe: {
      failureThreshold: 10,
      httpGet: { path: live, port: srv.ServerConfigSpecPodSpecContainersStartupProbeHttpGetPort.fromString('server-http') },
      periodSeconds: 10,
    },
  };
}

/** A container of a server pod: image, the agent's drain before it stops, resources (memory limit = request). */
function serverSideContainer(name: string, image: string, cpu: string, memory: string, readOnlyRootFilesystem?: boolean) {
  return {
    name,
    image,
    imagePullPolicy: imagePullPolicy(image),
    lifecycle: { preStop: { httpGet: { path: 'terminate', port: srv.ServerConfigSpecPodSpecContainersLifecyclePreStopHttpGetPort.fromNumber(DRAINER_PORT) } } },
    resources: {
      requests: {
        cpu: srv.ServerConfigSpecPodSpecContainersResourcesRequests.fromString(cpu),
        memory: srv.ServerConfigSpecPodSpecContainersResourcesRequests.fromString(memory),
      },
      limits: { memory: srv.ServerConfigSpecPodSpecContainersResourcesLimits.fromString(memory) },
    },
    securityContext: { ...restrictedContainerSecurityContext(), readOnlyRootFilesystem },
  };
}

/** A ServerConfig: rclone and the agent beside the model server, as the chart's, with its capabilities. */
function serverConfig(
  scope: Construct, id: string, namespace: string, config: SeldonServerConfig, server: srv.ServerConfigSpecPodSpecContainers, tracingServer?: string,
): ApiObject {
  const models = modelsClaim(config);
  const isMlserver = config === SeldonServerConfig.MLSERVER;
  const rclone: srv.ServerConfigSpecPodSpecContainers = {
    ...serverSideContainer('rclone', defaultImage(scope, DefaultImages.SELDON_RCLONE), '50m', '128Mi'),
    ports: [{ containerPort: 5572, name: 'rclone', protocol: 'TCP' }],
    readinessProbe: {
      failureThreshold: 3,
      initialDelaySeconds: 5,
      periodSeconds: 5,
      successThreshold: 1,
      tcpSocket: { port: srv.ServerConfigSpecPodSpecContainersReadinessProbeTcpSocketPort.fromNumber(5572) },
      timeoutSeconds: 1,
    },
    volumeMounts: [{ mountPath: '/mnt/agent', name: models }],
  };
  const agent: srv.ServerConfigSpecPodSpecContainers = {
    ...serverSideContainer('agent', defaultImage(scope, DefaultImages.SELDON_AGENT), '200m', '1Gi', true),
    command: ['/bin/agent'],
    args: [`--tracing-config-path=${TRACING_CONFIG_PATH}`],
    env: [
      { name: 'SELDON_SERVER_CAPABILITIES', value: config.capabilities.join(',') },
      ...AGENT_THRESHOLDS,
      ...CONTROL_PLANE_CLIENT,
      { name: 'ENVOY_SECURITY_PROTOCOL', value: 'PLAINTEXT' },
      ...ENVOY_UPSTREAM_SERVER,
      ...(tracingServer ? [{ name: 'MLSERVER_TRACING_SERVER', value: tracingServer }] : []),
      ...AGENT_PORTS,
      ...envOf([
        ['SELDON_SCHEDULER_HOST', SCHEDULER_HOST],
        ['SELDON_SCHEDULER_PORT', '9005'],
        ...(isMlserver ? [['SELDON_SCHEDULER_TLS_PORT', '9055'] as [string, string]] : []),
        ['SELDON_METRICS_PORT', String(SeldonPort.METRICS)],
        ['SELDON_DRAINER_PORT', String(DRAINER_PORT)],
        ['AGENT_TLS_SECRET_NAME', ''],
        ['AGENT_TLS_FOLDER_PATH', ''],
        ['SELDON_SERVER_TYPE', config.name],
        ...(isMlserver ? [['SELDON_ENVOY_HOST', ENVOY_HOST], ['SELDON_ENVOY_PORT', '80']] as Array<[string, string]> : []),
      ]),
      POD_NAME,
      POD_NAMESPACE,
      { name: 'MEMORY_REQUEST', valueFrom: { resourceFieldRef: { containerName: config.serverContainer, resource: 'requests.memory' } } },
    ],
    ports: [
      { containerPort: 9501, name: 'grpc', protocol: 'TCP' },
      { containerPort: 9001, name: 'http', protocol: 'TCP' },
      { containerPort: SeldonPort.METRICS, name: 'metrics', protocol: 'TCP' },
    ],
    volumeMounts: [
      { mountPath: '/mnt/agent', name: models },
      { mountPath: '/mnt/config', name: AGENT_CONFIG_VOLUME.name },
      TRACING_MOUNT,
    ],
  };
  return new srv.ServerConfig(scope, id, {
    metadata: { name: config.name, namespace },
    spec: {
      podSpec: {
        securityContext: restrictedPodSecurityContext(SELDON_USER),
        serviceAccountName: SERVER_ACCOUNT,
        terminationGracePeriodSeconds: 120,
        containers: [rclone, agent, server],
        volumes: [
          ...(isMlserver ? [{ name: 'downstream-ca-certs', secret: { optional: true, secretName: 'seldon-downstream-server' } }] : []),
          AGENT_CONFIG_VOLUME,
          TRACING_VOLUME,
          ...(isMlserver ? [] : [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: srv.ServerConfigSpecPodSpecVolumesEmptyDirSizeLimit.fromString('256Mi') } }]),
        ],
      },
      volumeClaimTemplates: [{
        name: models,
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: srv.ServerConfigSpecVolumeClaimTemplatesSpecResourcesRequests.fromString('1Gi') } },
        },
      }],
    },
  });
}

/** The claim a server's models are downloaded to: `<config>-models`. */
function modelsClaim(config: SeldonServerConfig): string {
  return `${config.name}-models`;
}
