import { MlopsValidationError } from '../core/errors';
import { aString, checkArgument } from '../core/props-check';

/**
 * An operator that `ClusterPrerequisites` installs as Argo CD Applications, for `include` and `exclude`.
 */
export class ClusterOperator {
  /** cert-manager (Helm chart `cert-manager`), for `PlatformTls`; KServe's and trust-manager's webhooks need it. */
  public static readonly CERT_MANAGER = new ClusterOperator('cert-manager');
  /** trust-manager (Helm chart `trust-manager`), for `PlatformTls`' trust bundle. */
  public static readonly TRUST_MANAGER = new ClusterOperator('trust-manager');
  /** KServe (OCI Helm charts `kserve-crd` and `kserve`), for `KservePredictor` and `KserveInferenceGraph`. */
  public static readonly KSERVE = new ClusterOperator('kserve');
  /** prometheus-operator (Helm chart `kube-prometheus-stack`, the operator only), for `FederatedPrometheus`. */
  public static readonly PROMETHEUS_OPERATOR = new ClusterOperator('prometheus-operator');
  /** Kubeflow training-operator v1 (kustomize overlay `standalone`), for `PyTorchDdpJob`. */
  public static readonly TRAINING_OPERATOR = new ClusterOperator('training-operator');
  /** Kubeflow spark-operator (Helm chart `spark-operator`), for `SparkJob`. */
  public static readonly SPARK_OPERATOR = new ClusterOperator('spark-operator');
  /** Seldon Core v2 (Helm charts `seldon-core-v2-crds` and `seldon-core-v2-setup`), for `SeldonRuntime` and its kinds. */
  public static readonly SELDON_CORE = new ClusterOperator('seldon-core');
  /** Istio (Helm charts `base` and `istiod`), for `KserveTrafficMirror`. */
  public static readonly ISTIO = new ClusterOperator('istio');

  /** Every operator, in install order. */
  public static all(): ClusterOperator[] {
    return [...OPERATORS];
  }

  /**
   * The operator of that name, e.g. `ClusterOperator.of('seldon-core')`.
   *
   * @param name one of `cert-manager`, `trust-manager`, `kserve`, `prometheus-operator`, `training-operator`,
   * `spark-operator`, `seldon-core`, `istio`
   */
  public static of(name: string): ClusterOperator {
    checkArgument('ClusterOperator.of', 'name', name, aString("'seldon-core'"));
    const operator = OPERATORS.find((known) => known.name === name);
    if (!operator) {
      throw new MlopsValidationError('ClusterOperator.of', `name '${name}' is invalid: no such operator in the version table; `
        + `give one of ${OPERATORS.map((known) => `'${known.name}'`).join(', ')}`);
    }
    return operator;
  }

  /**
   * @param name the operator's name in the version table
   */
  private constructor(public readonly name: string) {}
}

const OPERATORS = [
  ClusterOperator.CERT_MANAGER, ClusterOperator.TRUST_MANAGER, ClusterOperator.KSERVE, ClusterOperator.PROMETHEUS_OPERATOR,
  ClusterOperator.TRAINING_OPERATOR, ClusterOperator.SPARK_OPERATOR, ClusterOperator.SELDON_CORE, ClusterOperator.ISTIO,
];
