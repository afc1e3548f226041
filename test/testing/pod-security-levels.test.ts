import { container, object, ofRule, podSpec } from './fixtures';
import { ManifestValidator } from '../../src/testing';

const validator = new ManifestValidator();

/** A log shipper's pod: root, a hostPath, but otherwise narrow. */
const SHIPPER = podSpec({
  securityContext: { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ ...container(), securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true } }],
  volumes: [{ name: 'pods', hostPath: { path: '/var/log/pods', type: 'Directory' } }],
});

/** The pod-security messages about a Pod with `spec` in namespace `logs`, whose Namespace enforces `level` (none: no Namespace object). */
function messages(spec: any, level?: string): string[] {
  const pod = object('v1', 'Pod', 'p', { spec });
  pod.metadata.namespace = 'logs';
  const namespace = level ? [object('v1', 'Namespace', 'logs', { metadata: { name: 'logs', labels: { 'pod-security.kubernetes.io/enforce': level } } })] : [];
  return ofRule(validator.validateManifests([...namespace, pod]), 'pod-security').map((f) => f.message);
}

describe('pod-security: the level the namespace enforces', () => {
  test('restricted by default: the shipper breaks it', () => {
    expect(messages(SHIPPER)).toEqual([
      'spec.volumes[0] ("pods") is a hostPath volume, which baseline and restricted forbid; run the pod in a namespace that enforces privileged',
      'spec.securityContext.runAsUser must not be 0',
      'spec.securityContext.runAsNonRoot must not be false',
      'spec.containers[0].securityContext.runAsNonRoot must be true (or set spec.securityContext.runAsNonRoot to true)',
    ]);
  });

  test('baseline still forbids hostPath volumes, not root', () => {
    expect(messages(SHIPPER, 'baseline')).toEqual([
      'spec.volumes[0] ("pods") is a hostPath volume, which baseline and restricted forbid; run the pod in a namespace that enforces privileged',
    ]);
    expect(messages(podSpec({ hostNetwork: true }), 'baseline')).toEqual(['spec.hostNetwork must not be true']);
  });

  test('privileged allows it, only because the Namespace says so', () => {
    expect(messages(SHIPPER, 'privileged')).toEqual([]);
    expect(messages(SHIPPER, 'restricted')).toHaveLength(4);
  });
});
