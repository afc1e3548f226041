// The settings of the Seldon Core v2.6.0 chart `seldon-core-v2-setup` (templates/seldon-v2-components.yaml with its
// values.yaml) that `SeldonOperatorConfig` reproduces: the environment of each component and server container, as
// the chart renders it with its defaults. Every connection is PLAINTEXT there, so the TLS Secret names and paths
// below are inert; they are kept so that the components start exactly as the chart's do (not part of the public API).

/** A container's environment variable, as both the SeldonConfig and the ServerConfig bindings take it. */
export interface SeldonEnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly fieldRef?: { readonly fieldPath: string };
    readonly resourceFieldRef?: { readonly containerName: string; readonly resource: string };
    readonly configMapKeyRef?: { readonly name: string; readonly key: string };
    readonly secretKeyRef?: { readonly name: string; readonly key: string; readonly optional: boolean };
  };
}

/** Plain variables, in order. */
export function envOf(pairs: Array<[string, string]>): SeldonEnvVar[] {
  return pairs.map(([name, value]) => ({ name, value }));
}

export const POD_NAME: SeldonEnvVar = { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } };
export const POD_NAMESPACE: SeldonEnvVar = { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } };

/** The uid/gid the chart runs every component and server as (`securityContext` of each component in values.yaml). */
export const SELDON_USER = { user: 1000, group: 1000 };

/** The Services the operator makes for a runtime, which the components call. */
export const SCHEDULER_HOST = 'seldon-scheduler';
export const ENVOY_HOST = 'seldon-mesh';

/** Where the components read the operator's per-runtime ConfigMaps `seldon-kafka` and `seldon-tracing`. */
export const KAFKA_CONFIG_PATH = '/mnt/kafka/kafka.json';
export const TRACING_CONFIG_PATH = '/mnt/tracing/tracing.json';
export const TRACING_VOLUME = { name: 'tracing-config-volume', configMap: { name: 'seldon-tracing' } };
export const TRACING_MOUNT = { mountPath: '/mnt/tracing', name: TRACING_VOLUME.name };

/** The scheduler's side of the control plane (`security.controlplane.ssl.server`). */
export const CONTROL_PLANE_SERVER = envOf([
  ['CONTROL_PLANE_SECURITY_PROTOCOL', 'PLAINTEXT'],
  ['CONTROL_PLANE_SERVER_TLS_SECRET_NAME', 'seldon-controlplane-server'],
  ['CONTROL_PLANE_CLIENT_TLS_SECRET_NAME', 'seldon-controlplane-client'],
  ['CONTROL_PLANE_SERVER_TLS_KEY_LOCATION', '/tmp/certs/cps/tls.key'],
  ['CONTROL_PLANE_SERVER_TLS_CRT_LOCATION', '/tmp/certs/cps/tls.crt'],
  ['CONTROL_PLANE_SERVER_TLS_CA_LOCATION', '/tmp/certs/cps/ca.crt'],
  ['CONTROL_PLANE_CLIENT_TLS_CA_LOCATION', '/tmp/certs/cpc/ca.crt'],
]);

/** The side of the control plane of those that call the scheduler (`security.controlplane.ssl.client`). */
export const CONTROL_PLANE_CLIENT = envOf([
  ['CONTROL_PLANE_SECURITY_PROTOCOL', 'PLAINTEXT'],
  ['CONTROL_PLANE_CLIENT_TLS_SECRET_NAME', 'seldon-controlplane-client'],
  ['CONTROL_PLANE_SERVER_TLS_SECRET_NAME', 'seldon-controlplane-server'],
  ['CONTROL_PLANE_CLIENT_TLS_KEY_LOCATION', '/tmp/certs/cpc/tls.key'],
  ['CONTROL_PLANE_CLIENT_TLS_CRT_LOCATION', '/tmp/certs/cpc/tls.crt'],
  ['CONTROL_PLANE_CLIENT_TLS_CA_LOCATION', '/tmp/certs/cpc/ca.crt'],
  ['CONTROL_PLANE_SERVER_TLS_CA_LOCATION', '/tmp/certs/cps/ca.crt'],
]);

