/**
 * The objects references can point at: the objects in the output, the declared external objects, the objects
 * cert-manager and trust-manager write from the output, and the few objects every cluster (or every namespace) has.
 */
import { ExternalObject } from './external-object';
import { issuedObjects } from './issued-objects';
import { asObject, isObject, nameOf, namespaceOf } from './manifest-object';

/** Annotation of a Secret whose keys a Job fills in the cluster: the comma-separated keys it will have. */
export const GENERATED_KEYS_ANNOTATION = 'mlops.cdk8s.io/generated-keys';

/** Kinds without a namespace: a reference to one ignores namespaces. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass',
  'IngressClass', 'RuntimeClass', 'CSIDriver', 'CustomResourceDefinition', 'APIService',
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ClusterIssuer', 'Bundle',
]);

/** Objects that always exist: in every namespace (ConfigMap, ServiceAccount) or in every cluster (ClusterRoles). */
const ALWAYS_PRESENT: ExternalObject[] = [
  { kind: 'ConfigMap', name: 'kube-root-ca.crt', keys: ['ca.crt'] },
  { kind: 'ServiceAccount', name: 'default' },
  { kind: 'ClusterRole', name: 'cluster-admin' },
  { kind: 'ClusterRole', name: 'admin' },
  { kind: 'ClusterRole', name: 'edit' },
  { kind: 'ClusterRole', name: 'view' },
];

/** Looks up referenced objects by kind, namespace and name. */
export class ObjectIndex {
  private readonly objects = new Map<string, Record<string, any>>();
  private readonly externals: ExternalObject[];

  constructor(manifests: readonly unknown[], externalObjects: readonly ExternalObject[]) {
    for (const obj of manifests) {
      const name = nameOf(obj);
      if (isObject(obj) && typeof obj.kind === 'string' && name !== undefined) {
        this.objects.set(this.key(obj.kind, namespaceOf(obj), name), obj);
      }
    }
    this.externals = [...externalObjects, ...issuedObjects(manifests), ...ALWAYS_PRESENT];
  }

  /** The object of the output, if it is there. */
  public find(kind: string, namespace: string, name: string): Record<string, any> | undefined {
    return this.objects.get(this.key(kind, namespace, name));
  }

  /** True if the object is in the output, declared external, or always present. */
  public exists(kind: string, namespace: string, name: string): boolean {
    return this.find(kind, namespace, name) !== undefined || this.external(kind, namespace, name) !== undefined;
  }

  /**
   * The keys of a Secret or ConfigMap that exists, or undefined when any key is accepted (an external object
   * declared without keys). A Secret's keys are its `data` and `stringData` keys plus those of its
   * `mlops.cdk8s.io/generated-keys` annotation (and, for a service-account-token Secret, the keys Kubernetes fills);
   * a ConfigMap's are its `data` and `binaryData` keys.
   */
  public keysOf(kind: string, namespace: string, name: string): string[] | undefined {
    const obj = this.find(kind, namespace, name);
    if (!obj) return this.external(kind, namespace, name)?.keys;
    const keys = new Set<string>();
    for (const field of ['data', 'stringData', 'binaryData']) {
      for (const key of Object.keys(asObject(obj[field]))) keys.add(key);
    }
    if (kind === 'Secret' && obj.type === 'kubernetes.io/service-account-token') {
      for (const key of ['ca.crt', 'namespace', 'token']) keys.add(key); // filled by the token controller
    }
    const generated = asObject(asObject(obj.metadata).annotations)[GENERATED_KEYS_ANNOTATION];
    if (typeof generated === 'string') {
      for (const key of generated.split(',')) if (key.trim()) keys.add(key.trim());
    }
    return [...keys].sort();
  }

  private external(kind: string, namespace: string, name: string): ExternalObject | undefined {
    return this.externals.find((ext) => ext.kind === kind && ext.name === name
      && (ext.namespace === undefined || CLUSTER_SCOPED.has(kind) || ext.namespace === namespace));
  }

  private key(kind: string, namespace: string, name: string): string {
    return `${kind}\n${CLUSTER_SCOPED.has(kind) ? '' : namespace}\n${name}`;
  }
}
