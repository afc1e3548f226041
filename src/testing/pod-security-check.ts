/**
 * Rule `pod-security`: every pod spec meets the Pod Security Standards profile its namespace enforces, as the
 * PodSecurity admission controller checks it for Linux pods in Kubernetes 1.28: `restricted` (which includes every
 * `baseline` control) unless a Namespace of the output labels it `pod-security.kubernetes.io/enforce: baseline` (only
 * the baseline controls) or `privileged` (none). The pod specs of an operator's configuration (a Seldon SeldonConfig's
 * components, ServerConfigs) are held to `restricted`.
 */
import { asArray, asObject, finding, isObject, jsonPath, nameOf, stringMap } from './manifest-object';
import { operatorConfigPodTemplates } from './operator-pods';
import { containersOf, podTemplatesIn } from './pod-specs';
import { PodTemplate } from './pod-template';
import { ValidationFinding } from './validation-finding';

const ALLOWED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** The safe sysctls of the 1.28 policy (net.ipv4.ip_local_reserved_ports since 1.27). */
const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
];

const SELINUX_TYPES = ['container_t', 'container_init_t', 'container_kvm_t'];
const SECCOMP_TYPES = ['RuntimeDefault', 'Localhost'];
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** The capabilities `baseline` lets a container add. */
const BASELINE_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID',
  'SETPCAP', 'SETUID', 'SYS_CHROOT',
];
const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** A control a pod breaks, and whether `baseline` has that control too (else only `restricted` has it). */
interface Violation {
  readonly message: string;
  readonly baseline: boolean;
}

/** Checks every pod spec in the manifests against the profile its namespace enforces. */
export function checkPodSecurity(manifests: readonly unknown[]): ValidationFinding[] {
  const levels = new Map(manifests.filter(isObject).filter((obj) => obj.kind === 'Namespace' && obj.apiVersion === 'v1')
    .map((obj) => [nameOf(obj) ?? '', stringMap(asObject(obj.metadata).labels)[ENFORCE_LABEL]]));
  const findings: ValidationFinding[] = [];
  const pods: Array<[PodTemplate, string]> = [
    ...podTemplatesIn(manifests).map((pod): [PodTemplate, string] => [pod, levels.get(asObject(pod.owner.metadata).namespace) ?? 'restricted']),
    // An operator's configuration renders pods into other namespaces: they are held to restricted wherever it lives.
    ...operatorConfigPodTemplates(manifests).map((pod): [PodTemplate, string] => [pod, 'restricted']),
  ];
  for (const [pod, level] of pods) {
    if (level === 'privileged') continue;
    for (const violation of podViolations(pod)) {
      if (level === 'baseline' && !violation.baseline) continue;
      findings.push(finding('pod-security', pod.owner, violation.message));
    }
  }
  return findings;
}

