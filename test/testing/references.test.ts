import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { container, deployment, object, ofRule, podSpec, restrictedContainer, service } from './fixtures';
import { ManifestValidator } from '../../src/testing';

const validator = new ManifestValidator();
const references = (manifests: any[], v: ManifestValidator = validator) => ofRule(v.validateManifests(manifests), 'reference');
const messages = (manifests: any[], v: ManifestValidator = validator) => references(manifests, v).map((f) => f.message);

/** An in-cluster generated Secret: no data, the keys a Job will fill listed in the annotation. */
const generatedSecret = (name: string, keys: string, namespace?: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, ...(namespace ? { namespace } : {}), annotations: { 'mlops.cdk8s.io/generated-keys': keys } },
});

const envFromSecret = (name: string, key: string, extra: Record<string, any> = {}) =>
  ({ name: 'VALUE', valueFrom: { secretKeyRef: { name, key, ...extra } } });

describe('a complete set of manifests resolves', () => {
  test('Secrets, ConfigMaps, keys, PVCs, ServiceAccounts, Services, RBAC, PVs and Ingress backends', () => {
    const app = deployment('app', {
      serviceAccountName: 'app',
      imagePullSecrets: [{ name: 'registry' }],
      containers: [container({
        env: [envFromSecret('db', 'password'), { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }],
        envFrom: [{ configMapRef: { name: 'settings' } }],
        volumeMounts: [{ name: 'config', mountPath: '/etc/app' }, { name: 'data', mountPath: '/data' }, { name: 'ca', mountPath: '/ca' }],
      })],
      volumes: [
        { name: 'config', configMap: { name: 'settings', items: [{ key: 'app.yaml', path: 'app.yaml' }] } },
        { name: 'data', persistentVolumeClaim: { claimName: 'shared' } },
        { name: 'ca', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] } },
      ],
    });
    const db = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: podSpec({ containers: [container({ volumeMounts: [{ name: 'pgdata', mountPath: '/var/lib/postgresql' }] })] }) },
        volumeClaimTemplates: [{ metadata: { name: 'pgdata' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    };
    const manifests = [
      app, db, service('app', 'app'), service('db', 'db', 8080),
      generatedSecret('db', 'username,password'),
      generatedSecret('registry', '.dockerconfigjson'),
      object('v1', 'ConfigMap', 'settings', { data: { 'mode': 'fast', 'app.yaml': 'x: 1' } }),
      object('v1', 'ServiceAccount', 'app'),
      object('v1', 'PersistentVolume', 'shared-pv', { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany'], nfs: { server: 'nfs.local', path: '/export' } } }),
      object('v1', 'PersistentVolumeClaim', 'shared', { spec: { volumeName: 'shared-pv', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } } }),
      object('rbac.authorization.k8s.io/v1', 'Role', 'reader', { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
      object('rbac.authorization.k8s.io/v1', 'RoleBinding', 'app-reader', {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'app' }, { kind: 'User', name: 'jane' }],
      }),
      object('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'app-view', {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' }],
      }),
      object('networking.k8s.io/v1', 'Ingress', 'app', {
        spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'app', port: { name: 'http' } } } }] } }] },
      }),
    ];
    expect(validator.validateManifests(manifests)).toEqual([]);
  });

  test('a kplus app resolves, references across charts of an app too', () => {
    const app = Testing.app();
    const data = new Chart(app, 'data');
    const settings = new kplus.ConfigMap(data, 'settings', { data: { mode: 'fast' } });
    const web = new Chart(app, 'web');
    const deploymentWeb = new kplus.Deployment(web, 'web', {
      containers: [restrictedContainer({ portNumber: 8080, envVariables: { MODE: kplus.EnvValue.fromConfigMap(settings, 'mode') } })],
    });
    deploymentWeb.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    expect(validator.validateApp(app)).toEqual([]);
    expect(ofRule(validator.validateChart(web), 'reference')).toEqual([{
      rule: 'reference',
      object: `Deployment ${deploymentWeb.name}`,
      message: `spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.name: ConfigMap "${settings.name}" is not in the output and not declared in externalObjects`,
    }]);
  });
});

