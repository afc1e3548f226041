import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MlopsValidationError } from '../core/errors';
import { dnsLabelProblems } from '../core/names';
import { aGitUrl } from '../core/prop-kinds';
import { aString, checkProps } from '../core/props-check';
import { Application } from '../imports/argocd-application-argoproj.io';

/** The cluster Argo CD runs in, as Argo CD names it in `destination.server`. */
const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** Properties of an `ArgoCdApplication`. */
export interface ArgoCdApplicationProps {
  /**
   * The Application's name, a DNS label, e.g. the cluster's name.
   *
   * @default - the construct's id, lower-cased
   */
  readonly name?: string;

  /** The Git repository the manifests are committed to (`spec.source.repoURL`), e.g. `https://github.com/org/platform.git`. */
  readonly repoUrl: string;

  /** The folder of the manifests in the repository, relative to its root, e.g. `dist/multicluster/serving-eu`. */
  readonly path: string;

  /**
   * The branch, tag or commit to follow.
   *
   * @default 'HEAD'
   */
  readonly targetRevision?: string;

  /**
   * The target cluster by the name it is registered under in Argo CD (`argocd cluster add <context> --name <name>`).
   * Give this or `destinationServer`, not both.
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
   * The namespace objects without one go to (every object of this library's charts has one).
   *
   * @default - none
   */
  readonly destinationNamespace?: string;

  /**
   * The Argo CD project.
   *
   * @default 'default'
   */
  readonly project?: string;

  /**
   * Whether Argo CD deletes objects that are no longer in the folder (replaced hash-named Jobs, removed components).
   * Pruning runs after every wave has synced (`PruneLast=true`).
   *
   * @default true
   */
  readonly prune?: boolean;

  /**
   * Whether Argo CD reverts changes made in the cluster by hand.
   *
   * @default true
   */
  readonly selfHeal?: boolean;
}

/**
 * An Argo CD `Application` (argoproj.io/v1alpha1) that keeps a cluster in sync with a folder of synthesized
 * manifests: automated sync, pruning after every wave, server-side apply, retries with backoff.
 *
 * Server-side apply matters here: the Jobs of this library fill generated Secrets in the cluster, and with server-side
 * apply the keys they wrote belong to them, so a sync never shows them as drift or removes them.
 * Retries cover a first sync that races the CRDs' controllers (KServe, prometheus-operator) being installed.
 * No resources finalizer: deleting the Application leaves the platform (and its data) running.
 */
export class ArgoCdApplication extends Construct {
  /** The Application's name. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    checkProps(this, props, { repoUrl: aGitUrl('https://github.com/org/platform.git'), path: aString("'dist/multicluster/primary'") });
    this.name = props.name ?? id.toLowerCase();
    const nameProblems = dnsLabelProblems(this.name);
    if (nameProblems.length > 0) {
      throw new MlopsValidationError(this, `name '${this.name}' is invalid: ${nameProblems.join('; ')}`);
    }
    if (!/^[^/\s]\S*$/.test(props.path) || props.path.split('/').some((part) => part === '..' || part === '.' || part === '')) {
      throw new MlopsValidationError(this, `path '${props.path}' is invalid: give the folder relative to the repository's root, without a leading '/', '.', '..' or '//', e.g. 'dist/multicluster/primary'`);
    }
    if (props.destinationName !== undefined && props.destinationServer !== undefined) {
      throw new MlopsValidationError(this, `destinationName '${props.destinationName}' and destinationServer '${props.destinationServer}' are both given: Argo CD takes one; remove one`);
    }
    if (!Chart.of(this).namespace) {
      throw new MlopsValidationError(this, "the chart has no namespace: an Application must be created in Argo CD's namespace; give the chart one, e.g. namespace: 'argocd'");
    }
    const automated = { prune: props.prune ?? true, selfHeal: props.selfHeal ?? true };

    new Application(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        project: props.project ?? 'default',
        source: {
          repoUrl: props.repoUrl,
          targetRevision: props.targetRevision ?? 'HEAD',
          path: props.path,
        },
        destination: {
          name: props.destinationName,
          server: props.destinationName === undefined ? props.destinationServer ?? IN_CLUSTER_SERVER : undefined,
          namespace: props.destinationNamespace,
        },
        syncPolicy: {
          automated,
          syncOptions: ['ServerSideApply=true', ...(automated.prune ? ['PruneLast=true'] : [])],
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
        },
      },
    });
  }
}
