import * as kplus from 'cdk8s-plus-28';
import { airflow, componentEnv, fixture, synthValidWithTaskPod } from './fixtures';
import { NfsSharedVolume, SecretSource, TaskPermission, TaskServiceAccount } from '../../src';
import { envOf, objectNamed, objectsOfKind } from '../util';

const PREFIX = "GitSyncAirflow 'test/Airflow': ";

/** A Role's rules as `apiGroup/resource` → verbs. */
function verbsByResource(role: any): Record<string, string[]> {
  const verbs: Record<string, string[]> = {};
  for (const rule of role.rules) {
    for (const resource of rule.resources) {
      verbs[`${rule.apiGroups[0]}/${resource}`] = rule.verbs;
    }
  }
  return verbs;
}

/** The Roles bound to the ServiceAccount `account`, with the namespace of each. */
function rolesOf(manifests: any[], account: string): Array<{ namespace: string; role: any }> {
  return objectsOfKind(manifests, 'RoleBinding')
    .filter((binding) => binding.subjects.some((s: any) => s.kind === 'ServiceAccount' && s.name === account && s.namespace === 'mlops'))
    .map((binding) => ({
      namespace: binding.metadata.namespace,
      role: objectsOfKind(manifests, 'Role').find((r) => r.metadata.name === binding.roleRef.name && r.metadata.namespace === binding.metadata.namespace),
    }));
}

