import { Chart } from 'cdk8s';
import { ArgoCdApplication, ClusterPrerequisites } from 'cdk8s-mlops';
import { Construct } from 'constructs';

/** Properties of the `FullPlatformGitOps` chart. */
export interface FullPlatformGitOpsProps {
  /** The Git repository `dist/` is committed to. */
  readonly repoUrl: string;
  /** The folder of the platform's manifests in that repository, e.g. `dist/full-platform/platform`. */
  readonly platformPath: string;
  /** The platform's charts: the operators they need become Applications too. */
  readonly platformCharts: Chart[];
}

/**
 * What Argo CD keeps in sync, in its namespace `argocd`: the operators the platform uses (cert-manager, trust-manager,
 * prometheus-operator, training-operator, spark-operator, Seldon Core, and KServe when it serves too), pinned to the
 * versions of the CRDs the library was built from, in waves before the platform; and the Application of the
 * platform's folder (its objects carry their sync waves: namespaces, then configuration, then data stores, then the
 * rest).
 */
export class FullPlatformGitOps extends Chart {
  public readonly operators: ClusterPrerequisites;
  public readonly platformApplication: ArgoCdApplication;

  constructor(scope: Construct, id: string, props: FullPlatformGitOpsProps) {
    super(scope, id, { namespace: 'argocd' });
    this.operators = new ClusterPrerequisites(this, 'Operators', { platform: props.platformCharts });
    this.platformApplication = new ArgoCdApplication(this, 'Platform', {
      name: 'full-platform',
      repoUrl: props.repoUrl,
      path: props.platformPath,
    });
  }
}