function podViolations(pod: PodTemplate): Violation[] {
  const all: Array<[string, boolean]> = [];
  // A message pushed here breaks a baseline control; `restricted(...)` marks the restricted-only ones.
  const out = { push: (...messages: string[]) => all.push(...messages.map((message): [string, boolean] => [message, true])) };
  const restricted = (message: string) => all.push([message, false]);
  const { spec, specPath } = pod;
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) out.push(`${jsonPath(specPath, field)} must not be true`);
  }
  asArray(spec.volumes).forEach((volume, index) => {
    for (const type of Object.keys(asObject(volume)).filter((key) => key !== 'name' && !ALLOWED_VOLUME_TYPES.includes(key))) {
      const where = `${jsonPath(specPath, 'volumes', index)} ("${volume.name}")`;
      if (type === 'hostPath') {
        out.push(`${where} is a hostPath volume, which baseline and restricted forbid; run the pod in a namespace that enforces privileged`);
      } else {
        restricted(`${where} is a ${type} volume; restricted allows only ${ALLOWED_VOLUME_TYPES.join(', ')} volumes`);
      }
    }
  });
  for (const [key, value] of Object.entries(pod.annotations)) {
    if (key.startsWith(APPARMOR_PREFIX) && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      out.push(`${jsonPath(pod.annotationsPath, key)} must be runtime/default or localhost/<profile> (found "${value}")`);
    }
  }

  const podContextPath = jsonPath(specPath, 'securityContext');
  const podContext = asObject(spec.securityContext);
  commonViolations(podContext, podContextPath, out, restricted);
  if (podContext.runAsNonRoot === false) restricted(`${podContextPath}.runAsNonRoot must not be false`);
  const podSeccomp = asObject(podContext.seccompProfile).type;
  asArray(podContext.sysctls).forEach((sysctl, index) => {
    const name = asObject(sysctl).name;
    if (!SAFE_SYSCTLS.includes(name)) {
      out.push(`${jsonPath(podContextPath, 'sysctls', index, 'name')} "${name}" is not a safe sysctl; restricted allows only ${SAFE_SYSCTLS.join(', ')}`);
    }
  });

  for (const { container, path } of containersOf(pod)) {
    const contextPath = jsonPath(path, 'securityContext');
    const context = asObject(container.securityContext);
    commonViolations(context, contextPath, out, restricted);
    if (context.privileged === true) out.push(`${contextPath}.privileged must not be true`);
    if (context.allowPrivilegeEscalation !== false) restricted(`${contextPath}.allowPrivilegeEscalation must be false`);
    if (context.runAsNonRoot === false) {
      restricted(`${contextPath}.runAsNonRoot must not be false`);
    } else if (context.runAsNonRoot !== true && podContext.runAsNonRoot !== true) {
      restricted(`${contextPath}.runAsNonRoot must be true (or set ${podContextPath}.runAsNonRoot to true)`);
    }
    if (context.seccompProfile === undefined && !SECCOMP_TYPES.includes(podSeccomp)) {
      restricted(`${contextPath}.seccompProfile.type must be RuntimeDefault or Localhost (or set ${podContextPath}.seccompProfile.type)`);
    }
    if (context.procMount !== undefined && context.procMount !== 'Default') {
      out.push(`${contextPath}.procMount must be Default (found "${context.procMount}")`);
    }
    const capabilities = asObject(context.capabilities);
    if (!asArray(capabilities.drop).includes('ALL')) restricted(`${contextPath}.capabilities.drop must include ALL`);
    const added = asArray(capabilities.add).filter((capability) => capability !== 'NET_BIND_SERVICE');
    if (added.length > 0) {
      const message = `${contextPath}.capabilities.add may only contain NET_BIND_SERVICE (found ${added.join(', ')})`;
      if (added.some((capability) => !BASELINE_CAPABILITIES.includes(capability))) out.push(message); else restricted(message);
    }
    asArray(container.ports).forEach((port, index) => {
      const hostPort = asObject(port).hostPort;
      if (hostPort !== undefined && hostPort !== 0) out.push(`${jsonPath(path, 'ports', index, 'hostPort')} must not be set (found ${hostPort})`);
    });
  }
  return all.map(([message, baseline]) => ({ message, baseline }));
}

/** The controls a pod-level and a container-level securityContext share. */
function commonViolations(
  context: Record<string, any>, path: string, out: { push(message: string): void }, restricted: (message: string) => void,
): void {
  if (context.runAsUser === 0) restricted(`${path}.runAsUser must not be 0`);
  if (asObject(context.windowsOptions).hostProcess === true) out.push(`${path}.windowsOptions.hostProcess must not be true`);
  const seccomp = context.seccompProfile;
  if (isObject(seccomp) && !SECCOMP_TYPES.includes(seccomp.type)) {
    const message = `${path}.seccompProfile.type must be RuntimeDefault or Localhost (found ${JSON.stringify(seccomp.type)})`;
    if (seccomp.type === 'Unconfined') out.push(message); else restricted(message);
  }
  const seLinux = asObject(context.seLinuxOptions);
  if (seLinux.type !== undefined && seLinux.type !== '' && !SELINUX_TYPES.includes(seLinux.type)) {
    out.push(`${path}.seLinuxOptions.type must be ${SELINUX_TYPES.join(', ')} or unset (found "${seLinux.type}")`);
  }
  for (const field of ['user', 'role']) {
    if (seLinux[field] !== undefined && seLinux[field] !== '') out.push(`${path}.seLinuxOptions.${field} must not be set`);
  }
}