/** The gateways' Kafka client (`security.kafka`). */
export const KAFKA_CLIENT = envOf([
  ['KAFKA_SECURITY_PROTOCOL', 'PLAINTEXT'],
  ['KAFKA_SASL_MECHANISM', 'SCRAM-SHA-512'],
  ['KAFKA_CLIENT_TLS_ENDPOINT_IDENTIFICATION_ALGORITHM', ''],
  ['KAFKA_CLIENT_TLS_SECRET_NAME', ''],
  ['KAFKA_CLIENT_TLS_KEY_LOCATION', '/tmp/certs/kafka/client/tls.key'],
  ['KAFKA_CLIENT_TLS_CRT_LOCATION', '/tmp/certs/kafka/client/tls.crt'],
  ['KAFKA_CLIENT_TLS_CA_LOCATION', '/tmp/certs/kafka/client/ca.crt'],
  ['KAFKA_CLIENT_SASL_USERNAME', 'seldon'],
  ['KAFKA_CLIENT_SASL_SECRET_NAME', ''],
  ['KAFKA_CLIENT_SASL_PASSWORD_LOCATION', '/tmp/sasl/kafka/client/password'],
  ['KAFKA_BROKER_TLS_SECRET_NAME', ''],
  ['KAFKA_BROKER_TLS_CA_LOCATION', '/tmp/certs/kafka/broker/ca.crt'],
]);

/** The dataflow engine's Kafka client (`security.kafka`), under its own names. */
export const DATAFLOW_KAFKA_CLIENT = envOf([
  ['SELDON_KAFKA_SECURITY_PROTOCOL', 'PLAINTEXT'],
  ['SELDON_KAFKA_TLS_CLIENT_SECRET', ''],
  ['SELDON_KAFKA_TLS_CLIENT_KEY_PATH', '/tmp/certs/kafka/client/tls.key'],
  ['SELDON_KAFKA_TLS_CLIENT_CERT_PATH', '/tmp/certs/kafka/client/tls.crt'],
  ['SELDON_KAFKA_TLS_CLIENT_CA_PATH', '/tmp/certs/kafka/client/ca.crt'],
  ['SELDON_KAFKA_TLS_BROKER_SECRET', ''],
  ['SELDON_KAFKA_TLS_BROKER_CA_PATH', '/tmp/certs/kafka/broker/ca.crt'],
  ['SELDON_KAFKA_TLS_ENDPOINT_IDENTIFICATION_ALGORITHM', ''],
  ['SELDON_KAFKA_SASL_MECHANISM', 'SCRAM-SHA-512'],
  ['SELDON_KAFKA_SASL_USERNAME', 'seldon'],
  ['SELDON_KAFKA_SASL_SECRET', ''],
  ['SELDON_KAFKA_SASL_PASSWORD_PATH', '/tmp/sasl/kafka/client/password'],
  ['SELDON_TLS_ENDPOINT_IDENTIFICATION_ALGORITHM', ''],
]);

/** The scheduler as Envoy's client and the downstream side it configures (`security.envoy`). */
export const SCHEDULER_ENVOY = envOf([
  ['ENVOY_SECURITY_PROTOCOL', 'PLAINTEXT'],
  ['ENVOY_UPSTREAM_CLIENT_TLS_SECRET_NAME', 'seldon-upstream-client'],
  ['ENVOY_UPSTREAM_SERVER_TLS_SECRET_NAME', 'seldon-upstream-server'],
  ['ENVOY_UPSTREAM_CLIENT_TLS_KEY_LOCATION', '/tmp/certs/duc/tls.key'],
  ['ENVOY_UPSTREAM_CLIENT_TLS_CRT_LOCATION', '/tmp/certs/duc/tls.crt'],
  ['ENVOY_UPSTREAM_CLIENT_TLS_CA_LOCATION', '/tmp/certs/duc/ca.crt'],
  ['ENVOY_UPSTREAM_SERVER_TLS_CA_LOCATION', '/tmp/certs/dus/ca.crt'],
  ['ENVOY_DOWNSTREAM_SERVER_TLS_SECRET_NAME', 'seldon-downstream-server'],
  ['ENVOY_DOWNSTREAM_CLIENT_TLS_SECRET_NAME', ''],
  ['ENVOY_DOWNSTREAM_SERVER_TLS_KEY_LOCATION', '/tmp/certs/dds/tls.key'],
  ['ENVOY_DOWNSTREAM_SERVER_TLS_CRT_LOCATION', '/tmp/certs/dds/tls.crt'],
  ['ENVOY_DOWNSTREAM_SERVER_TLS_CA_LOCATION', '/tmp/certs/dds/ca.crt'],
  ['ENVOY_DOWNSTREAM_CLIENT_TLS_CA_LOCATION', '/tmp/certs/ddc/ca.crt'],
]);