describe('Secrets, ConfigMaps and their keys', () => {
  test('a missing Secret (kplus)', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const secret = kplus.Secret.fromSecretName(chart, 'db', 'db-credentials');
    const web = new kplus.Deployment(chart, 'web', {
      containers: [restrictedContainer({ envVariables: { PASSWORD: kplus.EnvValue.fromSecretValue({ secret, key: 'password' }) } })],
    });
    expect(ofRule(validator.validateChart(chart), 'reference')).toEqual([{
      rule: 'reference',
      object: `Deployment ml/${web.name}`,
      message: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name: Secret "ml/db-credentials" is not in the output and not declared in externalObjects',
    }]);
  });

  test('a missing Secret key', () => {
    const secret = object('v1', 'Secret', 'db', { data: { username: 'dXNlcg==' } });
    const findings = references([secret, deployment('app', { containers: [container({ env: [envFromSecret('db', 'password')] })] })]);
    expect(findings).toEqual([{
      rule: 'reference',
      object: 'Deployment app',
      message: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key: Secret "db" has no key "password" (its keys are username)',
    }]);
  });

  test('the generated-keys annotation of a generated Secret satisfies key references', () => {
    const app = deployment('app', { containers: [container({ env: [envFromSecret('db', 'password'), envFromSecret('db', 'token')] })] });
    expect(messages([generatedSecret('db', 'username, password'), app])).toEqual([
      'spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef.key: Secret "db" has no key "token" (its keys are password, username)',
    ]);
  });

  test('a service-account-token Secret has the keys Kubernetes fills in', () => {
    const token = object('v1', 'Secret', 'ci-token', { type: 'kubernetes.io/service-account-token' });
    const app = deployment('app', { containers: [container({ env: [envFromSecret('ci-token', 'token'), envFromSecret('ci-token', 'password')] })] });
    expect(messages([token, app])).toEqual([
      'spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef.key: Secret "ci-token" has no key "password" (its keys are ca.crt, namespace, token)',
    ]);
  });

  test('optional references are not checked', () => {
    const app = deployment('app', {
      containers: [container({ env: [envFromSecret('missing', 'x', { optional: true })], envFrom: [{ secretRef: { name: 'missing', optional: true } }] })],
      volumes: [{ name: 'v', secret: { secretName: 'missing', optional: true } }],
    });
    expect(messages([app])).toEqual([]);
  });

  test('volume, projected and envFrom sources and their item keys', () => {
    const app = deployment('app', {
      initContainers: [container({ name: 'init', envFrom: [{ configMapRef: { name: 'nope' } }, { secretRef: { name: 'nope' } }] })],
      volumes: [
        { name: 'a', secret: { secretName: 'tls', items: [{ key: 'tls.key', path: 'k' }] } },
        { name: 'b', configMap: { name: 'settings', items: [{ key: 'missing.yaml', path: 'm' }] } },
        { name: 'c', projected: { sources: [{ secret: { name: 'gone' } }, { serviceAccountToken: { path: 'token' } }] } },
      ],
    });
    expect(messages([app, generatedSecret('tls', 'tls.crt'), object('v1', 'ConfigMap', 'settings', { data: { 'app.yaml': '' } })])).toEqual([
      'spec.template.spec.volumes[0].secret.items[0].key: Secret "tls" has no key "tls.key" (its keys are tls.crt)',
      'spec.template.spec.volumes[1].configMap.items[0].key: ConfigMap "settings" has no key "missing.yaml" (its keys are app.yaml)',
      'spec.template.spec.volumes[2].projected.sources[0].secret.name: Secret "gone" is not in the output and not declared in externalObjects',
      'spec.template.spec.initContainers[0].envFrom[0].configMapRef.name: ConfigMap "nope" is not in the output and not declared in externalObjects',
      'spec.template.spec.initContainers[0].envFrom[1].secretRef.name: Secret "nope" is not in the output and not declared in externalObjects',
    ]);
  });

  test('references stay within a namespace', () => {
    const app = deployment('app', { containers: [container({ env: [envFromSecret('db', 'password')] })] }, 'serving');
    expect(messages([generatedSecret('db', 'password', 'data'), app])).toEqual([
      'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name: Secret "serving/db" is not in the output and not declared in externalObjects',
    ]);
    expect(messages([generatedSecret('db', 'password', 'serving'), app])).toEqual([]);
  });
});

