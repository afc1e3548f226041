import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { container, deployment, object, ofRule, podSpec, restrictedContainer } from './fixtures';
import { ManifestValidator } from '../../src/testing';

const validator = new ManifestValidator();

/** The pod-security messages about a Pod `p` with the pod spec `podSpec(overrides)`. */
function podMessages(overrides: Record<string, any>, metadata: Record<string, any> = {}): string[] {
  const pod = object('v1', 'Pod', 'p', { spec: podSpec(overrides) });
  pod.metadata = { ...pod.metadata, ...metadata };
  return ofRule(validator.validateManifests([pod]), 'pod-security').map((f) => f.message);
}

/** A container whose securityContext is `container()`'s with `context` merged in. */
function withContext(context: Record<string, any>, overrides: Record<string, any> = {}): Record<string, any> {
  const base = container(overrides);
  return { ...base, securityContext: { ...base.securityContext, ...context } };
}

describe('pod-security: compliant pods pass', () => {
  test('a kplus Deployment with explicit restricted settings', () => {
    const chart = new Chart(Testing.app(), 'test');
    new kplus.Deployment(chart, 'web', { containers: [restrictedContainer()] });
    expect(validator.validateChart(chart)).toEqual([]);
  });

  test('a pod with runAsNonRoot and seccomp on every container instead of the pod', () => {
    expect(podMessages({
      securityContext: {},
      containers: [withContext({ runAsNonRoot: true, seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' } })],
    })).toEqual([]);
  });

  test('every allowed volume type, safe sysctls, allowed SELinux types and AppArmor profiles', () => {
    const volumes = [
      { name: 'a', configMap: { name: 'kube-root-ca.crt' } },
      { name: 'b', csi: { driver: 'csi.example.com' } },
      { name: 'c', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      { name: 'd', emptyDir: {} },
      { name: 'e', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } },
      { name: 'f', projected: { sources: [] } },
    ];
    expect(podMessages({
      volumes,
      securityContext: {
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
        sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }, { name: 'net.ipv4.ip_local_reserved_ports', value: '8080' }],
        seLinuxOptions: { type: 'container_t', level: 's0:c123,c456' },
      },
      containers: [withContext({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, seLinuxOptions: { type: 'container_init_t' } })],
    }, { annotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'runtime/default' } })).toEqual([]);
  });
});

