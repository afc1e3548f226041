/** A pod spec inside a manifest object. */
export interface PodTemplate {
  /** The manifest object that holds the pod spec. */
  readonly owner: Record<string, any>;
  /** The pod spec. */
  readonly spec: Record<string, any>;
  /** JSON path of the pod spec in the owner, e.g. `spec.template.spec`. */
  readonly specPath: string;
  /** The pod's labels and their path, e.g. `spec.template.metadata.labels`. */
  readonly labels: Record<string, string>;
  readonly labelsPath: string;
  /** The pod's annotations and their path. */
  readonly annotations: Record<string, string>;
  readonly annotationsPath: string;
}
