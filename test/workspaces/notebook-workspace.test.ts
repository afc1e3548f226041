import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  DefaultImages, MinioWithBuckets, NfsSharedVolume, NotebookWorkspace, NotebookWorkspaceProps, Postgres, Redis, SecretSource, WorkloadPlacement,
} from '../../src';
import { container, envOf, objectNamed, objectsOfKind, synthValid, testChart } from '../util';

const TRACKING = { trackingUri: 'http://mlflow.ml.svc:5000/mlflow' };

function workspace(props: Partial<NotebookWorkspaceProps> = {}, chart = testChart('ml')): { chart: any; workspace: NotebookWorkspace } {
  return { chart, workspace: new NotebookWorkspace(chart, 'Alice', { owner: 'alice', ...props }) };
}

function jupyter(manifests: any[]): any {
  return container(objectNamed(manifests, 'Deployment', 'alice'), 'jupyterlab');
}

describe('NotebookWorkspace', () => {
  test('JupyterLab from the pinned stacks image, under /notebooks/<owner>, with a persistent home and culling', () => {
    const { chart } = workspace();
    const manifests = synthValid(chart);
    const deployment = objectNamed(manifests, 'Deployment', 'alice');
    const lab = jupyter(manifests);
    expect(lab.image).toBe(DefaultImages.JUPYTER);
    expect(lab.imagePullPolicy).toBe('IfNotPresent');
    expect(lab.command).toEqual(['jupyter', 'lab']);
    expect(lab.args).toEqual([
      '--ServerApp.ip=0.0.0.0',
      '--ServerApp.port=8888',
      '--ServerApp.base_url=/notebooks/alice/',
      '--ServerApp.root_dir=/home/jovyan',
      '--ServerApp.open_browser=False',
      '--ServerApp.trust_xheaders=True',
      '--MappingKernelManager.cull_idle_timeout=3600',
      '--MappingKernelManager.cull_interval=300',
      '--MappingKernelManager.cull_connected=True',
      '--TerminalManager.cull_inactive_timeout=3600',
      '--TerminalManager.cull_interval=300',
    ]);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.spec.replicas).toBe(1);
    const claim = objectsOfKind(manifests, 'PersistentVolumeClaim')[0];
    expect(claim.spec.resources.requests.storage).toBe('10Gi');
    const volumes = Object.fromEntries(deployment.spec.template.spec.volumes.map((v: any) => [v.name, v]));
    const mounts = Object.fromEntries(lab.volumeMounts.map((m: any) => [m.mountPath, volumes[m.name]]));
    expect(mounts['/home/jovyan'].persistentVolumeClaim.claimName).toBe(claim.metadata.name);
    expect(mounts['/tmp'].emptyDir).toEqual({});
    for (const probe of [lab.readinessProbe, lab.livenessProbe, lab.startupProbe]) {
      expect(probe.httpGet).toEqual({ path: '/notebooks/alice/api', port: 8888, scheme: 'HTTP' });
    }
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 100, fsGroup: 100, runAsNonRoot: true });
    expect(lab.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('the token comes from a Secret key: generated as a URL-safe token, or an existing Secret', () => {
    const generated = synthValid(workspace().chart);
    const tokenSecret = objectNamed(generated, 'Secret', 'alice-token').metadata.name;
    expect(envOf(jupyter(generated)).JUPYTER_TOKEN).toEqual({ valueFrom: { secretKeyRef: { name: tokenSecret, key: 'token' } } });
    const chart = testChart('ml');
    const existing = SecretSource.fromSecret(kplus.Secret.fromSecretName(chart, 'Existing', 'alice-jupyter'), { keys: { token: 'jupyter-token' } });
    const manifests = synthValid(workspace({ token: existing }, chart).chart, [{ kind: 'Secret', name: 'alice-jupyter', namespace: 'ml', keys: ['jupyter-token'] }]);
    expect(envOf(jupyter(manifests)).JUPYTER_TOKEN).toEqual({ valueFrom: { secretKeyRef: { name: 'alice-jupyter', key: 'jupyter-token' } } });
  });

  test('MLflow, buckets through its own MinIO user, a database, Redis and the shared volume, each wired by its verb', () => {
    const chart = testChart('ml');
    const minio = new MinioWithBuckets(chart, 'Minio');
    const postgres = new Postgres(chart, 'Postgres');
    const redis = new Redis(chart, 'Redis');
    const nfs = new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/mlops' });
    const datasets = minio.addBucket('datasets');
    const scratch = minio.addBucket('scratch');
    workspace({
      tracking: TRACKING,
      readBuckets: [datasets],
      writeBuckets: [scratch],
      database: postgres.addDatabase('features'),
      keyValueStore: redis,
      sharedVolume: nfs,
    }, chart);
    const manifests = synthValid(chart);
    const lab = jupyter(manifests);
    const env = envOf(lab);
    expect(env.MLFLOW_TRACKING_URI).toEqual({ value: TRACKING.trackingUri });
    expect(env.AWS_ENDPOINT_URL).toEqual({ value: minio.endpoint.url() });
    expect(env.AWS_DEFAULT_REGION).toEqual({ value: 'us-east-1' });
    expect(env.AWS_ACCESS_KEY_ID.valueFrom.secretKeyRef.key).toBe('username');
    expect(env.AWS_SECRET_ACCESS_KEY.valueFrom.secretKeyRef.key).toBe('password');
    expect(env.DB_USER.valueFrom.secretKeyRef.key).toBe('username');
    expect(env.DB_NAME).toEqual({ value: 'features' });
    expect(env.DB_PORT).toEqual({ value: '5432' });
    expect(env.REDIS_URL.value).toMatch(/^redis:\/\/:\$\(REDIS_PASSWORD\)@.*:6379\/0$/);
    const deployment = objectNamed(manifests, 'Deployment', 'alice');
    const shared = deployment.spec.template.spec.volumes.find((v: any) => v.persistentVolumeClaim?.claimName === nfs.claim.name);
    expect(lab.volumeMounts).toContainEqual({ name: shared.name, mountPath: '/shared' });
    const grants = objectsOfKind(manifests, 'Job').filter((j) => JSON.stringify(j).includes('policy attach'));
    expect(grants.length).toBeGreaterThan(0);
    const podLabels = deployment.spec.template.metadata.labels;
    const allowed = (port: number) => objectsOfKind(manifests, 'NetworkPolicy').filter((p) => (p.spec.ingress ?? []).some((rule: any) =>
      rule.ports?.some((q: any) => q.port === port) && rule.from?.some((peer: any) =>
        Object.entries(peer.podSelector?.matchLabels ?? { none: 'none' }).every(([k, v]) => podLabels[k] === v))));
    expect(allowed(9000)).toHaveLength(1);
    expect(allowed(5432)).toHaveLength(1);
    expect(allowed(6379)).toHaveLength(1);
  });

  test('only the Ingress controller reaches it with ingress; the Ingress serves the base URL', () => {
    const { chart } = workspace({ ingress: { host: 'mlops.example.com', ingressClassName: 'nginx' } });
    const manifests = synthValid(chart);
    const [ingress] = objectsOfKind(manifests, 'Ingress');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules[0]).toMatchObject({ host: 'mlops.example.com', http: { paths: [{ path: '/notebooks/alice', pathType: 'Prefix' }] } });
    const selecting = objectsOfKind(manifests, 'NetworkPolicy');
    expect(selecting.find((p) => p.spec.policyTypes?.includes('Ingress') && !p.spec.ingress)).toBeDefined();
    expect(selecting.flatMap((p) => p.spec.ingress ?? []).map((rule: any) => rule.ports)).toEqual([[{ port: 8888, protocol: 'TCP' }], [{ port: 8888, protocol: 'TCP' }]]);
  });

  test('its own host at /, a GPU with the toleration of its taint, a placement, no culling', () => {
    const { chart } = workspace({
      baseUrl: '/',
      ingress: { host: 'alice.notebooks.example.com' },
      gpus: 1,
      cullIdleAfter: Duration.seconds(0),
      placement: WorkloadPlacement.of({ nodeSelector: { 'example.com/pool': 'gpu' } }),
      resources: { cpu: { request: kplus.Cpu.units(2) }, memory: { request: Size.gibibytes(8), limit: Size.gibibytes(16) } },
    });
    const manifests = synthValid(chart);
    const deployment = objectNamed(manifests, 'Deployment', 'alice');
    const lab = jupyter(manifests);
    expect(lab.args).toContain('--ServerApp.base_url=/');
    expect(lab.args.filter((arg: string) => arg.includes('cull'))).toEqual([]);
    expect(lab.resources.limits).toEqual({ 'memory': '16384Mi', 'nvidia.com/gpu': '1' });
    expect(deployment.spec.template.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(deployment.spec.template.spec.nodeSelector).toEqual({ 'example.com/pool': 'gpu' });
    expect(objectsOfKind(manifests, 'Ingress')[0].spec.rules[0].http.paths[0].path).toBe('/');
  });

  test.each<[string, Partial<NotebookWorkspaceProps>, string]>([
    ['an owner that is not a DNS label', { owner: 'Alice_Smith' },
      "owner 'Alice_Smith' is invalid: must contain only lowercase letters, digits and '-'; it names the workspace's objects and base URL, "
      + "so give the user's or team's name as a DNS label, e.g. 'alice'"],
    ['a base URL with a space', { baseUrl: '/my notebooks' },
      "baseUrl '/my notebooks' is invalid: must be '/' or a path of letters, digits, '.', '_', '~' and '-' segments starting with '/', e.g. '/notebooks/alice'"],
    ['a home under /tmp', { homePath: '/tmp' },
      "homePath '/tmp' is invalid: must be an absolute path other than /tmp, of letters, digits, '.', '_', '~' and '-' segments, without a trailing '/', e.g. '/home/jovyan'"],
    ['a shared mount path without a volume', { sharedMountPath: '/data' },
      'sharedMountPath is invalid without sharedVolume: there is nothing to mount; give sharedVolume or remove it'],
    ['an ingress host with a scheme', { ingress: { host: 'https://mlops.example.com' } },
      "ingress host 'https://mlops.example.com' is invalid: must be a DNS name, without a scheme, credentials, port, path or whitespace, e.g. 'mlops.example.com'"],
    ['a cull time under a minute', { cullIdleAfter: Duration.seconds(30) },
      "cullIdleAfter '30 seconds' is invalid: must be whole seconds, at least 1 minute (or 0, which turns culling off); e.g. Duration.hours(1)"],
  ])('refuses %s', (_, props, message) => {
    expect(() => workspace({ owner: 'alice', ...props })).toThrow(`NotebookWorkspace 'test/Alice': ${message}`);
  });

  test('refuses buckets on two stores', () => {
    const chart = testChart('ml');
    const a = new MinioWithBuckets(chart, 'A').addBucket('datasets');
    const b = new MinioWithBuckets(chart, 'B').addBucket('models');
    expect(() => workspace({ readBuckets: [a, b] }, chart)).toThrow("NotebookWorkspace 'test/Alice': buckets 'datasets' and 'models' are invalid together: "
      + 'they are on different stores, and the AWS SDKs read one endpoint and key pair from the environment; give buckets of one store that grant the same user');
  });
});