describe('externalObjects', () => {
  const app = deployment('app', {
    serviceAccountName: 'runner',
    containers: [container({ env: [envFromSecret('s3', 'accessKey')] })],
    volumes: [{ name: 'models', persistentVolumeClaim: { claimName: 'models' } }],
  }, 'ml');

  test('declared external objects satisfy references; without keys any key is accepted', () => {
    const v = new ManifestValidator({
      externalObjects: [
        { kind: 'Secret', name: 's3' },
        { kind: 'ServiceAccount', name: 'runner', namespace: 'ml' },
        { kind: 'PersistentVolumeClaim', name: 'models' },
      ],
    });
    expect(messages([app], v)).toEqual([]);
  });

  test('declared keys, kinds and namespaces are checked', () => {
    const v = new ManifestValidator({
      externalObjects: [
        { kind: 'Secret', name: 's3', keys: ['AWS_ACCESS_KEY_ID'] },
        { kind: 'ServiceAccount', name: 'runner', namespace: 'other' },
        { kind: 'PersistentVolume', name: 'models' },
      ],
    });
    expect(messages([app], v)).toEqual([
      'spec.template.spec.volumes[0].persistentVolumeClaim.claimName: PersistentVolumeClaim "ml/models" is not in the output and not declared in externalObjects',
      'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key: Secret "ml/s3" has no key "accessKey" (its keys are AWS_ACCESS_KEY_ID)',
      'spec.template.spec.serviceAccountName: ServiceAccount "ml/runner" is not in the output and not declared in externalObjects',
    ]);
  });
});

describe('pod spec references', () => {
  test('a mount without a volume', () => {
    const app = deployment('app', {
      containers: [container({ volumeMounts: [{ name: 'cache', mountPath: '/cache' }, { name: 'tmp', mountPath: '/tmp' }] })],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    });
    expect(references([app])).toEqual([{
      rule: 'reference',
      object: 'Deployment app',
      message: 'spec.template.spec.containers[0].volumeMounts[0].name: the pod has no volume named "cache" (its volumes are tmp)',
    }]);
  });

  test('a missing PVC, ServiceAccount and image pull Secret; the ServiceAccount default always exists', () => {
    const pod = object('v1', 'Pod', 'p', {
      spec: podSpec({ serviceAccountName: 'runner', imagePullSecrets: [{ name: 'registry' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] }),
    });
    expect(messages([pod])).toEqual([
      'spec.volumes[0].persistentVolumeClaim.claimName: PersistentVolumeClaim "data" is not in the output and not declared in externalObjects',
      'spec.serviceAccountName: ServiceAccount "runner" is not in the output and not declared in externalObjects',
      'spec.imagePullSecrets[0].name: Secret "registry" is not in the output and not declared in externalObjects',
    ]);
    expect(messages([object('v1', 'Pod', 'p', { spec: podSpec({ serviceAccountName: 'default' }) })])).toEqual([]);
  });

  test('CronJob pod templates are checked too', () => {
    const cron = object('batch/v1', 'CronJob', 'nightly', {
      spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: { spec: podSpec({ restartPolicy: 'Never', serviceAccountName: 'batch' }) } } } },
    });
    expect(messages([cron])).toEqual([
      'spec.jobTemplate.spec.template.spec.serviceAccountName: ServiceAccount "batch" is not in the output and not declared in externalObjects',
    ]);
  });

  test('a workload selector must select its template labels', () => {
    const app = deployment('app');
    app.spec.selector = { matchLabels: { app: 'app', tier: 'web' }, matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] };
    expect(references([app])).toEqual([
      { rule: 'reference', object: 'Deployment app', message: 'spec.selector.matchLabels.tier: tier=web does not select the pod template (spec.template.metadata.labels has no label tier)' },
      { rule: 'reference', object: 'Deployment app', message: 'spec.selector.matchExpressions[0]: app In ["api"] does not select the pod template (spec.template.metadata.labels)' },
    ]);
  });

  test('a Job is only checked when it sets a selector', () => {
    const job = object('batch/v1', 'Job', 'once', { spec: { template: { metadata: { labels: { a: 'b' } }, spec: podSpec({ restartPolicy: 'Never' }) } } });
    expect(messages([job])).toEqual([]);
    job.spec.selector = { matchLabels: { a: 'c' } };
    expect(messages([job])).toEqual(['spec.selector.matchLabels.a: a=c does not select the pod template (spec.template.metadata.labels has a=b)']);
  });
});

