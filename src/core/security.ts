import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { aNumber, anInstanceOf, aStringMap, checkArgument, checkProps } from './props-check';

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

/** Pod Security Standards `restricted` for a kplus container, plus a read-only root filesystem. */
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

/** The pod-level half of `restricted` for a kplus pod: non-root, and volumes owned by the image's group. */
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
 * The pod-level half of `restricted` for a pod spec inside a custom resource (an InferenceService predictor, a
 * Prometheus). It reaches only the pods the operator builds from that spec: pods an operator renders from its own
 * configuration (KServe's storage initializer, Seldon's ServerConfig) are the operator's install to secure.
 */
export function restrictedPodSecurityContext(runAs: ImageUser) {
  return {
    runAsNonRoot: true,
    runAsUser: runAs.user,
    runAsGroup: runAs.group,
    fsGroup: runAs.fsGroup ?? runAs.group,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The container half of `restricted` for a container inside a custom resource (see `restrictedPodSecurityContext`). */
export function restrictedContainerSecurityContext() {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
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

/**
 * Pod Security Standards `restricted`, the way this library's own pods meet it, for the workloads you build next to
 * them: the validator in `ManifestValidator` checks yours as it checks ours.
 *
 * ```ts
 * new kplus.Deployment(this, 'Consumer', {
 *   securityContext: RestrictedSecurity.podProps({ user: 1000, group: 1000 }),
 *   containers: [{ image: 'my/app:1.0', securityContext: RestrictedSecurity.containerProps({ user: 1000, group: 1000 }) }],
 * });
 * ```
 */
export class RestrictedSecurity {
  /** A kplus container's security context: non-root as `runAs`, no privilege escalation, no capabilities, RuntimeDefault seccomp, read-only root filesystem. */
  public static containerProps(runAs: ImageUser): kplus.ContainerSecurityContextProps {
    checkImageUser('RestrictedSecurity.containerProps', runAs);
    return restrictedContainerSecurity(runAs);
  }

  /** A kplus pod's security context: non-root as `runAs`, with volumes owned by its `fsGroup` (default: its group). */
  public static podProps(runAs: ImageUser): kplus.PodSecurityContextProps {
    checkImageUser('RestrictedSecurity.podProps', runAs);
    return restrictedPodSecurity(runAs);
  }

  /**
   * A pod `securityContext` for a pod spec inside a custom resource, in Kubernetes' field names. Pods an operator
   * renders from its own configuration are out of its reach.
   */
  public static podSecurityContext(runAs: ImageUser): { [key: string]: any } {
    checkImageUser('RestrictedSecurity.podSecurityContext', runAs);
    return restrictedPodSecurityContext(runAs);
  }

  /** A container `securityContext` for a container inside a custom resource, in Kubernetes' field names. */
  public static containerSecurityContext(): { [key: string]: any } {
    return restrictedContainerSecurityContext();
  }

  /** Mounts an emptyDir at each path the image writes to (`{ volumeName: mountPath }`), as the root filesystem is read-only. */
  public static mountWritablePaths(scope: Construct, container: kplus.Container, paths: { [volumeName: string]: string }): void {
    checkArgument('RestrictedSecurity.mountWritablePaths', 'container', container, anInstanceOf(kplus.Container, 'deployment.containers[0]'));
    checkArgument('RestrictedSecurity.mountWritablePaths', 'paths', paths, aStringMap("{ tmp: '/tmp' }"));
    mountWritablePaths(scope, container, paths);
  }

  private constructor() {}
}

function checkImageUser(where: string, runAs: ImageUser): void {
  checkProps(where, runAs, { user: aNumber('1000'), group: aNumber('1000') }, { fsGroup: aNumber('1000') }, 'runAs');
}
