import * as kplus from 'cdk8s-plus-28';
import { Credentials, KubeflowPodDefaults, KubeflowPodDefaultsProps, MinioBucket, NfsSharedVolume, ServiceEndpoint } from '../../src';
import { objectsOfKind, synthValid, testChart } from '../util';

const S3_SECRET = { kind: 'Secret', name: 'team-a-s3', namespace: 'team-a', keys: ['username', 'password'] };

function podDefaults(props: (chart: any) => KubeflowPodDefaultsProps = () => ({}), chart = testChart('team-a')): any[] {
  new KubeflowPodDefaults(chart, 'PodDefaults', props(chart));
  return synthValid(chart, [S3_SECRET]);
}

function byName(manifests: any[]): Record<string, any> {
  return Object.fromEntries(objectsOfKind(manifests, 'PodDefault').map((p) => [p.metadata.name, p.spec]));
}

describe('KubeflowPodDefaults', () => {
  test('MLflow, S3 from the namespace\'s Secret, the shared volume and pipeline access, each with its selector label and desc', () => {
    const manifests = podDefaults((chart) => {
      const credentials = Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'S3', 'team-a-s3'));
      const store = MinioBucket.fromBucketAttributes(chart, 'Bucket', {
        bucketName: 'datasets', endpoint: ServiceEndpoint.fromHost('minio.mlops.svc', 9000, 'http'), credentials,
      }).objectStore;
      return {
        tracking: { trackingUri: 'http://mlflow.mlops.svc:5000' },
        objectStore: store,
        s3Credentials: credentials,
        sharedVolume: new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/mlops' }),
      };
    });
    const specs = byName(manifests);
    expect(Object.keys(specs)).toEqual(['access-mlflow', 'access-s3', 'access-shared-volume', 'access-ml-pipeline']);
    for (const [name, spec] of Object.entries(specs)) {
      expect(spec.selector).toEqual({ matchLabels: { [name]: 'true' } });
      expect(typeof spec.desc).toBe('string');
    }
    expect(specs['access-mlflow'].env).toEqual([{ name: 'MLFLOW_TRACKING_URI', value: 'http://mlflow.mlops.svc:5000' }]);
    expect(specs['access-s3'].env).toEqual([
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'team-a-s3', key: 'username' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'team-a-s3', key: 'password' } } },
      { name: 'AWS_ENDPOINT_URL', value: 'http://minio.mlops.svc:9000' },
      { name: 'AWS_DEFAULT_REGION', value: 'us-east-1' },
    ]);
    const claim = objectsOfKind(manifests, 'PersistentVolumeClaim')[0].metadata.name;
    const shared = specs['access-shared-volume'];
    expect(shared.volumes).toEqual([{ name: shared.volumeMounts[0].name, persistentVolumeClaim: { claimName: claim, readOnly: false } }]);
    expect(shared.volumeMounts).toEqual([{ name: shared.volumes[0].name, mountPath: '/shared' }]);
    expect(specs['access-ml-pipeline']).toEqual({
      desc: 'Allow access to Kubeflow Pipelines',
      selector: { matchLabels: { 'access-ml-pipeline': 'true' } },
      env: [{ name: 'KF_PIPELINES_SA_TOKEN_PATH', value: '/var/run/secrets/kubeflow/pipelines/token' }],
      volumes: [{
        name: 'volume-kf-pipeline-token',
        projected: { sources: [{ serviceAccountToken: { audience: 'pipelines.kubeflow.org', expirationSeconds: 7200, path: 'token' } }] },
      }],
      volumeMounts: [{ name: 'volume-kf-pipeline-token', mountPath: '/var/run/secrets/kubeflow/pipelines', readOnly: true }],
    });
    expect(objectsOfKind(manifests, 'PodDefault').every((p) => p.metadata.namespace === 'team-a')).toBe(true);
    expect(objectsOfKind(manifests, 'Namespace')).toEqual([]);
    expect(objectsOfKind(manifests, 'NetworkPolicy')).toEqual([]);
  });

  test('createNamespace labels the namespace for the webhook, without restricted Pod Security', () => {
    const manifests = podDefaults(() => ({ createNamespace: true, pipelineAccess: false }));
    expect(objectsOfKind(manifests, 'Namespace').map((n) => n.metadata)).toEqual([
      // `part-of: kubeflow-profile` is what the PodDefault webhook selects: the library's own label must not replace it.
      { name: 'team-a', labels: { 'app.kubernetes.io/part-of': 'kubeflow-profile', 'app.kubernetes.io/managed-by': 'cdk8s' } },
    ]);
    expect(objectsOfKind(manifests, 'PodDefault')).toEqual([]);
  });

  test.each<[string, (chart: any) => KubeflowPodDefaultsProps, string]>([
    ['an object store without credentials', (chart) => ({
      objectStore: MinioBucket.fromBucketAttributes(chart, 'Bucket', {
        bucketName: 'datasets',
        endpoint: ServiceEndpoint.fromHost('minio.mlops.svc', 9000, 'http'),
        credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'S3', 'team-a-s3')),
      }).objectStore,
    }), "objectStore and s3Credentials are invalid one without the other: the S3 PodDefault needs the store and the namespace's key pair; "
      + "give both, e.g. s3Credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(this, 'S3', 'team-a-s3'))"],
    ['a relative mount path', (chart) => ({ sharedVolume: new NfsSharedVolume(chart, 'Shared', { server: 'nfs', path: '/x' }), sharedMountPath: 'shared' }),
      "sharedMountPath 'shared' is invalid: must be an absolute path other than /tmp, of letters, digits, '.', '_', '~' and '-' segments, e.g. '/shared'"],
  ])('refuses %s', (_, props, message) => {
    expect(() => podDefaults(props)).toThrow(`KubeflowPodDefaults 'test/PodDefaults': ${message}`);
  });
});
