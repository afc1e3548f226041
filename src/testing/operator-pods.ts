import { asArray, asObject, isObject, jsonPath, nameOf, stringMap } from './manifest-object';
import { groupKind } from './pod-specs';
import { PodTemplate } from './pod-template';

/** What the prometheus-operator (v0.93) puts on the pods of each kind it runs: their labels and `web` port. */
const OPERATED: Record<string, { app: string; port: number; labels: (name: string) => Record<string, string> }> = {
  'monitoring.coreos.com/Prometheus': {
    app: 'prometheus',
    port: 9090,
    labels: (name) => ({ 'prometheus': name, 'operator.prometheus.io/name': name, 'operator.prometheus.io/shard': '0' }),
  },
  'monitoring.coreos.com/Alertmanager': {
    app: 'alertmanager',
    port: 9093,
    labels: (name) => ({ alertmanager: name }),
  },
};

/**
 * The pods prometheus-operator creates for each `Prometheus` and `Alertmanager` in the output, with the labels the
 * operator puts on them (v0.93) and their `web` port, so that a Service in front of them is checked like any other.
 * Only Service selection looks at them: their spec is the operator's, not ours.
 */
export function operatorPodTemplates(manifests: readonly unknown[]): PodTemplate[] {
  return manifests.filter(isObject).filter((obj) => OPERATED[groupKind(obj)] !== undefined).map((obj) => {
    const operated = OPERATED[groupKind(obj)];
    const name = nameOf(obj) ?? '';
    const spec = asObject(obj.spec);
    const podMetadata = asObject(spec.podMetadata);
    const portName = typeof spec.portName === 'string' ? spec.portName : 'web';
    return {
      owner: obj,
      spec: { containers: [{ name: operated.app, ports: [{ name: portName, containerPort: operated.port }] }] },
      specPath: 'spec',
      labels: {
        ...stringMap(podMetadata.labels),
        'app.kubernetes.io/name': operated.app,
        'app.kubernetes.io/managed-by': 'prometheus-operator',
        'app.kubernetes.io/instance': name,
        ...operated.labels(name),
      },
      labelsPath: 'spec.podMetadata.labels',
      annotations: stringMap(podMetadata.annotations),
      annotationsPath: 'spec.podMetadata.annotations',
    };
  });
}

/**
 * The pod specs an operator renders into other namespaces from its own configuration: each component of a Seldon
 * `SeldonConfig` and each `ServerConfig` (v2.6). Their pods run in every runtime's namespace, whatever the
 * configuration's own namespace enforces, so they are checked for Pod Security at `restricted` and for resources; their
 * references (the ConfigMaps and ServiceAccounts the operator makes per runtime) are not checked.
 */
export function operatorConfigPodTemplates(manifests: readonly unknown[]): PodTemplate[] {
  return manifests.filter(isObject).flatMap((obj) => {
    const spec = asObject(obj.spec);
    if (groupKind(obj) === 'mlops.seldon.io/SeldonConfig') {
      return asArray(spec.components).flatMap((component, index) => podSpecAt(obj, asObject(component).podSpec, jsonPath('spec', 'components', index, 'podSpec')));
    }
    return groupKind(obj) === 'mlops.seldon.io/ServerConfig' ? podSpecAt(obj, spec.podSpec, 'spec.podSpec') : [];
  });
}

/** A bare pod spec (no pod metadata around it) at `specPath` of `owner`. */
function podSpecAt(owner: Record<string, any>, spec: unknown, specPath: string): PodTemplate[] {
  return isObject(spec) ? [{ owner, spec, specPath, labels: {}, labelsPath: specPath, annotations: {}, annotationsPath: specPath }] : [];
}
