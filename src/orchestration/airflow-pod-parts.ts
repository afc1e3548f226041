import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { commandProbe, httpGetProbe } from '../core/probes';
import { ImageUser } from '../core/security';

// What the pods of the Airflow components, Jobs and task pods have in common.

/** The official image's `airflow` user; the root group owns `$AIRFLOW_HOME`. */
export const AIRFLOW_USER: ImageUser = { user: 50000, group: 0 };
const AIRFLOW_HOME = '/opt/airflow';

/** `given`, with cpu or memory left out taken from the defaults. */
export function resources(
  given: kplus.ContainerResources | undefined, cpuMillis: number, requestMi: number, limitMi: number,
): kplus.ContainerResources {
  return {
    cpu: given?.cpu ?? { request: kplus.Cpu.millis(cpuMillis) },
    memory: given?.memory ?? { request: Size.mebibytes(requestMi), limit: Size.mebibytes(limitMi) },
    ephemeralStorage: given?.ephemeralStorage,
  };
}

/** The Airflow CLI runs in Jobs and init containers; it loads all of Airflow. */
export const SETUP_RESOURCES = resources(undefined, 100, 512, 1024);

/** `$AIRFLOW_HOME` (logs, generated config) and `/tmp` as emptyDirs: the root filesystem is read-only. */
export function mountAirflowWritablePaths(pod: Construct, containers: kplus.Container[]): void {
  const home = kplus.Volume.fromEmptyDir(pod, 'AirflowHome', 'airflow-home');
  const tmp = kplus.Volume.fromEmptyDir(pod, 'Tmp', 'tmp');
  for (const container of containers) {
    container.mount(AIRFLOW_HOME, home);
    container.mount('/tmp', tmp);
  }
}

/** The probes of one component. */
export interface Probes {
  readonly readiness: kplus.Probe;
  readonly liveness: kplus.Probe;
  /** Holds the other two off while Airflow starts (it imports a lot). */
  readonly startup: kplus.Probe;
}

/** Probes of an HTTP health endpoint; startup may take 5 minutes. */
export function httpProbes(path: string, port: number): Probes {
  return {
    readiness: httpGetProbe(path, port, { failureThreshold: 3 }),
    liveness: httpGetProbe(path, port, { failureThreshold: 5, periodSeconds: 30 }),
    startup: httpGetProbe(path, port, { failureThreshold: 30 }),
  };
}

/**
 * `airflow jobs check` for this pod's job (the dag-processor and triggerer serve no health endpoint). It starts the
 * Airflow CLI, which takes seconds, so it runs rarely and with a long timeout.
 */
export function jobCheckProbes(jobType: string): Probes {
  const command = ['airflow', 'jobs', 'check', '--job-type', jobType, '--local'];
  return {
    readiness: commandProbe(command, { failureThreshold: 3, periodSeconds: 60, timeoutSeconds: 30 }),
    liveness: commandProbe(command, { failureThreshold: 5, periodSeconds: 60, timeoutSeconds: 30 }),
    startup: commandProbe(command, { failureThreshold: 10, periodSeconds: 30, timeoutSeconds: 30 }),
  };
}
