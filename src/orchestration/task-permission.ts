import * as kplus from 'cdk8s-plus-28';

/** Create, read, change and delete. */
const MANAGE = ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'];

function resource(apiGroup: string, resourceType: string): kplus.IApiResource {
  return kplus.ApiResource.custom({ apiGroup, resourceType });
}

/**
 * What Airflow tasks may do on the cluster, as the RBAC rules of one Role per namespace (`GitSyncAirflow.grantTasks`,
 * `TaskServiceAccount.grant`). A task's in-cluster Kubernetes client authenticates with the token of the ServiceAccount
 * its pod runs as, so a DAG needs no kubeconfig.
 */
export class TaskPermission {
  /**
   * Launch pods as `KubernetesPodOperator` does: `pods` create, get, list, watch, delete and patch, `pods/log` get,
   * `pods/exec` create (the XCom sidecar of `do_xcom_push`) and `events` list.
   */
  public static readonly LAUNCH_PODS = new TaskPermission('launch-pods', [
    { verbs: ['create', 'get', 'list', 'watch', 'delete', 'patch'], resources: [kplus.ApiResource.PODS] },
    { verbs: ['get'], resources: [resource('', 'pods/log')] },
    { verbs: ['create'], resources: [resource('', 'pods/exec')] },
    { verbs: ['list'], resources: [kplus.ApiResource.EVENTS] },
  ]);

  /**
   * Deploy, change and remove models: KServe `inferenceservices` and `inferencegraphs`, and Istio `virtualservices`
   * (traffic mirroring), with every verb but `deletecollection`.
   */
  public static readonly DEPLOY_MODELS = new TaskPermission('deploy-models', [
    { verbs: MANAGE, resources: [resource('serving.kserve.io', 'inferenceservices'), resource('serving.kserve.io', 'inferencegraphs')] },
    { verbs: MANAGE, resources: [resource('networking.istio.io', 'virtualservices')] },
  ]);

  /**
   * Submit, follow and remove training jobs: Kubeflow `pytorchjobs` and spark-operator `sparkapplications` (every verb
   * but `deletecollection`), and read their pods, logs and events, as `SparkKubernetesOperator` does.
   */
  public static readonly SUBMIT_TRAINING_JOBS = new TaskPermission('submit-training-jobs', [
    { verbs: MANAGE, resources: [resource('kubeflow.org', 'pytorchjobs'), resource('sparkoperator.k8s.io', 'sparkapplications')] },
    { verbs: ['get', 'list', 'watch'], resources: [kplus.ApiResource.PODS] },
    { verbs: ['get'], resources: [resource('', 'pods/log')] },
    { verbs: ['list'], resources: [kplus.ApiResource.EVENTS] },
  ]);

  private constructor(
    /** The permission's name, part of its Roles' construct ids. */
    public readonly name: string,
    /** @internal */
    public readonly _rules: kplus.RolePolicyRule[],
  ) {}
}
