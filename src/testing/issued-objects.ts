/**
 * Objects that controllers write from objects in the output, so that references to them resolve: the Secret of each
 * cert-manager Certificate (`spec.secretName`: `tls.crt`, `tls.key`, `ca.crt`), and the ConfigMap or Secret of each
 * trust-manager Bundle (named after the Bundle, with its target key and additional formats) in every namespace its
 * `namespaceSelector` selects.
 */
import { ExternalObject } from './external-object';
import { asArray, asObject, isObject, nameOf, namespaceOf, stringMap } from './manifest-object';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The objects cert-manager and trust-manager will write for `manifests`. */
export function issuedObjects(manifests: readonly unknown[]): ExternalObject[] {
  const namespaces = knownNamespaces(manifests);
  const issued: ExternalObject[] = [];
  for (const obj of manifests) {
    if (!isObject(obj) || typeof obj.apiVersion !== 'string') continue;
    const group = obj.apiVersion.split('/')[0];
    const spec = asObject(obj.spec);
    if (group === 'cert-manager.io' && obj.kind === 'Certificate' && typeof spec.secretName === 'string') {
      issued.push({ kind: 'Secret', namespace: namespaceOf(obj), name: spec.secretName, keys: ['ca.crt', 'tls.crt', 'tls.key'] });
    }
    const name = nameOf(obj);
    if (group === 'trust.cert-manager.io' && obj.kind === 'Bundle' && name !== undefined) {
      issued.push(...bundleTargets(name, asObject(spec.target), namespaces));
    }
  }
  return issued;
}

function bundleTargets(name: string, target: Record<string, any>, namespaces: Map<string, Record<string, string>>): ExternalObject[] {
  const formats = asObject(target.additionalFormats);
  const extraKeys = ['jks', 'pkcs12'].map((format) => asObject(formats[format]).key).filter((key): key is string => typeof key === 'string');
  const selector = target.namespaceSelector;
  const selected = isObject(selector)
    ? [...namespaces.entries()].filter(([, labels]) => matches(selector, labels)).map(([namespace]) => namespace)
    : [undefined];
  const targets: ExternalObject[] = [];
  for (const [kind, field] of [['ConfigMap', 'configMap'], ['Secret', 'secret']]) {
    const key = asObject(target[field]).key;
    if (typeof key !== 'string') continue;
    for (const namespace of selected) {
      targets.push({ kind, name, namespace, keys: [key, ...extraKeys] });
    }
  }
  return targets;
}

/** Every namespace the output names or creates, with its labels (and the name label Kubernetes sets on each). */
function knownNamespaces(manifests: readonly unknown[]): Map<string, Record<string, string>> {
  const namespaces = new Map<string, Record<string, string>>();
  const add = (namespace: string, labels: Record<string, string> = {}) => {
    namespaces.set(namespace, { ...namespaces.get(namespace), ...labels, [NAMESPACE_NAME_LABEL]: namespace });
  };
  for (const obj of manifests) {
    if (!isObject(obj)) continue;
    const name = nameOf(obj);
    if (obj.kind === 'Namespace' && name !== undefined) {
      add(name, stringMap(asObject(obj.metadata).labels));
    } else if (namespaceOf(obj) !== '') {
      add(namespaceOf(obj));
    }
  }
  return namespaces;
}

/** A Kubernetes label selector (`matchLabels`, `matchExpressions`) against `labels`. */
function matches(selector: Record<string, any>, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(stringMap(selector.matchLabels)).every(([key, value]) => labels[key] === value);
  return byLabel && asArray(selector.matchExpressions).every((expression) => {
    const { key, operator } = asObject(expression);
    const values = asArray(asObject(expression).values);
    const has = typeof key === 'string' && key in labels;
    switch (operator) {
      case 'In': return has && values.includes(labels[key]);
      case 'NotIn': return !has || !values.includes(labels[key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}