describe('GitSyncAirflow: what tasks may do on the cluster', () => {
  test('grantTasks(LAUNCH_PODS) gives the task pods\' ServiceAccount what KubernetesPodOperator needs, and mounts its token', () => {
    const f = fixture();
    const a = airflow(f);
    const roles = a.grantTasks(TaskPermission.LAUNCH_PODS);
    const { manifests, pod } = synthValidWithTaskPod(f.chart);
    const account = objectNamed(manifests, 'ServiceAccount', 'airflow-taskserviceaccount');
    expect(account.automountServiceAccountToken).toBe(true);
    expect(pod.spec.serviceAccountName).toBe(account.metadata.name);
    const bound = rolesOf(manifests, account.metadata.name);
    expect(bound.map((b) => [b.namespace, b.role.metadata.name])).toEqual([['mlops', roles[0].name]]);
    expect(verbsByResource(bound[0].role)).toEqual({
      '/pods': ['create', 'get', 'list', 'watch', 'delete', 'patch'],
      '/pods/log': ['get'],
      '/pods/exec': ['create'],
      '/events': ['list'],
    });
  });

  test('DEPLOY_MODELS and SUBMIT_TRAINING_JOBS, in named namespaces: one Role and RoleBinding in each', () => {
    const f = fixture();
    const a = airflow(f);
    a.grantTasks(TaskPermission.DEPLOY_MODELS, { namespaces: ['serving-a', 'serving-b'] });
    a.grantTasks(TaskPermission.SUBMIT_TRAINING_JOBS);
    const { manifests } = synthValidWithTaskPod(f.chart);
    const account = objectNamed(manifests, 'ServiceAccount', 'airflow-taskserviceaccount').metadata.name;
    const bound = rolesOf(manifests, account);
    expect(bound.map((b) => b.namespace)).toEqual(['serving-a', 'serving-b', 'mlops']);
    const manage = ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'];
    for (const { role } of bound.slice(0, 2)) {
      expect(verbsByResource(role)).toEqual({
        'serving.kserve.io/inferenceservices': manage,
        'serving.kserve.io/inferencegraphs': manage,
        'networking.istio.io/virtualservices': manage,
      });
    }
    expect(verbsByResource(bound[2].role)).toEqual({
      'kubeflow.org/pytorchjobs': manage,
      'sparkoperator.k8s.io/sparkapplications': manage,
      '/pods': ['get', 'list', 'watch'],
      '/pods/log': ['get'],
      '/events': ['list'],
    });
  });

  test('granting the same permission in the same namespace again changes nothing', () => {
    const f = fixture();
    const a = airflow(f);
    const first = a.grantTasks(TaskPermission.LAUNCH_PODS);
    expect(a.grantTasks(TaskPermission.LAUNCH_PODS)).toEqual(first);
  });

  test('without grants the task pods mount no token and their ServiceAccount has no Role', () => {
    const f = fixture();
    airflow(f);
    const { manifests, pod } = synthValidWithTaskPod(f.chart);
    const account = objectNamed(manifests, 'ServiceAccount', 'airflow-taskserviceaccount');
    expect(account.automountServiceAccountToken).toBe(false);
    expect(pod.spec.automountServiceAccountToken).toBeUndefined();
    expect(rolesOf(manifests, account.metadata.name)).toEqual([]);
  });

  test('a ServiceAccount per purpose: its own name for pod_override, its own Roles and token, nothing for the other tasks', () => {
    const f = fixture();
    const a = airflow(f);
    const trainer = a.addTaskServiceAccount('airflow-trainer', { permissions: [TaskPermission.SUBMIT_TRAINING_JOBS] });
    trainer.grant(TaskPermission.LAUNCH_PODS, { namespaces: ['batch'] });
    expect(trainer).toBeInstanceOf(TaskServiceAccount);
    expect(trainer.serviceAccountName).toBe('airflow-trainer');
    const { manifests } = synthValidWithTaskPod(f.chart, [{ kind: 'Namespace', name: 'batch' }]);
    const account = objectNamed(manifests, 'ServiceAccount', 'airflow-trainer');
    expect(account.metadata.name).toBe('airflow-trainer');
    expect(account.automountServiceAccountToken).toBe(true);
    const bound = rolesOf(manifests, 'airflow-trainer');
    expect(bound.map((b) => b.namespace)).toEqual(['mlops', 'batch']);
    expect(Object.keys(verbsByResource(bound[0].role))).toContain('kubeflow.org/pytorchjobs');
    expect(Object.keys(verbsByResource(bound[1].role))).toContain('/pods/exec');
    const taskAccount = objectNamed(manifests, 'ServiceAccount', 'airflow-taskserviceaccount');
    expect(rolesOf(manifests, taskAccount.metadata.name)).toEqual([]);
  });

  test('addConnection: AIRFLOW_CONN_<ID> from a Secret key, in the components and the task pods', () => {
    const f = fixture();
    const a = airflow(f);
    const azure = kplus.Secret.fromSecretName(f.chart, 'Azure', 'azure-blob');
    a.addConnection('azure_blob', SecretSource.fromSecret(azure, { keys: { connection: 'uri' } }));
    a.addConnection('kafka_events', SecretSource.fromSecret(kplus.Secret.fromSecretName(f.chart, 'Kafka', 'kafka-connection')));
    const { manifests, pod } = synthValidWithTaskPod(f.chart, [
      { kind: 'Secret', name: 'azure-blob', namespace: 'mlops', keys: ['uri'] },
      { kind: 'Secret', name: 'kafka-connection', namespace: 'mlops', keys: ['connection'] },
    ]);
    const expected = {
      AIRFLOW_CONN_AZURE_BLOB: { valueFrom: { secretKeyRef: { name: 'azure-blob', key: 'uri' } } },
      AIRFLOW_CONN_KAFKA_EVENTS: { valueFrom: { secretKeyRef: { name: 'kafka-connection', key: 'connection' } } },
    };
    expect(envOf(pod.spec.containers[0])).toMatchObject(expected);
    expect(componentEnv(manifests, 'scheduler', 'scheduler')).toMatchObject(expected);
  });

  test('addTaskSecretEnv: an env var from a Secret in the task pods only; a generated source makes its Secret', () => {
    const f = fixture();
    const a = airflow(f);
    a.addTaskSecretEnv('KAFKA_PASSWORD', SecretSource.fromSecret(kplus.Secret.fromSecretName(f.chart, 'Kafka', 'kafka'), { keys: { value: 'password' } }));
    a.addTaskSecretEnv('SIGNING_KEY', SecretSource.generated());
    const { manifests, pod } = synthValidWithTaskPod(f.chart, [{ kind: 'Secret', name: 'kafka', namespace: 'mlops', keys: ['password'] }]);
    const env = envOf(pod.spec.containers[0]);
    expect(env.KAFKA_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: 'kafka', key: 'password' } } });
    const generated = objectNamed(manifests, 'Secret', 'airflow-taskenv-signing-key');
    expect(env.SIGNING_KEY).toEqual({ valueFrom: { secretKeyRef: { name: generated.metadata.name, key: 'value' } } });
    expect(componentEnv(manifests, 'scheduler', 'scheduler').KAFKA_PASSWORD).toBeUndefined();
  });

  test('mountInTasks: an NFS share and a ConfigMap in every task pod', () => {
    const f = fixture();
    const a = airflow(f);
    const nfs = new NfsSharedVolume(f.chart, 'Shared', { server: 'nfs.example.com', path: '/exports/mlops' });
    const templates = new kplus.ConfigMap(f.chart, 'Templates', { data: { 'template.yaml': 'kind: PyTorchJob' } });
    a.mountInTasks('/shared', nfs);
    a.mountInTasks('/opt/airflow/training/mnist', kplus.Volume.fromConfigMap(f.chart, 'TemplatesVolume', templates), { readOnly: true });
    const { pod } = synthValidWithTaskPod(f.chart);
    const [base] = pod.spec.containers;
    const shared = pod.spec.volumes.find((v: any) => v.persistentVolumeClaim);
    expect(shared.persistentVolumeClaim.claimName).toBe(nfs.claim.name);
    expect(base.volumeMounts).toContainEqual({ name: shared.name, mountPath: '/shared' });
    const template = pod.spec.volumes.find((v: any) => v.configMap);
    expect(template.configMap.name).toBe(templates.name);
    expect(base.volumeMounts).toContainEqual({ name: template.name, mountPath: '/opt/airflow/training/mnist', readOnly: true });
  });
});

