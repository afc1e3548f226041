import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

// Types the DAG sources and git auth share with GitSyncAirflow; not exported from the package.

/** How one pod gets the DAGs. */
export interface DagPodOptions {
  /** Construct that owns objects shared by every pod (a known_hosts ConfigMap). */
  readonly owner: Construct;
  /** The pod. */
  readonly pod: kplus.AbstractPod;
  /** The Airflow containers that read the DAGs. */
  readonly readers: kplus.Container[];
  /** Keep syncing with a sidecar (components), or sync once in an init container (task pods). */
  readonly keepSyncing: boolean;
}

/** What one pod's git-sync containers need for the repository's credentials. */
export interface GitAuthBinding {
  /** Env vars, in order. */
  readonly env: Array<[string, kplus.EnvValue]>;
  /** Read-only mounts: path → volume. */
  readonly mounts: Array<[string, kplus.Volume]>;
}
