/**
 * References to and from Services: a Service selects pod templates and their named ports, an Ingress names Services
 * and their ports, a StatefulSet names its governing Service.
 */
import { asArray, asObject, describeObject, isObject, jsonPath, namespaceOf, stringMap } from './manifest-object';
import { containersOf, groupKind } from './pod-specs';
import { PodTemplate } from './pod-template';
import { References } from './reference-context';

/** Checks the Services, Ingresses and StatefulSets among the manifests. */
export function checkServiceReferences(manifests: readonly unknown[], pods: readonly PodTemplate[], refs: References): void {
  for (const obj of manifests) {
    if (!isObject(obj)) continue;
    switch (groupKind(obj)) {
      case '/Service':
        checkService(obj, pods, refs);
        break;
      case 'networking.k8s.io/Ingress':
        checkIngress(obj, refs);
        break;
      case 'apps/StatefulSet':
        if (asObject(obj.spec).serviceName) {
          refs.require(obj, 'spec.serviceName', 'Service', namespaceOf(obj), obj.spec.serviceName);
        }
        break;
    }
  }
}

/** A Service with a selector must select a pod template of its namespace, and its named targetPorts must exist there. */
function checkService(service: Record<string, any>, pods: readonly PodTemplate[], refs: References): void {
  const spec = asObject(service.spec);
  const selector = stringMap(spec.selector);
  if (spec.type === 'ExternalName' || Object.keys(selector).length === 0) return;
  const namespace = namespaceOf(service);
  const selected = pods.filter((pod) => namespaceOf(pod.owner) === namespace
    && Object.entries(selector).every(([key, value]) => pod.labels[key] === value));
  if (selected.length === 0) {
    const where = namespace ? ` in namespace "${namespace}"` : '';
    refs.report(service, `spec.selector ${formatLabels(selector)} selects no pod template${where}`);
    return;
  }
  const portNames = new Set<string>();
  for (const pod of selected) {
    for (const { container } of containersOf(pod)) {
      for (const port of asArray(container.ports)) {
        if (typeof asObject(port).name === 'string') portNames.add(port.name);
      }
    }
  }
  asArray(spec.ports).forEach((port, index) => {
    const targetPort = asObject(port).targetPort;
    if (typeof targetPort !== 'string' || portNames.has(targetPort)) return;
    const owners = selected.map((pod) => describeObject(pod.owner)).join(', ');
    const named = portNames.size > 0 ? `named ports: ${[...portNames].sort().join(', ')}` : 'no port has a name';
    refs.report(service, `spec.ports[${index}].targetPort: no container of the selected pod templates (${owners}) has a port named "${targetPort}" (${named})`);
  });
}

/** Every Ingress backend names a Service that exists and, when the Service is in the output, one of its ports. */
function checkIngress(ingress: Record<string, any>, refs: References): void {
  const spec = asObject(ingress.spec);
  if (spec.defaultBackend !== undefined) checkBackend(ingress, 'spec.defaultBackend', spec.defaultBackend, refs);
  asArray(spec.rules).forEach((rule, ruleIndex) => {
    asArray(asObject(asObject(rule).http).paths).forEach((path, pathIndex) => {
      checkBackend(ingress, jsonPath('spec', 'rules', ruleIndex, 'http', 'paths', pathIndex, 'backend'), asObject(path).backend, refs);
    });
  });
}

function checkBackend(ingress: Record<string, any>, path: string, backend: unknown, refs: References): void {
  const service = asObject(backend).service;
  if (!isObject(service)) return;
  const namespace = namespaceOf(ingress);
  if (!refs.require(ingress, jsonPath(path, 'service', 'name'), 'Service', namespace, service.name)) return;
  const target = refs.index.find('Service', namespace, service.name);
  if (!target) return; // an external Service: its ports are unknown
  const ports = asArray(asObject(target.spec).ports).map(asObject);
  const described = ports.map((port) => (port.name ? `${port.name} ${port.port}` : `${port.port}`)).join(', ') || 'none';
  const { name, number } = asObject(service.port);
  if (typeof name === 'string' && !ports.some((port) => port.name === name)) {
    refs.report(ingress, `${jsonPath(path, 'service', 'port', 'name')}: Service "${service.name}" has no port named "${name}" (its ports: ${described})`);
  }
  if (typeof number === 'number' && !ports.some((port) => port.port === number)) {
    refs.report(ingress, `${jsonPath(path, 'service', 'port', 'number')}: Service "${service.name}" has no port ${number} (its ports: ${described})`);
  }
}

function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(',');
}
