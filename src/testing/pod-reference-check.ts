/**
 * References from a pod spec: the Secrets, ConfigMaps (and their keys), PVCs, ServiceAccount and image pull Secrets it
 * names, the volumes its containers mount, and the workload's selector against the template's labels.
 */
import { asArray, asObject, isObject, jsonPath, namespaceOf, stringMap } from './manifest-object';
import { containersOf, groupKind, SELECTOR_KINDS } from './pod-specs';
import { PodTemplate } from './pod-template';
import { References } from './reference-context';

/** Checks every reference of one pod spec. */
export function checkPodReferences(pod: PodTemplate, refs: References): void {
  const namespace = namespaceOf(pod.owner);
  const volumes = checkVolumes(pod, namespace, refs);
  for (const { container, path } of containersOf(pod)) {
    checkContainerEnv(pod.owner, container, path, namespace, refs);
    for (const field of ['volumeMounts', 'volumeDevices']) {
      asArray(container[field]).forEach((mount, index) => {
        const name = asObject(mount).name;
        if (typeof name === 'string' && !volumes.includes(name)) {
          const declared = volumes.length > 0 ? `its volumes are ${volumes.join(', ')}` : 'it has no volumes';
          refs.report(pod.owner, `${jsonPath(path, field, index, 'name')}: the pod has no volume named "${name}" (${declared})`);
        }
      });
    }
  }
  const serviceAccount = pod.spec.serviceAccountName || pod.spec.serviceAccount || undefined; // '' means default
  const serviceAccountField = pod.spec.serviceAccountName ? 'serviceAccountName' : 'serviceAccount';
  refs.require(pod.owner, jsonPath(pod.specPath, serviceAccountField), 'ServiceAccount', namespace, serviceAccount);
  asArray(pod.spec.imagePullSecrets).forEach((secret, index) => {
    refs.require(pod.owner, jsonPath(pod.specPath, 'imagePullSecrets', index, 'name'), 'Secret', namespace, asObject(secret).name);
  });
  checkSelector(pod, refs);
}

/** Checks the volumes' sources; returns the names a container may mount (incl. StatefulSet volumeClaimTemplates). */
function checkVolumes(pod: PodTemplate, namespace: string, refs: References): string[] {
  const names: string[] = [];
  asArray(pod.spec.volumes).forEach((volume, index) => {
    if (!isObject(volume)) return;
    if (typeof volume.name === 'string') names.push(volume.name);
    const path = jsonPath(pod.specPath, 'volumes', index);
    checkKeyedSource(pod.owner, jsonPath(path, 'secret'), volume.secret, 'Secret', 'secretName', namespace, refs);
    checkKeyedSource(pod.owner, jsonPath(path, 'configMap'), volume.configMap, 'ConfigMap', 'name', namespace, refs);
    asArray(asObject(volume.projected).sources).forEach((source, sourceIndex) => {
      const sourcePath = jsonPath(path, 'projected', 'sources', sourceIndex);
      checkKeyedSource(pod.owner, jsonPath(sourcePath, 'secret'), asObject(source).secret, 'Secret', 'name', namespace, refs);
      checkKeyedSource(pod.owner, jsonPath(sourcePath, 'configMap'), asObject(source).configMap, 'ConfigMap', 'name', namespace, refs);
    });
    const claim = asObject(volume.persistentVolumeClaim).claimName;
    refs.require(pod.owner, jsonPath(path, 'persistentVolumeClaim', 'claimName'), 'PersistentVolumeClaim', namespace, claim);
  });
  if (groupKind(pod.owner) === 'apps/StatefulSet') {
    for (const template of asArray(asObject(pod.owner.spec).volumeClaimTemplates)) {
      const name = asObject(asObject(template).metadata).name;
      if (typeof name === 'string') names.push(name);
    }
  }
  return names;
}

/** A Secret or ConfigMap volume source: the object must exist, and so must the keys its `items` project. */
function checkKeyedSource(owner: unknown, path: string, source: unknown, kind: string, nameField: string, namespace: string, refs: References): void {
  if (!isObject(source) || source.optional === true) return;
  const name = source[nameField];
  if (!refs.require(owner, jsonPath(path, nameField), kind, namespace, name)) return;
  asArray(source.items).forEach((item, index) => {
    refs.requireKey(owner, jsonPath(path, 'items', index, 'key'), kind, namespace, name, asObject(item).key);
  });
}

function checkContainerEnv(owner: unknown, container: Record<string, any>, path: string, namespace: string, refs: References): void {
  asArray(container.env).forEach((env, index) => {
    const valueFrom = asObject(asObject(env).valueFrom);
    for (const [field, kind] of [['secretKeyRef', 'Secret'], ['configMapKeyRef', 'ConfigMap']]) {
      const ref = valueFrom[field];
      if (!isObject(ref) || ref.optional === true) continue;
      const refPath = jsonPath(path, 'env', index, 'valueFrom', field);
      if (refs.require(owner, jsonPath(refPath, 'name'), kind, namespace, ref.name)) {
        refs.requireKey(owner, jsonPath(refPath, 'key'), kind, namespace, ref.name, ref.key);
      }
    }
  });
  asArray(container.envFrom).forEach((envFrom, index) => {
    for (const [field, kind] of [['secretRef', 'Secret'], ['configMapRef', 'ConfigMap']]) {
      const ref = asObject(envFrom)[field];
      if (!isObject(ref) || ref.optional === true) continue;
      refs.require(owner, jsonPath(path, 'envFrom', index, field, 'name'), kind, namespace, ref.name);
    }
  });
}

/** A workload's `spec.selector` must select its own template: matchLabels ⊆ labels, matchExpressions hold. */
function checkSelector(pod: PodTemplate, refs: References): void {
  const kind = groupKind(pod.owner);
  const selector = asObject(pod.owner.spec).selector;
  if (!SELECTOR_KINDS.has(kind) || (kind === 'batch/Job' && selector === undefined) || !isObject(selector)) return;
  const matchLabels = stringMap(selector.matchLabels);
  const expressions = asArray(selector.matchExpressions);
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) {
    refs.report(pod.owner, 'spec.selector is empty: it must select the pod template\'s labels');
    return;
  }
  for (const [key, value] of Object.entries(matchLabels)) {
    if (pod.labels[key] !== value) {
      const actual = pod.labels[key] === undefined ? `has no label ${key}` : `has ${key}=${pod.labels[key]}`;
      refs.report(pod.owner, `${jsonPath('spec.selector.matchLabels', key)}: ${key}=${value} does not select the pod template (${pod.labelsPath} ${actual})`);
    }
  }
  expressions.forEach((expression, index) => {
    if (!matchesExpression(pod.labels, asObject(expression))) {
      const { key, operator, values } = asObject(expression);
      refs.report(pod.owner, `spec.selector.matchExpressions[${index}]: ${key} ${operator} ${JSON.stringify(values ?? [])} does not select the pod template (${pod.labelsPath})`);
    }
  });
}

function matchesExpression(labels: Record<string, string>, expression: Record<string, any>): boolean {
  const value = labels[expression.key];
  const values = asArray(expression.values);
  switch (expression.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    default: return true;
  }
}
