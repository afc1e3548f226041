/**
 * The pods operators create from pod templates inside custom resources, so that they are checked like any other pod
 * (references, Pod Security, resources): each replica type of a Kubeflow `PyTorchJob`, and the driver and executor pod
 * templates of a spark-operator `SparkApplication` (Spark 3.0+), completed with what Spark puts into them: the image,
 * the driver's ServiceAccount (the executors' too, unless they have their own), and cpu and memory from `cores` and
 * `memory` (Spark's memory overhead is not counted).
 */
import { asObject, isObject, jsonPath, stringMap } from './manifest-object';
import { PodTemplate } from './pod-template';

const SPARK_CONTAINERS: Record<string, string> = { driver: 'spark-kubernetes-driver', executor: 'spark-kubernetes-executor' };

/** The pod templates of the custom resources among `manifests`, in order. */
export function customResourcePodTemplates(manifests: readonly unknown[]): PodTemplate[] {
  return manifests.filter(isObject).flatMap((obj) => {
    const group = typeof obj.apiVersion === 'string' ? obj.apiVersion.split('/')[0] : '';
    if (group === 'kubeflow.org' && obj.kind === 'PyTorchJob') {
      return Object.entries(asObject(asObject(obj.spec).pytorchReplicaSpecs))
        .flatMap(([type, replica]) => template(obj, jsonPath('spec', 'pytorchReplicaSpecs', type, 'template'), asObject(replica).template));
    }
    if (group === 'sparkoperator.k8s.io' && obj.kind === 'SparkApplication') {
      return ['driver', 'executor'].flatMap((role) => sparkTemplate(obj, role));
    }
    return [];
  });
}

function template(owner: Record<string, any>, path: string, value: unknown, spec?: Record<string, any>): PodTemplate[] {
  if (!isObject(value) || !isObject(value.spec)) {
    return [];
  }
  const metadata = asObject(value.metadata);
  return [{
    owner,
    spec: spec ?? value.spec,
    specPath: jsonPath(path, 'spec'),
    labels: stringMap(metadata.labels),
    labelsPath: jsonPath(path, 'metadata', 'labels'),
    annotations: stringMap(metadata.annotations),
    annotationsPath: jsonPath(path, 'metadata', 'annotations'),
  }];
}

/** The pod Spark makes from the `role` (driver or executor) template of a SparkApplication. */
function sparkTemplate(app: Record<string, any>, role: string): PodTemplate[] {
  const appSpec = asObject(app.spec);
  const roleSpec = asObject(appSpec[role]);
  const podTemplate = roleSpec.template;
  if (!isObject(podTemplate) || !isObject(podTemplate.spec)) {
    return [];
  }
  const memory = typeof roleSpec.memory === 'string' ? sparkMemoryQuantity(roleSpec.memory) : '1Gi';
  const containers = Array.isArray(podTemplate.spec.containers) ? podTemplate.spec.containers : [];
  const spec = {
    ...podTemplate.spec,
    serviceAccountName: podTemplate.spec.serviceAccountName ?? roleSpec.serviceAccount ?? asObject(appSpec.driver).serviceAccount,
    containers: containers.map((container: unknown) => {
      const c = asObject(container);
      return c.name !== SPARK_CONTAINERS[role] ? container : {
        ...c,
        image: roleSpec.image ?? appSpec.image,
        resources: { requests: { cpu: String(roleSpec.coreRequest ?? roleSpec.cores ?? 1), memory }, limits: { memory } },
      };
    }),
  };
  return template(app, jsonPath('spec', role, 'template'), podTemplate, spec);
}

/** Spark's `512m` / `2g` as a Kubernetes quantity. */
function sparkMemoryQuantity(memory: string): string {
  const parts = /^(\d+)([kmgt])b?$/i.exec(memory);
  return parts ? `${parts[1]}${{ k: 'Ki', m: 'Mi', g: 'Gi', t: 'Ti' }[parts[2].toLowerCase()]}` : memory;
}
