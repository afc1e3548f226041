import { IConstruct } from 'constructs';
import { ClusterOperator } from './cluster-operator';

/** Properties of `ClusterPrerequisites`. */
export interface ClusterPrerequisitesProps {
  /**
   * What the operators are chosen for: the charts or constructs whose objects are scanned, when `ClusterPrerequisites`
   * is created, for the kinds they use (an InferenceService needs KServe, a SeldonModel Seldon Core, ...) and for the
   * values that depend on them (the Spark job namespaces, the trust namespace of `PlatformTls`, Seldon's Kafka).
   * Create `ClusterPrerequisites` after them: objects added later are not seen.
   *
   * @default - every construct of the app
   */
  readonly platform?: IConstruct[];

  /**
   * The Kubernetes minor version of the cluster, which picks the version set: `1.28` to `1.31` take the set whose
   * CRDs the library was generated from (cert-manager v1.16.5, KServe v0.14.1, Istio 1.24.6, for Argo CD 2.14);
   * `1.33` to `1.36` the newest releases (cert-manager v1.21.1, KServe v0.20.0, Istio 1.30.3, for Argo CD 3.5).
   *
   * @default '1.28'
   */
  readonly kubernetesVersion?: string;

  /**
   * Operators to install whether or not the platform uses them (with what they need: cert-manager for KServe and
   * trust-manager).
   *
   * @default - only what the platform uses
   */
  readonly include?: ClusterOperator[];

  /**
   * Operators not to install although the platform uses them, e.g. because the cluster has them already.
   *
   * @default - none
   */
  readonly exclude?: ClusterOperator[];

  /**
   * The target cluster by the name it is registered under in Argo CD; the Applications' names start with it, so that
   * the operators of several clusters can live in one Argo CD. Give this or `destinationServer`, not both.
   *
   * @default - `destinationServer`
   */
  readonly destinationName?: string;

  /**
   * The target cluster's API server URL.
   *
   * @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in) unless `destinationName` is given
   */
  readonly destinationServer?: string;

  /**
   * The Argo CD project of the Applications.
   *
   * @default 'default'
   */
  readonly project?: string;
}
