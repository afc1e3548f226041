/**
 * One problem found in a set of Kubernetes manifests.
 */
export interface ValidationFinding {
  /**
   * The rule that found the problem: `schema`, `unknown-kind`, `reference`, `pod-security`, `resources`,
   * `secret-literal`, `unique` or `yaml-1.1`.
   */
  readonly rule: string;

  /**
   * The object the problem is in: `Kind namespace/name`, or `Kind name` for an object without a namespace.
   */
  readonly object: string;

  /**
   * What is wrong, starting with the JSON path of the offending field, e.g.
   * `spec.template.spec.containers[0].securityContext.runAsNonRoot must be true`.
   */
  readonly message: string;
}
