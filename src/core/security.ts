import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * The identity an image runs as. Stock images (postgres, mysql, redis, minio) start as root and step down to a
 * fixed user; under Pod Security `restricted` they must start as that user, so every construct states it.
 */
export interface ImageUser {
  /** The uid the image's process runs as. */
  readonly user: number;
  /** The primary gid. */
  readonly group: number;
  /**
   * The group that owns mounted volumes, so that the process can write to a fresh PVC.
   *
   * @default - the same as `group`
   */
  readonly fsGroup?: number;
}

/** Pod Security Standards `restricted` for a container, plus a read-only root filesystem. */
export function restrictedContainerSecurity(runAs: ImageUser): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: runAs.user,
    group: runAs.group,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/** The pod-level half of `restricted`: non-root, and volumes owned by the image's group. */
export function restrictedPodSecurity(runAs: ImageUser): kplus.PodSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: runAs.user,
    group: runAs.group,
    fsGroup: runAs.fsGroup ?? runAs.group,
    fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
  };
}

/**
 * Mounts an emptyDir at each path the image writes to, since the root filesystem is read-only.
 * `paths` maps a volume name to its mount path, e.g. `{ run: '/var/run/postgresql', tmp: '/tmp' }`.
 */
export function mountWritablePaths(scope: Construct, container: kplus.Container, paths: Record<string, string>): void {
  for (const [name, path] of Object.entries(paths)) {
    const volume = kplus.Volume.fromEmptyDir(scope, `Writable-${name}`, name);
    container.mount(path, volume);
  }
}
