import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { stringify } from 'yaml';
import { imagePullPolicy } from '../core/images';
import { ImageUser, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { WorkloadPlacement } from '../core/workload-placement';

/** Where the scheduler finds the template (`AIRFLOW__KUBERNETES_EXECUTOR__POD_TEMPLATE_FILE`). */
export const POD_TEMPLATE_DIR = '/opt/airflow/pod-templates';
export const POD_TEMPLATE_FILE = 'pod_template_file.yaml';

/** How task pods look. */
export interface TaskPodTemplateProps {
  readonly namespace?: string;
  readonly image: string;
  readonly runAs: ImageUser;
  readonly labels: Record<string, string>;
  readonly serviceAccount: kplus.IServiceAccount;
  readonly resources: kplus.ContainerResources;
  readonly placement?: WorkloadPlacement;
}

/**
 * The pod every task runs in, which the scheduler's KubernetesExecutor creates from `pod_template_file.yaml`.
 *
 * It is built as a kplus Pod in a chart of its own, outside the app, so that the same wiring verbs (`bind`, grants,
 * mounts) that serve the components serve it too, and rendered to YAML when the app is synthesized. The executor
 * requires the task container to be named `base`; it replaces the pod's name and the container's args.
 */
export class TaskPodTemplate {
  public readonly pod: kplus.Pod;
  /** The `base` container that runs the task. */
  public readonly container: kplus.Container;
  private readonly placementFields: Record<string, unknown>;
  private rendered?: { readonly json: string; readonly yaml: string };

  constructor(props: TaskPodTemplateProps) {
    const chart = new Chart(new App(), 'task', { namespace: props.namespace });
    this.pod = new kplus.Pod(chart, 'Pod', {
      metadata: { name: 'airflow-task', labels: props.labels },
      serviceAccount: props.serviceAccount,
      automountServiceAccountToken: false,
      restartPolicy: kplus.RestartPolicy.NEVER,
      securityContext: restrictedPodSecurity(props.runAs),
      containers: [{
        name: 'base',
        image: props.image,
        // One pod per task: pulling a pinned tag again each time only slows tasks down.
        imagePullPolicy: imagePullPolicy(props.image),
        securityContext: restrictedContainerSecurity(props.runAs),
        resources: props.resources,
      }],
    });
    this.container = this.pod.containers[0];
    this.placementFields = props.placement?.podSpecFields(this.pod, props.labels) ?? {};
  }

  /** The Pod manifest, as the executor reads it. */
  public toJson(): any {
    const [pod] = Chart.of(this.pod).toJson();
    // cdk8s' own bookkeeping label would be copied onto every task pod.
    delete pod.metadata.labels['cdk8s.io/metadata.addr'];
    // The ServiceAccount decides whether its token is mounted: the task pods' own only once `grantTasks` gave it rights,
    // and a `TaskServiceAccount` always, so that a task that selects one with pod_override gets its token.
    const { automountServiceAccountToken: _decidedByTheServiceAccount, ...spec } = pod.spec;
    return { ...pod, spec: { ...spec, ...this.placementFields } };
  }

  /** `pod_template_file.yaml`. */
  public toYaml(): string {
    // Rendered twice per synthesis (the ConfigMap and the checksum that rolls the pods): serialize once per content.
    const pod = this.toJson();
    const json = JSON.stringify(pod);
    if (this.rendered?.json !== json) {
      this.rendered = { json, yaml: stringify(pod) };
    }
    return this.rendered.yaml;
  }
}
