import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { GENERATED_KEYS_ANNOTATION, SECRET_GENERATOR_COMPONENT } from '../core/generated-secret';
import { A_CONSTRUCT, anInstanceOf, checkArgument } from '../core/props-check';

const COMPONENT_LABEL = 'app.kubernetes.io/component';
/** The components that hold state, and the Jobs that set them up (databases, users, buckets, grants). */
const DATA_COMPONENTS = ['database', 'database-setup', 'object-store', 'object-store-setup', 'key-value-store'];
/** What the pods of every later wave read or are allowed by: credentials, RBAC, configuration, network policies. */
const CONFIGURATION_KINDS = [
  'Secret', 'ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'NetworkPolicy',
];

/**
 * Argo CD sync waves for the objects of a chart, so that one sync converges in order: Argo CD applies a wave and waits
 * until its objects are healthy (a Job complete, a StatefulSet ready) before it applies the next.
 *
 * | wave | objects |
 * |---|---|
 * | `NAMESPACE` (-3) | Namespaces |
 * | `CONFIGURATION` (-2) | Secrets, ServiceAccounts, Roles, bindings, ConfigMaps, NetworkPolicies, and the Jobs that generate Secrets |
 * | `DATA_STORE` (-1) | Postgres, MySQL, Redis, MinIO (StatefulSets, Services, claims) and their setup Jobs (databases, users, buckets, grants) |
 * | `WORKLOAD` (0) | everything else: Airflow, MLflow, predictors, Prometheus, Ingresses |
 *
 * NetworkPolicies come with the credentials, so the default deny never exists without the allow rules of the flows.
 * A PersistentVolumeClaim stays in the wave of its component: Argo CD reports a claim that waits for its first
 * consumer as Progressing (argoproj/argo-cd#29201), which would hold a wave its consumer is not in. An object that
 * already carries `argocd.argoproj.io/sync-wave` keeps it.
 */
export class ArgoCdSyncWaves {
  /** The annotation Argo CD reads. */
  public static readonly ANNOTATION = 'argocd.argoproj.io/sync-wave';
  /** Namespaces. */
  public static readonly NAMESPACE = -3;
  /** Credentials, RBAC, configuration, NetworkPolicies, and the Jobs that generate Secrets. */
  public static readonly CONFIGURATION = -2;
  /** Data stores and their setup Jobs. */
  public static readonly DATA_STORE = -1;
  /** Everything else. */
  public static readonly WORKLOAD = 0;

  /**
   * Annotates every API object under `scope` with its wave when it is synthesized, so that objects added later (a
   * predictor) get theirs too.
   */
  public static applyTo(scope: IConstruct): void {
    checkArgument('ArgoCdSyncWaves.applyTo', 'scope', scope, A_CONSTRUCT);
    // Validation runs on every synth (App.synth, Testing.synth), after the app is built and before any object renders.
    scope.node.addValidation({
      validate: () => {
        ArgoCdSyncWaves.annotate(scope);
        return [];
      },
    });
  }

  /** Annotates every API object under `scope` with its wave now. */
  public static annotate(scope: IConstruct): void {
    checkArgument('ArgoCdSyncWaves.annotate', 'scope', scope, A_CONSTRUCT);
    for (const child of scope.node.findAll()) {
      if (child instanceof ApiObject && child.metadata.toJson().annotations?.[ArgoCdSyncWaves.ANNOTATION] === undefined) {
        child.metadata.addAnnotation(ArgoCdSyncWaves.ANNOTATION, `${ArgoCdSyncWaves.waveOf(child)}`);
      }
    }
  }

  /** The wave of one object, by its kind, its `app.kubernetes.io/component` label and the construct that made it. */
  public static waveOf(apiObject: ApiObject): number {
    checkArgument('ArgoCdSyncWaves.waveOf', 'apiObject', apiObject, anInstanceOf(ApiObject, 'ApiObject.of(deployment)'));
    if (apiObject.kind === 'Namespace') {
      return ArgoCdSyncWaves.NAMESPACE;
    }
    if (CONFIGURATION_KINDS.includes(apiObject.kind) || (apiObject.kind === 'Job' && generatesSecret(apiObject))) {
      return ArgoCdSyncWaves.CONFIGURATION;
    }
    const component = apiObject.metadata.getLabel(COMPONENT_LABEL);
    if (component !== undefined && DATA_COMPONENTS.includes(component)) {
      return ArgoCdSyncWaves.DATA_STORE;
    }
    return ArgoCdSyncWaves.WORKLOAD;
  }

  private constructor() {}
}

/**
 * Whether a Job fills Secrets: the chart's secret generator (`SecretSource.generated()`), or a Job with a Secret
 * that carries the generated-keys annotation as its sibling (KServe's S3 credentials).
 */
function generatesSecret(job: ApiObject): boolean {
  if (job.metadata.getLabel(COMPONENT_LABEL) === SECRET_GENERATOR_COMPONENT) {
    return true;
  }
  const owner = job.node.scope?.node.scope;
  return owner?.node.children.some((child) => child instanceof kplus.Secret
    && ApiObject.of(child).metadata.toJson().annotations?.[GENERATED_KEYS_ANNOTATION] !== undefined) ?? false;
}