describe('pod-security: each restricted control', () => {
  test('kplus defaults are not fully restricted: no seccomp profile, capabilities not dropped', () => {
    const chart = new Chart(Testing.app(), 'test');
    const web = new kplus.Deployment(chart, 'web', { containers: [{ image: 'app:1', securityContext: { user: 1000 } }] });
    expect(ofRule(validator.validateChart(chart), 'pod-security')).toEqual([
      {
        rule: 'pod-security',
        object: `Deployment ${web.name}`,
        message: 'spec.template.spec.containers[0].securityContext.seccompProfile.type must be RuntimeDefault or Localhost (or set spec.template.spec.securityContext.seccompProfile.type)',
      },
      { rule: 'pod-security', object: `Deployment ${web.name}`, message: 'spec.template.spec.containers[0].securityContext.capabilities.drop must include ALL' },
    ]);
  });

  test('host namespaces', () => {
    expect(podMessages({ hostNetwork: true, hostPID: true, hostIPC: true })).toEqual([
      'spec.hostNetwork must not be true',
      'spec.hostPID must not be true',
      'spec.hostIPC must not be true',
    ]);
  });

  test('privileged containers', () => {
    expect(podMessages({ containers: [withContext({ privileged: true })] })).toEqual(['spec.containers[0].securityContext.privileged must not be true']);
  });

  test('hostPath and nfs volumes', () => {
    expect(podMessages({ volumes: [{ name: 'host', hostPath: { path: '/var/run' } }, { name: 'shared', nfs: { server: 'nfs', path: '/' } }] })).toEqual([
      'spec.volumes[0] ("host") is a hostPath volume, which baseline and restricted forbid; run the pod in a namespace that enforces privileged',
      'spec.volumes[1] ("shared") is a nfs volume; restricted allows only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret volumes',
    ]);
  });

  test('host ports', () => {
    expect(podMessages({ containers: [container({ ports: [{ containerPort: 80, hostPort: 80 }, { containerPort: 81, hostPort: 0 }] })] })).toEqual([
      'spec.containers[0].ports[0].hostPort must not be set (found 80)',
    ]);
  });

  test('runAsNonRoot: at the pod or on every container, never false', () => {
    const app = deployment('app', { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } });
    expect(ofRule(validator.validateManifests([app]), 'pod-security')).toEqual([{
      rule: 'pod-security',
      object: 'Deployment app',
      message: 'spec.template.spec.containers[0].securityContext.runAsNonRoot must be true (or set spec.template.spec.securityContext.runAsNonRoot to true)',
    }]);
    expect(podMessages({ securityContext: { runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } }, containers: [withContext({ runAsNonRoot: true })] })).toEqual([
      'spec.securityContext.runAsNonRoot must not be false',
    ]);
    expect(podMessages({ containers: [withContext({ runAsNonRoot: false })] })).toEqual(['spec.containers[0].securityContext.runAsNonRoot must not be false']);
  });

  test('runAsUser 0', () => {
    expect(podMessages({ securityContext: { runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } }, containers: [withContext({ runAsUser: 0 })] })).toEqual([
      'spec.securityContext.runAsUser must not be 0',
      'spec.containers[0].securityContext.runAsUser must not be 0',
    ]);
  });

  test('allowPrivilegeEscalation must be false on every container, init and ephemeral ones included', () => {
    const noEscalationSetting = container();
    delete noEscalationSetting.securityContext.allowPrivilegeEscalation;
    expect(podMessages({
      initContainers: [{ ...noEscalationSetting, name: 'init' }],
      containers: [withContext({ allowPrivilegeEscalation: true })],
      ephemeralContainers: [{ name: 'debug', image: 'busybox', securityContext: { capabilities: { drop: ['ALL'] } } }],
    })).toEqual([
      'spec.initContainers[0].securityContext.allowPrivilegeEscalation must be false',
      'spec.containers[0].securityContext.allowPrivilegeEscalation must be false',
      'spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation must be false',
    ]);
  });

  test('capabilities: drop ALL, add only NET_BIND_SERVICE', () => {
    expect(podMessages({ containers: [withContext({ capabilities: { drop: ['NET_RAW'], add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] } })] })).toEqual([
      'spec.containers[0].securityContext.capabilities.drop must include ALL',
      'spec.containers[0].securityContext.capabilities.add may only contain NET_BIND_SERVICE (found SYS_ADMIN)',
    ]);
  });

  test('seccomp: RuntimeDefault or Localhost, never Unconfined', () => {
    expect(podMessages({ securityContext: { runAsNonRoot: true } })).toEqual([
      'spec.containers[0].securityContext.seccompProfile.type must be RuntimeDefault or Localhost (or set spec.securityContext.seccompProfile.type)',
    ]);
    expect(podMessages({ containers: [withContext({ seccompProfile: { type: 'Unconfined' } })] })).toEqual([
      'spec.containers[0].securityContext.seccompProfile.type must be RuntimeDefault or Localhost (found "Unconfined")',
    ]);
    expect(podMessages({ securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Unconfined' } }, containers: [withContext({ seccompProfile: { type: 'RuntimeDefault' } })] })).toEqual([
      'spec.securityContext.seccompProfile.type must be RuntimeDefault or Localhost (found "Unconfined")',
    ]);
  });

  test('procMount', () => {
    expect(podMessages({ containers: [withContext({ procMount: 'Unmasked' })] })).toEqual(['spec.containers[0].securityContext.procMount must be Default (found "Unmasked")']);
    expect(podMessages({ containers: [withContext({ procMount: 'Default' })] })).toEqual([]);
  });

  test('unsafe sysctls', () => {
    expect(podMessages({ securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] } })).toEqual([
      'spec.securityContext.sysctls[0].name "net.core.somaxconn" is not a safe sysctl; restricted allows only kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports',
    ]);
  });

  test('SELinux: only the container types, no user or role', () => {
    expect(podMessages({ containers: [withContext({ seLinuxOptions: { type: 'spc_t', user: 'system_u', role: 'system_r' } })] })).toEqual([
      'spec.containers[0].securityContext.seLinuxOptions.type must be container_t, container_init_t, container_kvm_t or unset (found "spc_t")',
      'spec.containers[0].securityContext.seLinuxOptions.user must not be set',
      'spec.containers[0].securityContext.seLinuxOptions.role must not be set',
    ]);
  });

  test('AppArmor annotations: runtime/default or localhost/*', () => {
    const annotations = {
      'container.apparmor.security.beta.kubernetes.io/main': 'unconfined',
      'container.apparmor.security.beta.kubernetes.io/sidecar': 'localhost/k8s-sidecar',
    };
    expect(podMessages({}, { annotations })).toEqual([
      'metadata.annotations["container.apparmor.security.beta.kubernetes.io/main"] must be runtime/default or localhost/<profile> (found "unconfined")',
    ]);
    const app = deployment('app');
    app.spec.template.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/main': 'unconfined' };
    expect(ofRule(validator.validateManifests([app]), 'pod-security').map((f) => f.message)).toEqual([
      'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/main"] must be runtime/default or localhost/<profile> (found "unconfined")',
    ]);
  });

  test('Windows HostProcess containers', () => {
    expect(podMessages({ containers: [withContext({ windowsOptions: { hostProcess: true } })] })).toEqual([
      'spec.containers[0].securityContext.windowsOptions.hostProcess must not be true',
    ]);
  });
});
