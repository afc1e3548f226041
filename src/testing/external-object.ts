/**
 * An object that a manifest may refer to but that lives outside the validated output: an existing Secret, a ConfigMap
 * another tool manages, a ClusterRole that comes with the cluster...
 */
export interface ExternalObject {
  /**
   * The kind, e.g. `Secret`, `ConfigMap`, `PersistentVolumeClaim`, `ServiceAccount`, `ClusterRole`, `Role`, `Service`.
   */
  readonly kind: string;

  /**
   * The object's name.
   */
  readonly name: string;

  /**
   * The object's namespace.
   *
   * @default - the object satisfies references from any namespace
   */
  readonly namespace?: string;

  /**
   * The keys a Secret or ConfigMap is known to have.
   *
   * @default - any key is accepted
   */
  readonly keys?: string[];
}
