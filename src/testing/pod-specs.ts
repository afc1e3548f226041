/**
 * Finds the pod specs in manifests: a Pod's own spec and the pod templates of workloads.
 */
import { customResourcePodTemplates } from './custom-resource-pods';
import { parseApiVersion } from './kubernetes-schemas';
import { asArray, asObject, isObject, jsonPath, stringMap } from './manifest-object';
import { PodTemplate } from './pod-template';

/** A container of a pod spec. */
export interface PodContainer {
  readonly container: Record<string, any>;
  /** JSON path of the container in the owner, e.g. `spec.template.spec.initContainers[0]`. */
  readonly path: string;
}

/** Where the pod template is, by `group/Kind`: the path of the object that has `metadata` and `spec`. */
const TEMPLATE_PATHS: Record<string, string[]> = {
  '/Pod': [],
  '/PodTemplate': ['template'],
  '/ReplicationController': ['spec', 'template'],
  'apps/Deployment': ['spec', 'template'],
  'apps/StatefulSet': ['spec', 'template'],
  'apps/DaemonSet': ['spec', 'template'],
  'apps/ReplicaSet': ['spec', 'template'],
  'batch/Job': ['spec', 'template'],
  'batch/CronJob': ['spec', 'jobTemplate', 'spec', 'template'],
};

/** The kinds whose `spec.selector` must match their template's labels. */
export const SELECTOR_KINDS = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet', 'batch/Job']);

/** `group/Kind` of an object, e.g. `apps/Deployment` or `/Pod`. */
export function groupKind(obj: unknown): string {
  const { apiVersion, kind } = asObject(obj);
  const group = typeof apiVersion === 'string' ? parseApiVersion(apiVersion).group : '';
  return `${group}/${kind}`;
}

/** The pod spec of `obj`, or undefined if it is not a Pod or a workload with a pod template. */
export function podTemplateOf(obj: unknown): PodTemplate | undefined {
  const templatePath = TEMPLATE_PATHS[groupKind(obj)];
  if (!templatePath || !isObject(obj)) return undefined;
  let template: unknown = obj;
  for (const segment of templatePath) template = asObject(template)[segment];
  if (!isObject(template) || !isObject(template.spec)) return undefined;
  const base = templatePath.join('.');
  const metadataPath = jsonPath(base, 'metadata');
  const metadata = asObject(template.metadata);
  return {
    owner: obj,
    spec: template.spec,
    specPath: jsonPath(base, 'spec'),
    labels: stringMap(metadata.labels),
    labelsPath: jsonPath(metadataPath, 'labels'),
    annotations: stringMap(metadata.annotations),
    annotationsPath: jsonPath(metadataPath, 'annotations'),
  };
}

/** All the pod specs in the manifests, in order, then those of pod templates inside custom resources. */
export function podTemplatesIn(manifests: readonly unknown[]): PodTemplate[] {
  const pods = manifests.map(podTemplateOf).filter((pod): pod is PodTemplate => pod !== undefined);
  return [...pods, ...customResourcePodTemplates(manifests)];
}

/** The containers, init containers and ephemeral containers of a pod spec. */
export function containersOf(pod: PodTemplate): PodContainer[] {
  const result: PodContainer[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    asArray(pod.spec[field]).forEach((container, index) => {
      if (isObject(container)) result.push({ container, path: jsonPath(pod.specPath, field, index) });
    });
  }
  return result;
}
