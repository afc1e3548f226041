import { App, Chart, Size } from 'cdk8s';
import { DagSource, GitSubmodules, MlopsCore, NotebookWorkspace, PlatformAccess, Team } from 'cdk8s-mlops';
import * as kplus from 'cdk8s-plus-28';

/** The platform's namespace, and the team's. */
export const PLATFORM_NAMESPACE = 'mlops';
export const TEAM_NAMESPACE = 'vision';
/** The Secret with the team's MinIO keys (`username`, `password`): create it in both namespaces before applying. */
export const TEAM_S3_SECRET = 'vision-s3';

/** What `workspacesApp` builds. */
export interface WorkspacesApp {
  readonly platformChart: Chart;
  readonly teamChart: Chart;
  readonly platform: MlopsCore;
  readonly alice: NotebookWorkspace;
  readonly team: Team;
  readonly bob: NotebookWorkspace;
}

/**
 * The platform in `mlops` with Alice's JupyterLab at `/notebooks/alice`, and the team `vision` in a namespace of its
 * own: quota, default-deny, its members editing it and viewing the platform, Bob's workspace writing the team's bucket.
 */
export function workspacesApp(app: App): WorkspacesApp {
  const platformChart = new Chart(app, 'platform', { namespace: PLATFORM_NAMESPACE });
  const platform = new MlopsCore(platformChart, 'Platform', {
    dags: DagSource.fromGit({
      repository: 'https://github.com/apache/airflow.git',
      ref: '3.1.8',
      subPath: 'airflow-core/src/airflow/example_dags',
      submodules: GitSubmodules.OFF,
    }),
    access: PlatformAccess.ingress({ host: 'mlops.example.com' }),
    sharedVolume: { server: 'nfs.example.com', path: '/exports/mlops' },
  });
  // JupyterLab at http://mlops.example.com/notebooks/alice/, logging to MLflow, reading datasets and writing models.
  const alice = platform.addNotebook('Alice', {
    owner: 'alice',
    readBuckets: [platform.datasetsBucket],
    writeBuckets: [platform.modelsBucket],
  });

  // The team `vision` in a namespace of its own: its bucket `team-vision` is written with the team's MinIO user, made
  // from the Secret TEAM_S3_SECRET in `mlops` and read by the team's workspaces from the Secret of that name in `vision`.
  const teamChart = new Chart(app, 'team-vision', { namespace: TEAM_NAMESPACE });
  const team = platform.addTeam(teamChart, {
    members: ['bob', 'carol'],
    quota: { cpu: kplus.Cpu.units(8), memory: Size.gibibytes(32), storage: Size.gibibytes(200) },
    s3CredentialsSecretName: TEAM_S3_SECRET,
  });
  // JupyterLab at http://mlops.example.com/notebooks/bob/, logging to the platform's MLflow.
  const bob = team.addNotebook('Bob', { owner: 'bob', ingress: { host: 'mlops.example.com' } });
  // A Job per service that proves it answers, as Argo CD PostSync hooks.
  platform.addSmokeTests();
  return { platformChart, teamChart, platform, alice, team, bob };
}
