import { asObject, isObject, nameOf, stringMap } from './manifest-object';
import { groupKind } from './pod-specs';
import { PodTemplate } from './pod-template';

/**
 * The pods prometheus-operator creates for each `Prometheus` in the output, with the labels the operator puts on them
 * (v0.93) and its `web` port, so that a Service in front of them is checked like any other. Only Service selection
 * looks at them: their spec is the operator's, not ours.
 */
export function operatorPodTemplates(manifests: readonly unknown[]): PodTemplate[] {
  return manifests.filter(isObject).filter((obj) => groupKind(obj) === 'monitoring.coreos.com/Prometheus').map((obj) => {
    const name = nameOf(obj) ?? '';
    const spec = asObject(obj.spec);
    const podMetadata = asObject(spec.podMetadata);
    const portName = typeof spec.portName === 'string' ? spec.portName : 'web';
    return {
      owner: obj,
      spec: { containers: [{ name: 'prometheus', ports: [{ name: portName, containerPort: 9090 }] }] },
      specPath: 'spec',
      labels: {
        ...stringMap(podMetadata.labels),
        'app.kubernetes.io/name': 'prometheus',
        'app.kubernetes.io/managed-by': 'prometheus-operator',
        'app.kubernetes.io/instance': name,
        'prometheus': name,
        'operator.prometheus.io/name': name,
        'operator.prometheus.io/shard': '0',
      },
      labelsPath: 'spec.podMetadata.labels',
      annotations: stringMap(podMetadata.annotations),
      annotationsPath: 'spec.podMetadata.annotations',
    };
  });
}