/** What Envoy calls: an agent or the pipeline gateway as upstream server (`security.envoy.ssl.upstream.server`). */
export const ENVOY_UPSTREAM_SERVER = envOf([
  ['ENVOY_UPSTREAM_SERVER_TLS_SECRET_NAME', 'seldon-upstream-server'],
  ['ENVOY_UPSTREAM_CLIENT_TLS_SECRET_NAME', 'seldon-upstream-client'],
  ['ENVOY_UPSTREAM_SERVER_TLS_KEY_LOCATION', '/tmp/certs/dus/tls.key'],
  ['ENVOY_UPSTREAM_SERVER_TLS_CRT_LOCATION', '/tmp/certs/dus/tls.crt'],
  ['ENVOY_UPSTREAM_SERVER_TLS_CA_LOCATION', '/tmp/certs/dus/ca.crt'],
  ['ENVOY_UPSTREAM_CLIENT_TLS_CA_LOCATION', '/tmp/certs/duc/ca.crt'],
]);

/** The gateways as Envoy's clients (`security.envoy.ssl.downstream.client`). */
export const ENVOY_DOWNSTREAM_CLIENT = envOf([
  ['ENVOY_DOWNSTREAM_CLIENT_MTLS', 'false'],
  ['ENVOY_DOWNSTREAM_CLIENT_TLS_SECRET_NAME', ''],
  ['ENVOY_DOWNSTREAM_SERVER_TLS_SECRET_NAME', 'seldon-downstream-server'],
  ['ENVOY_DOWNSTREAM_CLIENT_TLS_KEY_LOCATION', '/tmp/certs/ddc/tls.key'],
  ['ENVOY_DOWNSTREAM_CLIENT_TLS_CRT_LOCATION', '/tmp/certs/ddc/tls.crt'],
  ['ENVOY_DOWNSTREAM_CLIENT_TLS_CA_LOCATION', '/tmp/certs/ddc/ca.crt'],
  ['ENVOY_DOWNSTREAM_SERVER_TLS_CA_LOCATION', '/tmp/certs/dds/ca.crt'],
]);

/** Envoy's xDS client certificates, from optional Secrets (PLAINTEXT does not read them). */
export const ENVOY_XDS: SeldonEnvVar[] = [
  { name: 'ENVOY_SECURITY_PROTOCOL', value: 'PLAINTEXT' },
  { name: 'ENVOY_XDS_CLIENT_TLS_KEY', valueFrom: { secretKeyRef: { key: 'tls.key', name: 'seldon-controlplane-client', optional: true } } },
  { name: 'ENVOY_XDS_CLIENT_TLS_CRT', valueFrom: { secretKeyRef: { key: 'tls.crt', name: 'seldon-controlplane-client', optional: true } } },
  { name: 'ENVOY_XDS_SERVER_TLS_CA', valueFrom: { secretKeyRef: { key: 'ca.crt', name: 'seldon-controlplane-server', optional: true } } },
];

/** The scheduler's ports for the gateways (`SELDON_SCHEDULER_PLAINTXT_PORT`, `SELDON_SCHEDULER_TLS_PORT`). */
export const GATEWAY_SCHEDULER_PORTS = envOf([['SELDON_SCHEDULER_PLAINTXT_PORT', '9004'], ['SELDON_SCHEDULER_TLS_PORT', '9044']]);

/** Kafka topics (`kafka.topics`) and message size (`kafka.consumer.messageMaxBytes`). */
export const KAFKA_REPLICATION_FACTOR = '1';
export const KAFKA_PARTITIONS = '1';
export const KAFKA_MESSAGE_MAX_BYTES = '1000000000';

/** The agent's scaling and overcommit settings (`serverConfig.agent`). */
export const AGENT_THRESHOLDS = envOf([
  ['SELDON_MODEL_INFERENCE_LAG_THRESHOLD', '30'],
  ['SELDON_MODEL_INACTIVE_SECONDS_THRESHOLD', '600'],
  ['SELDON_SCALING_STATS_PERIOD_SECONDS', '20'],
  ['SELDON_OVERCOMMIT_PERCENTAGE', '10'],
]);

/** The agent's ports and its server's, as every ServerConfig has them. */
export const AGENT_PORTS = envOf([
  ['SELDON_SERVER_HTTP_PORT', '9000'],
  ['SELDON_SERVER_GRPC_PORT', '9500'],
  ['SELDON_REVERSE_PROXY_HTTP_PORT', '9001'],
  ['SELDON_REVERSE_PROXY_GRPC_PORT', '9501'],
]);
