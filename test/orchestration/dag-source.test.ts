import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, NfsSharedVolume } from '../../src';
import { DagSource, GitAuth, GitSubmodules } from '../../src/orchestration';
import { container, envOf, objectNamed, podSpec } from '../util';
import { airflow, componentEnv, deployment, fixture, PUBLIC_REPO, synthValidWithTaskPod, taskPod } from './fixtures';

/** The env of a git-sync container with the defaults, `values` replacing or adding to them. */
function gitSyncEnv(values: Record<string, string>): Record<string, { value: string }> {
  const env: Record<string, string> = {
    GITSYNC_REPO: PUBLIC_REPO,
    GITSYNC_REF: 'HEAD',
    GITSYNC_ROOT: '/opt/airflow/dags/git',
    GITSYNC_LINK: 'repo',
    GITSYNC_PERIOD: '60s',
    GITSYNC_DEPTH: '1',
    GITSYNC_SUBMODULES: 'recursive',
    ...values,
  };
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, { value }]));
}

describe('DagSource.fromGit', () => {
  test('every task pod syncs the DAGs once in a git-sync init container before the task starts', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f, {
      dags: DagSource.fromGit({ repository: PUBLIC_REPO, ref: 'release-1.4', subPath: 'dags/', period: '30s', depth: 5 }),
    });
    // THEN
    const pod = taskPod(Testing.synth(f.chart));
    expect(pod.spec.initContainers.map((c: any) => c.name)).toEqual(['git-sync-init']);
    const init = pod.spec.initContainers[0];
    expect(init.image).toBe('registry.k8s.io/git-sync/git-sync:v4.7.1');
    expect(envOf(init)).toEqual(gitSyncEnv({ GITSYNC_REF: 'release-1.4', GITSYNC_PERIOD: '30s', GITSYNC_DEPTH: '5', GITSYNC_ONE_TIME: 'true' }));
    expect(init.securityContext).toMatchObject({ runAsUser: 65533, runAsGroup: 65533, readOnlyRootFilesystem: true });
    expect(init.volumeMounts).toEqual([
      { mountPath: '/opt/airflow/dags', name: 'dags' },
      { mountPath: '/tmp', name: 'git-sync-tmp' },
    ]);
    // Airflow reads the DAGs through git-sync's link, read-only, with the repository root on PYTHONPATH.
    const base = pod.spec.containers[0];
    expect(base.volumeMounts).toContainEqual({ mountPath: '/opt/airflow/dags', name: 'dags', readOnly: true });
    expect(envOf(base).AIRFLOW__CORE__DAGS_FOLDER).toEqual({ value: '/opt/airflow/dags/git/repo/dags' });
    expect(envOf(base).PYTHONPATH).toEqual({ value: '/opt/airflow/dags/git/repo' });
    expect(pod.spec.volumes).toContainEqual({ name: 'dags', emptyDir: {} });
  });

  test('the scheduler, dag-processor and triggerer sync once, then keep syncing in a sidecar; the api-server has no DAGs', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f);
    // THEN
    const manifests = Testing.synth(f.chart);
    for (const component of ['scheduler', 'dagprocessor', 'triggerer']) {
      const spec = podSpec(deployment(manifests, component));
      expect(spec.initContainers.map((c: any) => c.name)).toEqual(['wait-for-migrations', 'git-sync-init']);
      const sidecar = container(deployment(manifests, component), 'git-sync');
      expect(envOf(sidecar)).toEqual(gitSyncEnv({ GITSYNC_HTTP_BIND: ':8000' }));
      expect(sidecar.readinessProbe.httpGet).toEqual({ path: '/', port: 8000, scheme: 'HTTP' });
      expect(componentEnv(manifests, component, spec.containers[0].name).AIRFLOW__CORE__DAGS_FOLDER).toEqual({ value: '/opt/airflow/dags/git/repo' });
    }
    const apiServer = podSpec(deployment(manifests, 'apiserver'));
    expect(apiServer.containers.map((c: any) => c.name)).toEqual(['api-server']);
    expect(apiServer.initContainers.map((c: any) => c.name)).toEqual(['wait-for-migrations']);
  });

  test('ssh: the deploy key is mounted at /etc/git-secret/ssh with mode 0440 and the known_hosts come from a ConfigMap', () => {
    // GIVEN
    const f = fixture();
    const key = kplus.Secret.fromSecretName(f.chart, 'DeployKey', 'dags-deploy-key');
    // WHEN
    airflow(f, {
      dags: DagSource.fromGit({
        repository: 'git@github.com:example/dags.git',
        auth: GitAuth.ssh({ secret: key, knownHosts: 'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl' }),
      }),
    });
    // THEN
    const { manifests, pod } = synthValidWithTaskPod(f.chart, [{ kind: 'Secret', name: 'dags-deploy-key', keys: ['gitSshKey'] }]);
    const knownHosts = objectNamed(manifests, 'ConfigMap', 'airflow-gitknownhosts');
    expect(knownHosts.data).toEqual({ known_hosts: 'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n' });
    for (const gitSync of [pod.spec.initContainers[0], container(deployment(manifests, 'scheduler'), 'git-sync')]) {
      const env = envOf(gitSync);
      expect(env.GITSYNC_REPO).toEqual({ value: 'git@github.com:example/dags.git' });
      expect(env.GITSYNC_SSH).toEqual({ value: 'true' });
      expect(env.GITSYNC_SSH_KEY_FILE).toEqual({ value: '/etc/git-secret/ssh' });
      expect(env.GITSYNC_SSH_KNOWN_HOSTS).toEqual({ value: 'true' });
      expect(env.GITSYNC_SSH_KNOWN_HOSTS_FILE).toEqual({ value: '/etc/git-known-hosts/known_hosts' });
      expect(env.GITSYNC_ADD_USER).toEqual({ value: 'true' });
      expect(Object.keys(env).filter((name) => name.startsWith('GIT_'))).toEqual([]); // v4 names only
      expect(gitSync.volumeMounts).toEqual(expect.arrayContaining([
        { mountPath: '/etc/git-secret', name: 'git-secret', readOnly: true },
        { mountPath: '/etc/git-known-hosts', name: 'git-known-hosts', readOnly: true },
      ]));
    }
    expect(pod.spec.volumes).toEqual(expect.arrayContaining([
      { name: 'git-secret', secret: { secretName: 'dags-deploy-key', defaultMode: 0o440, items: [{ key: 'gitSshKey', path: 'ssh' }] } },
      { name: 'git-known-hosts', configMap: { name: knownHosts.metadata.name } },
    ]));
  });

  test('ssh: known_hosts from a key of the same Secret, or host key verification explicitly off', () => {
    // GIVEN
    const f = fixture();
    const key = kplus.Secret.fromSecretName(f.chart, 'DeployKey', 'dags-deploy-key');
    // WHEN
    airflow(f, {
      dags: DagSource.fromGit({
        repository: 'ssh://git@git.example.internal:2222/data/dags.git',
        auth: GitAuth.ssh({ secret: key, privateKeyKey: 'id_ed25519', knownHostsKey: 'known_hosts' }),
      }),
    });
    const insecure = fixture();
    airflow(insecure, {
      dags: DagSource.fromGit({ repository: 'git@github.com:example/dags.git', auth: GitAuth.ssh({ secret: key, skipHostKeyVerification: true }) }),
    });
    // THEN
    const { pod } = synthValidWithTaskPod(f.chart, [{ kind: 'Secret', name: 'dags-deploy-key', keys: ['id_ed25519', 'known_hosts'] }]);
    expect(pod.spec.volumes).toContainEqual({
      name: 'git-secret',
      secret: { secretName: 'dags-deploy-key', defaultMode: 0o440, items: [{ key: 'id_ed25519', path: 'ssh' }, { key: 'known_hosts', path: 'known_hosts' }] },
    });
    expect(envOf(pod.spec.initContainers[0]).GITSYNC_SSH_KNOWN_HOSTS_FILE).toEqual({ value: '/etc/git-secret/known_hosts' });
    const insecureEnv = envOf(taskPod(Testing.synth(insecure.chart)).spec.initContainers[0]);
    expect(insecureEnv.GITSYNC_SSH_KNOWN_HOSTS).toEqual({ value: 'false' });
    expect(insecureEnv.GITSYNC_SSH_KNOWN_HOSTS_FILE).toBeUndefined();
  });

  test('https: GITSYNC_USERNAME and GITSYNC_PASSWORD come from the Secret', () => {
    // GIVEN
    const f = fixture();
    const token = kplus.Secret.fromSecretName(f.chart, 'Token', 'dags-token');
    // WHEN
    airflow(f, {
      dags: DagSource.fromGit({
        repository: 'https://gitlab.example.com/data/dags.git',
        auth: GitAuth.https(Credentials.fromSecret(token, { keys: { password: 'token' }, values: { username: 'oauth2' } })),
      }),
    });
    // THEN
    const { manifests, pod } = synthValidWithTaskPod(f.chart, [{ kind: 'Secret', name: 'dags-token', keys: ['token'] }]);
    for (const gitSync of [pod.spec.initContainers[0], container(deployment(manifests, 'dagprocessor'), 'git-sync')]) {
      const env = envOf(gitSync);
      expect(env.GITSYNC_USERNAME).toEqual({ value: 'oauth2' });
      expect(env.GITSYNC_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: 'dags-token', key: 'token' } } });
      expect(env.GITSYNC_SSH).toBeUndefined();
    }
  });

  test('submodules: one central repository gathers the DAG repositories of several teams', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    airflow(f, { dags: DagSource.fromGit({ repository: PUBLIC_REPO, submodules: GitSubmodules.SHALLOW, depth: 0 }) });
    // THEN
    const { manifests, pod } = synthValidWithTaskPod(f.chart);
    for (const gitSync of [pod.spec.initContainers[0], container(deployment(manifests, 'triggerer'), 'git-sync')]) {
      expect(envOf(gitSync).GITSYNC_SUBMODULES).toEqual({ value: 'shallow' });
      expect(envOf(gitSync).GITSYNC_DEPTH).toEqual({ value: '0' });
    }
    expect(GitSubmodules.OFF.mode).toBe('off');
  });
});