describe('GitSyncAirflow task access: bad input', () => {
  test('a namespace that is not a DNS label', () => {
    const a = airflow(fixture());
    expect(() => a.grantTasks(TaskPermission.DEPLOY_MODELS, { namespaces: ['Serving_EU'] })).toThrow(`${PREFIX}namespaces[0] 'Serving_EU' `
      + "is invalid: must contain only lowercase letters, digits and '-'; give e.g. 'mlops'");
  });

  test('an empty list of namespaces', () => {
    const a = airflow(fixture());
    expect(() => a.grantTasks(TaskPermission.LAUNCH_PODS, { namespaces: [] })).toThrow(`${PREFIX}namespaces is invalid: expected a non-empty list `
      + "of namespace names; give e.g. ['mlops'], or leave it out for the chart's namespace");
  });

  test('a per-purpose ServiceAccount name Kubernetes refuses', () => {
    const a = airflow(fixture());
    expect(() => a.addTaskServiceAccount('Trainer SA')).toThrow("TaskServiceAccount 'test/Airflow/TaskServiceAccount-Trainer SA': name 'Trainer SA' "
      + "is invalid: must be lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit; give e.g. 'airflow-trainer'");
  });

  test('a generated connection', () => {
    const a = airflow(fixture());
    expect(() => a.addConnection('azure_blob', SecretSource.generated())).toThrow(`${PREFIX}connection 'azure_blob' is invalid: a connection is a `
      + "URI or JSON you write into a Secret, so it cannot be generated; give SecretSource.fromSecret(secret, { keys: { connection: '<key>' } })");
  });

  test('a task env var that configures Airflow', () => {
    const a = airflow(fixture());
    expect(() => a.addTaskSecretEnv('AIRFLOW__CORE__FERNET_KEY', SecretSource.generated())).toThrow(`${PREFIX}task env var 'AIRFLOW__CORE__FERNET_KEY' `
      + 'is invalid: AIRFLOW* variables configure Airflow itself; give a connection with addConnection(connId, source), or another name');
  });

  test('a mount path where the task pods mount Airflow\'s own volume', () => {
    const f = fixture();
    const a = airflow(f);
    const nfs = new NfsSharedVolume(f.chart, 'Shared', { server: 'nfs.example.com', path: '/exports/mlops' });
    expect(() => a.mountInTasks('/tmp', nfs)).toThrow(`${PREFIX}task mount path '/tmp' is invalid: the task pods mount Airflow's own volume there; `
      + "give another path, e.g. '/shared'");
    expect(() => a.mountInTasks('shared', nfs)).toThrow(`${PREFIX}task mount path 'shared' is invalid: must be an absolute path of letters, digits, `
      + "'.', '_', '~' and '-' segments, without '.' or '..', e.g. '/shared'");
  });
});
