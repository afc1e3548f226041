import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ImageUser, restrictedContainerSecurity, restrictedPodSecurity } from '../../src/core/security';
import { objectsOfKind } from '../util';

/** The user of the consumers below, unless a test needs another one. */
export const APP_USER: ImageUser = { user: 1000, group: 1000 };

/** A consumer of a database, cache or volume: a restricted Deployment and its container `main`. */
export interface Workload {
  readonly deployment: kplus.Deployment;
  readonly main: kplus.Container;
}

/** A restricted Deployment with one container `main`, standing for a consumer such as MLflow or an Airflow worker. */
export function workload(scope: Construct, id: string, runAs: ImageUser = APP_USER): Workload {
  const deployment = new kplus.Deployment(scope, id, {
    securityContext: restrictedPodSecurity(runAs),
    automountServiceAccountToken: false,
  });
  return { deployment, main: addRestrictedContainer(deployment, 'main', runAs) };
}

/** Adds a restricted container `name` that runs as `runAs`, with cpu and memory requests and a memory limit. */
export function addRestrictedContainer(deployment: kplus.Deployment, name: string, runAs: ImageUser = APP_USER): kplus.Container {
  return deployment.addContainer({
    name,
    image: 'example.com/app:1.0',
    securityContext: restrictedContainerSecurity(runAs),
    resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) } },
  });
}

/** The names of the databases' setup Jobs (not of the Jobs that generate Secrets), in synth order. */
export function setupJobNames(chart: Chart): string[] {
  return objectsOfKind(Testing.synth(chart), 'Job').map((j) => j.metadata.name).filter((name) => name.includes('-setup-'));
}

/**
 * Runs `script` with `shell -c` and only `/usr/bin`, `/bin` and the given stub commands on PATH; each stub is a
 * `/bin/sh` script body, e.g. `{ sleep: 'exit 0' }`.
 */
export function runWithStubs(shell: string[], script: string, stubs: Record<string, string>, env: Record<string, string>): SpawnSyncReturns<string> {
  const bin = mkdtempSync(join(tmpdir(), 'setup-stubs-'));
  for (const [name, body] of Object.entries(stubs)) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return spawnSync(shell[0], [...shell.slice(1), '-c', script], {
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: bin, ...env },
    encoding: 'utf-8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