describe('DagSource.fromVolume', () => {
  test('mounts a shared volume read-only into the DAG readers and the task pods, with no git-sync', () => {
    // GIVEN
    const f = fixture();
    const nfs = new NfsSharedVolume(f.chart, 'Dags', { server: 'nfs.example.internal', path: '/exports/dags' });
    // WHEN
    airflow(f, { dags: DagSource.fromVolume(nfs, { subPath: 'airflow' }) });
    // THEN
    const { manifests, pod } = synthValidWithTaskPod(f.chart);
    const claim = objectNamed(manifests, 'PersistentVolumeClaim', 'dags-claim').metadata.name;
    for (const spec of [pod.spec, podSpec(deployment(manifests, 'dagprocessor'))]) {
      const reader = spec.containers[0];
      expect(reader.volumeMounts).toContainEqual({ mountPath: '/opt/airflow/dags', name: expect.stringMatching(/^test-dags-nfs-/), readOnly: true });
      expect(spec.volumes).toContainEqual({ name: expect.stringMatching(/^test-dags-nfs-/), persistentVolumeClaim: { claimName: claim, readOnly: false } });
      expect(envOf(reader).AIRFLOW__CORE__DAGS_FOLDER).toEqual({ value: '/opt/airflow/dags/airflow' });
      expect(envOf(reader).PYTHONPATH).toEqual({ value: '/opt/airflow/dags' });
      expect([...(spec.initContainers ?? []), ...spec.containers].map((c: any) => c.name)).not.toContain('git-sync');
    }
    expect(pod.spec.initContainers).toBeUndefined();
  });
});