describe('Services, StatefulSets, Ingresses', () => {
  test('a Service selecting nothing', () => {
    expect(references([deployment('app'), service('api', 'api', 'http', 'ml')])).toEqual([
      { rule: 'reference', object: 'Service ml/api', message: 'spec.selector app=api selects no pod template in namespace "ml"' },
    ]);
  });

  test('a Service selects only in its own namespace; ExternalName and selector-less Services are skipped', () => {
    const external = object('v1', 'Service', 'ext', { spec: { type: 'ExternalName', externalName: 'db.example.com' } });
    const manual = object('v1', 'Service', 'manual', { spec: { ports: [{ port: 80 }] } });
    expect(messages([deployment('app', {}, 'a'), service('app', 'app', 'http', 'b'), external, manual])).toEqual([
      'spec.selector app=app selects no pod template in namespace "b"',
    ]);
  });

  test('a named targetPort must be a container port name of a selected template', () => {
    expect(references([deployment('app'), service('app', 'app', 'metrics')])).toEqual([{
      rule: 'reference',
      object: 'Service app',
      message: 'spec.ports[0].targetPort: no container of the selected pod templates (Deployment app) has a port named "metrics" (named ports: http)',
    }]);
    expect(references([deployment('app'), service('app', 'app', 9090)])).toEqual([]);
  });

  test('a StatefulSet whose serviceName is missing', () => {
    const db = object('apps/v1', 'StatefulSet', 'db', {
      spec: { serviceName: 'db-headless', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: podSpec() } },
    });
    expect(references([db])).toEqual([
      { rule: 'reference', object: 'StatefulSet db', message: 'spec.serviceName: Service "db-headless" is not in the output and not declared in externalObjects' },
    ]);
  });

  test('Ingress backends name existing Services and ports', () => {
    const backend = (name: string, port: Record<string, any>) => ({ path: '/', pathType: 'Prefix', backend: { service: { name, port } } });
    const ingress = object('networking.k8s.io/v1', 'Ingress', 'web', {
      spec: {
        defaultBackend: { service: { name: 'app', port: { number: 80 } } },
        rules: [{ http: { paths: [backend('gone', { number: 80 }), backend('app', { name: 'https' }), backend('app', { number: 8080 })] } }],
      },
    });
    expect(messages([deployment('app'), service('app', 'app'), ingress])).toEqual([
      'spec.rules[0].http.paths[0].backend.service.name: Service "gone" is not in the output and not declared in externalObjects',
      'spec.rules[0].http.paths[1].backend.service.port.name: Service "app" has no port named "https" (its ports: http 80)',
      'spec.rules[0].http.paths[2].backend.service.port.number: Service "app" has no port 8080 (its ports: http 80)',
    ]);
  });
});

describe('RBAC and volumes', () => {
  const binding = (kind: string, roleKind: string, roleName: string, subjects: any[]) => ({
    ...object('rbac.authorization.k8s.io/v1', kind, 'binding', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName }, subjects }),
  });

  test('a RoleBinding to a missing Role and ServiceAccount', () => {
    const rb = binding('RoleBinding', 'Role', 'reader', [{ kind: 'ServiceAccount', name: 'app' }, { kind: 'ServiceAccount', name: 'ci', namespace: 'tools' }]);
    rb.metadata.namespace = 'ml';
    expect(references([rb, object('v1', 'ServiceAccount', 'app')])).toEqual([
      { rule: 'reference', object: 'RoleBinding ml/binding', message: 'roleRef: Role "ml/reader" is not in the output and not declared in externalObjects' },
      { rule: 'reference', object: 'RoleBinding ml/binding', message: 'subjects[0]: ServiceAccount "ml/app" is not in the output and not declared in externalObjects' },
      { rule: 'reference', object: 'RoleBinding ml/binding', message: 'subjects[1]: ServiceAccount "tools/ci" is not in the output and not declared in externalObjects' },
    ]);
  });

  test('a ClusterRoleBinding to a missing ClusterRole; the built-in user-facing ClusterRoles exist', () => {
    expect(messages([binding('ClusterRoleBinding', 'ClusterRole', 'airflow-admin', [])])).toEqual([
      'roleRef: ClusterRole "airflow-admin" is not in the output and not declared in externalObjects',
    ]);
    expect(messages([binding('RoleBinding', 'ClusterRole', 'edit', [])])).toEqual([]);
    expect(messages([binding('RoleBinding', 'ClusterRole', 'airflow-admin', [])], new ManifestValidator({
      externalObjects: [{ kind: 'ClusterRole', name: 'airflow-admin' }],
    }))).toEqual([]);
  });

  test('a PVC bound to a PersistentVolume that is not in the output', () => {
    const pvc = object('v1', 'PersistentVolumeClaim', 'shared', { spec: { volumeName: 'nfs-pv', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } } });
    pvc.metadata.namespace = 'ml';
    expect(references([pvc])).toEqual([
      { rule: 'reference', object: 'PersistentVolumeClaim ml/shared', message: 'spec.volumeName: PersistentVolume "nfs-pv" is not in the output and not declared in externalObjects' },
    ]);
  });
});
