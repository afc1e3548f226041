/** The label KServe puts on every pod of an InferenceService. */
export const INFERENCE_SERVICE_LABEL = 'serving.kserve.io/inferenceservice';
/** The label KServe puts on the router pods of an InferenceGraph. */
export const INFERENCE_GRAPH_LABEL = 'serving.kserve.io/inferencegraph';
/** The HTTP port of KServe's runtimes and of the InferenceGraph router. */
export const HTTP_PORT = 8080;
