// Labels and ports of the pods the Seldon Core v2.6 operator renders (not part of the public API).

/**
 * The label this library puts on a SeldonRuntime. The operator copies a runtime's labels onto the pods of its
 * components (`utils.MergeMaps(meta.Labels, ...)` in operator/controllers/reconcilers/seldon/deployment_reconciler.go
 * @v2.6.0), which is how the runtime's NetworkPolicies select them.
 */
export const SELDON_RUNTIME_LABEL = 'mlops.cdk8s.io/seldon-runtime';

/** The operator's name label of a component's pods: `app.kubernetes.io/name: seldon-envoy`, ... */
export const COMPONENT_NAME_LABEL = 'app.kubernetes.io/name';

/** Every Server pod carries `app: seldon-server` (operator/pkg/constants @v2.6.0), as upstream's PodMonitors select. */
export const SERVER_POD_LABELS = { app: 'seldon-server' };

/** The components of SeldonConfig `default` (v2.6.0), by the name their pods carry. */
export const SeldonComponent = {
  SCHEDULER: 'seldon-scheduler',
  ENVOY: 'seldon-envoy',
  MODEL_GATEWAY: 'seldon-modelgateway',
  PIPELINE_GATEWAY: 'seldon-pipelinegateway',
  DATAFLOW_ENGINE: 'seldon-dataflow-engine',
  HODOMETER: 'hodometer',
} as const;

/** The container ports of the v2.6.0 SeldonConfig and ServerConfigs that other pods reach. */
export const SeldonPort = {
  /** Envoy's data plane, behind the `seldon-mesh` Service's port 80. */
  ENVOY_HTTP: 9000,
  /** The scheduler's API, which the operator's controller calls. */
  SCHEDULER: 9004,
  /** The agent's (and the pipeline gateway's) Prometheus metrics, port `metrics`. */
  METRICS: 9006,
  /** Triton's Prometheus metrics, port `server-metrics`. */
  TRITON_METRICS: 8002,
} as const;
