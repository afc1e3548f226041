import { container, object, podSpec } from './fixtures';
import { ManifestValidator } from '../../src/testing';

const validator = new ManifestValidator();

function pytorchJob(workerSpec: any): any {
  const template = (spec: any) => ({ metadata: { labels: { job: 'mnist' } }, spec });
  return object('kubeflow.org/v1', 'PyTorchJob', 'mnist', {
    spec: {
      pytorchReplicaSpecs: {
        Master: { replicas: 1, template: template(podSpec({ containers: [container({ name: 'pytorch' })] })) },
        Worker: { replicas: 2, template: template(workerSpec) },
      },
    },
  });
}

function sparkApplication(driver: Record<string, any>, executorContainer: Record<string, any> = {}): any {
  const restrictedContainer = (name: string, extra: Record<string, any> = {}) => {
    const { image: _image, resources: _resources, ports: _ports, ...rest } = container({ name });
    return { ...rest, ...extra };
  };
  return object('sparkoperator.k8s.io/v1beta2', 'SparkApplication', 'features', {
    spec: {
      type: 'Python',
      sparkVersion: '4.0.4',
      mainApplicationFile: 'local:///opt/app/features.py',
      image: 'docker.io/apache/spark:4.0.4',
      driver: {
        cores: 1,
        memory: '1024m',
        serviceAccount: 'spark-driver',
        template: { spec: podSpec({ containers: [restrictedContainer('spark-kubernetes-driver')] }) },
        ...driver,
      },
      executor: {
        instances: 2,
        memory: '2g',
        template: { spec: podSpec({ containers: [restrictedContainer('spark-kubernetes-executor', executorContainer)] }) },
      },
    },
  });
}

const ACCOUNT = object('v1', 'ServiceAccount', 'spark-driver');

function messages(manifests: any[]): string[] {
  return validator.validateManifests(manifests).map((f) => `[${f.rule}] ${f.message}`);
}

describe('pods inside custom resources are checked like any other pod', () => {
  test('a compliant PyTorchJob and SparkApplication pass: Spark adds the image, the ServiceAccount and the resources', () => {
    expect(messages([pytorchJob(podSpec({ containers: [container({ name: 'pytorch' })] })), sparkApplication({}), ACCOUNT])).toEqual([]);
  });

  test('a PyTorchJob Worker running as root, without resources, mounting an undeclared volume', () => {
    const worker = podSpec({
      securityContext: { runAsUser: 0 },
      containers: [container({ name: 'pytorch', resources: undefined, volumeMounts: [{ name: 'data', mountPath: '/data' }] })],
    });
    expect(messages([pytorchJob(worker)])).toEqual([
      '[reference] spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].volumeMounts[0].name: the pod has no volume named "data" (it has no volumes)',
      '[pod-security] spec.pytorchReplicaSpecs.Worker.template.spec.securityContext.runAsUser must not be 0',
      '[pod-security] spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].securityContext.runAsNonRoot must be true '
        + '(or set spec.pytorchReplicaSpecs.Worker.template.spec.securityContext.runAsNonRoot to true)',
      '[pod-security] spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].securityContext.seccompProfile.type must be RuntimeDefault or '
        + 'Localhost (or set spec.pytorchReplicaSpecs.Worker.template.spec.securityContext.seccompProfile.type)',
      '[resources] spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].resources.requests.cpu must be set (container "pytorch")',
      '[resources] spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].resources.requests.memory must be set (container "pytorch")',
      '[resources] spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].resources.limits.memory must be set (container "pytorch")',
    ]);
  });

  test('a SparkApplication whose driver ServiceAccount is missing and whose executors read a missing Secret, with escalation allowed', () => {
    const executor = {
      env: [{ name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 's3-keys', key: 'password' } } }],
    };
    const found = messages([sparkApplication({}, { securityContext: { capabilities: { drop: ['ALL'] } }, ...executor })]);
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\[reference\] spec\.driver\.template\.spec\.serviceAccountName: .*ServiceAccount "spark-driver"/),
      expect.stringMatching(/^\[reference\] spec\.executor\.template\.spec\.containers\[0\]\.env\[0\].*Secret "s3-keys"/),
      '[pod-security] spec.executor.template.spec.containers[0].securityContext.allowPrivilegeEscalation must be false',
    ]));
  });
});
