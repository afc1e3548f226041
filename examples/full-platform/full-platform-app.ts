import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { ArgoCdSyncWaves } from 'cdk8s-mlops';
import { FullPlatformChart, FullPlatformChartProps } from './full-platform-chart';
import { FullPlatformGitOps } from './full-platform-gitops';

/** The Git repository `dist/` is committed to, which Argo CD syncs from. */
export const REPO_URL = 'https://github.com/example/mlops-platform.git';

/** What `fullPlatformApp` builds: two folders, the platform's and Argo CD's. */
export interface FullPlatformApp {
  readonly platform: FullPlatformChart;
  /** Every chart of the platform's folder: the platform, the log shipper's namespace, the team's. */
  readonly platformCharts: Chart[];
  readonly gitOps: FullPlatformGitOps;
  /** Writes `<outdir>/platform/` (the platform, its log shipper, the team) and `<outdir>/argocd/`. */
  synth(): void;
}

/**
 * The platform in `<outdir>/platform/`, each object with its Argo CD sync wave, and the Argo CD Application that syncs
 * that folder in `<outdir>/argocd/`. The Application's path is the platform folder relative to the working directory
 * (run the synth from the repository's root).
 */
export function fullPlatformApp(outdir: string = process.env.CDK8S_OUTDIR ?? 'dist', props: FullPlatformChartProps = {}): FullPlatformApp {
  const platformApp = new App({ outdir: path.join(outdir, 'platform') });
  const platform = new FullPlatformChart(platformApp, 'platform', props);
  for (const chart of platformApp.charts) {
    ArgoCdSyncWaves.applyTo(chart);
  }

  const gitOpsApp = new App({ outdir: path.join(outdir, 'argocd') });
  const platformPath = path.relative(process.cwd(), path.resolve(platformApp.outdir)).split(path.sep).join('/');
  const gitOps = new FullPlatformGitOps(gitOpsApp, 'argocd', { repoUrl: REPO_URL, platformPath, platformCharts: platformApp.charts });

  return {
    platform,
    platformCharts: platformApp.charts,
    gitOps,
    synth: () => {
      platformApp.synth();
      gitOpsApp.synth();
    },
  };
}
