import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing, Yaml } from 'cdk8s';
import { parse } from 'yaml';
import { expectNoSecretValues } from './example-checks';
import { fullPlatformApp } from '../../examples/full-platform/full-platform-app';
import { HOST, NAMESPACE, TEAM_NAMESPACE, TEAM_S3_SECRET } from '../../examples/full-platform/full-platform-chart';
import { ArgoCdSyncWaves } from '../../src';
import { ExternalObject } from '../../src/testing';
import { taskPod } from '../orchestration/fixtures';
import { container, envOf, objectNamed, objectsOfKind, podSpec, validManifests } from '../util';

const DIST = join(__dirname, '..', '..', 'dist', 'full-platform');
const EXTERNALS: ExternalObject[] = [
  { kind: 'Secret', name: TEAM_S3_SECRET, namespace: NAMESPACE, keys: ['username', 'password'] },
  { kind: 'Secret', name: TEAM_S3_SECRET, namespace: TEAM_NAMESPACE, keys: ['username', 'password'] },
  { kind: 'ClusterRole', name: 'edit' },
  { kind: 'ClusterRole', name: 'view' },
];

/** The app as `npm run synth` builds it (from the repository's root), and each of its files' objects. */
function synth() {
  const built = fullPlatformApp('dist/full-platform');
  const files: Record<string, any[]> = Object.fromEntries([
    ...built.platformCharts.map((chart) => [`platform/${chart.node.id}.k8s.yaml`, Testing.synth(chart)]),
    ['argocd/argocd.k8s.yaml', Testing.synth(built.gitOps)],
  ]);
  const manifests = built.platformCharts.flatMap((chart) => files[`platform/${chart.node.id}.k8s.yaml`]);
  const pod = taskPod(manifests);
  // The jobs the DAG submits from the templates, named as the API server would name them.
  const templates = objectsOfKind(manifests, 'ConfigMap').filter((c) => c.data?.['template.yaml']).map((c) => {
    const object = parse(c.data['template.yaml']);
    return { ...object, metadata: { ...object.metadata, name: `${object.metadata.generateName}q4x9z` } };
  });
  return { built, files, manifests, pod, templates };
}

describe('examples/full-platform', () => {
  let result: ReturnType<typeof synth>;
  beforeAll(() => {
    result = synth();
  });

  test('dist/full-platform/ is what the code writes: the platform\'s folder and Argo CD\'s', () => {
    const written = readdirSync(DIST, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.yaml')).sort();
    expect(written).toEqual(['argocd/argocd.k8s.yaml', 'platform/mlops-logs.k8s.yaml', 'platform/platform.k8s.yaml', 'platform/vision.k8s.yaml']);
    for (const file of written) {
      expect([file, readFileSync(join(DIST, file), 'utf8')]).toEqual([file, Yaml.stringify(...result.files[file])]);
    }
  });

  test('every object passes the validation harness (0 findings), with the task pod and the jobs submitted from the templates', () => {
    const { manifests, pod, templates, files } = result;
    expect(validManifests([...manifests, pod, ...templates, ...files['argocd/argocd.k8s.yaml']], EXTERNALS).length).toBeGreaterThan(200);
    expect(objectsOfKind(manifests, 'Namespace').map((n) => [n.metadata.name, n.metadata.labels['pod-security.kubernetes.io/enforce']])).toEqual([
      [NAMESPACE, 'restricted'], ['mlops-logs', 'privileged'], [TEAM_NAMESPACE, 'restricted'],
    ]);
  });

  test('every UI on one host: Airflow, MLflow, Grafana, Prometheus, Alertmanager, Jaeger, the MinIO console and the notebooks', () => {
    const routes = objectsOfKind(result.manifests, 'Ingress').flatMap((ingress) => ingress.spec.rules.flatMap((rule: any) => rule.http.paths.map(
      (path: any) => [`${rule.host}${path.path}`, ingress.metadata.namespace, path.backend.service.port.number])));
    expect(routes.sort()).toEqual([
      [`${HOST}/airflow`, NAMESPACE, 8080],
      [`${HOST}/alertmanager`, NAMESPACE, 9093],
      [`${HOST}/grafana`, NAMESPACE, 3000],
      [`${HOST}/jaeger`, NAMESPACE, 16686],
      [`${HOST}/minio(/|$)(.*)`, NAMESPACE, 9001],
      [`${HOST}/mlflow`, NAMESPACE, 5000],
      [`${HOST}/notebooks/alice`, NAMESPACE, 8888],
      [`${HOST}/notebooks/bob`, TEAM_NAMESPACE, 8888],
      [`${HOST}/prometheus`, NAMESPACE, 9090],
    ]);
    const ingresses = objectsOfKind(result.manifests, 'Ingress');
    expect(new Set(ingresses.map((i) => i.spec.ingressClassName))).toEqual(new Set(['nginx']));
    // The platform's Ingresses share the certificate cert-manager issues for the host from the bootstrapped CA.
    const certificate = objectsOfKind(result.manifests, 'Certificate').find((c) => c.spec.dnsNames?.includes(HOST));
    expect(certificate.spec.issuerRef).toEqual({ name: 'full-platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    const inPlatform = ingresses.filter((i) => i.metadata.namespace === NAMESPACE);
    expect(inPlatform.map((i) => i.spec.tls)).toEqual(inPlatform.map(() => [{ hosts: [HOST], secretName: certificate.spec.secretName }]));
  });

  test('TLS: a CA bootstrapped in cert-manager\'s namespace signs every server certificate (MinIO, Postgres, Redis, ...); the bundle reaches both namespaces', () => {
    const { manifests } = result;
    const issuers = objectsOfKind(manifests, 'ClusterIssuer').map((i) => [i.metadata.name, Object.keys(i.spec)[0]]);
    expect(issuers).toEqual([['full-platform-selfsigned', 'selfSigned'], ['full-platform-ca', 'ca']]);
    const servers = objectsOfKind(manifests, 'Certificate').filter((c) => c.metadata.namespace === NAMESPACE && !c.spec.dnsNames.includes(HOST));
    expect(servers.map((c) => [c.spec.dnsNames[0].replace(/-service-.*/, ''), c.spec.issuerRef.name])).toEqual(expect.arrayContaining([
      ['platform-postgres', 'full-platform-ca'], ['platform-minio', 'full-platform-ca'], ['platform-redis', 'full-platform-ca'],
    ]));
    expect(new Set(servers.map((c) => c.spec.issuerRef.name))).toEqual(new Set(['full-platform-ca']));
    const [bundle] = objectsOfKind(manifests, 'Bundle');
    expect(bundle.spec.target.namespaceSelector.matchExpressions[0].values).toEqual([NAMESPACE, TEAM_NAMESPACE]);
  });

  test('the pipelines launch a DDP job and a Spark job from templates, with MLflow, the buckets over https and the NFS claim', () => {
    const { built, templates, manifests, pod } = result;
    const claim = built.platform.platform.sharedVolume!.claim.name;
    const minio = `https://${built.platform.platform.minio!.service.name}.${NAMESPACE}.svc:9000`;
    const [ddp, spark] = [templates.find((t) => t.kind === 'PyTorchJob'), templates.find((t) => t.kind === 'SparkApplication')];
    expect([ddp.metadata.generateName, spark.metadata.generateName]).toEqual(['iris-ddp-', 'iris-features-']);
    const { Master, Worker } = ddp.spec.pytorchReplicaSpecs;
    const pods = [Master.template, Worker.template, spark.spec.driver.template, spark.spec.executor.template];
    for (const template of pods) {
      const env = envOf(template.spec.containers[0]);
      expect(env.MLFLOW_TRACKING_URI).toEqual({ value: built.platform.platform.mlflow.trackingUri });
      expect(env.AWS_ENDPOINT_URL).toEqual({ value: minio });
      expect(env.AWS_ACCESS_KEY_ID.valueFrom.secretKeyRef.key).toBe('username');
      expect(env.AWS_SECRET_ACCESS_KEY.valueFrom.secretKeyRef.key).toBe('password');
      expect(env.SSL_CERT_FILE).toEqual({ value: '/etc/mlops/ca/ca.crt' });
      const shared = template.spec.containers[0].volumeMounts.find((m: any) => m.mountPath === '/shared');
      expect(template.spec.volumes.find((v: any) => v.name === shared.name).persistentVolumeClaim.claimName).toBe(claim);
    }
    expect(envOf(ddp.spec.pytorchReplicaSpecs.Master.template.spec.containers[0]).MLFLOW_EXPERIMENT_NAME).toEqual({ value: 'iris' });
    expect(spark.spec.sparkConf).toMatchObject({ 'spark.hadoop.fs.s3a.endpoint': minio, 'spark.hadoop.fs.s3a.connection.ssl.enabled': 'true' });
    // Every task pod has the share and the templates; `airflow-trainer` may submit the jobs.
    const mounts = Object.fromEntries(pod.spec.containers[0].volumeMounts.map((m: any) => [m.mountPath, m.name]));
    const volumes = Object.fromEntries(pod.spec.volumes.map((v: any) => [v.name, v]));
    expect(volumes[mounts['/shared']].persistentVolumeClaim.claimName).toBe(claim);
    expect(volumes[mounts['/opt/airflow/training/iris-ddp']].configMap.name).toBe(built.platform.ddp.template!.name);
    expect(volumes[mounts['/opt/airflow/training/iris-features']].configMap.name).toBe(built.platform.features.template!.name);
    const binding = objectsOfKind(manifests, 'RoleBinding').find((b) => b.subjects.some((s: any) => s.name === 'airflow-trainer'));
    const role = objectNamed(manifests, 'Role', binding.roleRef.name);
    expect(role.rules.flatMap((r: any) => r.resources)).toEqual(expect.arrayContaining(['pytorchjobs', 'sparkapplications']));
  });

  test('Seldon serves a model, a two-model pipeline through Kafka, and an A/B experiment, from the models bucket', () => {
    const { manifests } = result;
    const models = Object.fromEntries(objectsOfKind(manifests, 'Model').map((m) => [m.metadata.name, m.spec]));
    expect(Object.keys(models).sort()).toEqual(['iris', 'iris-classifier', 'iris-scaler', 'iris-v2']);
    expect(models.iris).toEqual({ storageUri: 's3://models/sklearn/iris/v1', requirements: ['sklearn'], server: 'mlserver' });
    const [pipeline] = objectsOfKind(manifests, 'Pipeline');
    expect(pipeline.spec.steps).toEqual([
      { name: 'iris-scaler' },
      { name: 'iris-classifier', inputs: ['iris-scaler.outputs'], tensorMap: { 'iris-scaler.outputs.predict': 'input-0' } },
    ]);
    const [experiment] = objectsOfKind(manifests, 'Experiment');
    expect(experiment.spec).toEqual({ resourceType: 'model', default: 'iris', candidates: [{ name: 'iris', weight: 50 }, { name: 'iris-v2', weight: 50 }] });
    const [runtime] = objectsOfKind(manifests, 'SeldonRuntime');
    const kafka = objectNamed(manifests, 'Service', 'kafka-service').metadata.name;
    expect(runtime.spec.config.kafkaConfig).toEqual({ 'bootstrap.servers': `${kafka}.${NAMESPACE}.svc:9092` });
    expect(runtime.spec.config.tracingConfig.otelExporterEndpoint).toBe(`${result.built.platform.platform.tracing!.service.name}.${NAMESPACE}.svc:4317`);
    expect(runtime.spec.config.agentConfig.rclone.config_secrets).toHaveLength(1);
    expect(objectsOfKind(manifests, 'InferenceService')).toEqual([]);
  });

  test('the drift → retrain loop: the rule, its route through Alertmanager, and the trigger starting the DAG `retrain`', () => {
    const { built, manifests } = result;
    expect(built.platform.retrain.dags).toEqual({ ModelDriftRetrain: 'retrain' });
    const rules = objectsOfKind(manifests, 'PrometheusRule').flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules));
    const rule = rules.find((r: any) => r.alert === 'ModelDriftRetrain');
    expect(rule.expr).toMatch(/\[6h\]\)\) \* 21600 > 2$/);
    const [route] = objectsOfKind(manifests, 'AlertmanagerConfig');
    expect(route.spec.receivers[0].webhookConfigs[0].url).toBe(`http://${built.platform.retrain.service.name}.${NAMESPACE}.svc:8080/alerts`);
  });

  test('traces and logs: Grafana reads Prometheus, Jaeger and Loki; the log shipper runs in its privileged namespace', () => {
    const { manifests } = result;
    const datasources = parse(objectNamed(manifests, 'ConfigMap', 'grafana-provisioning').data['datasources.yaml']).datasources;
    expect(datasources.map((d: any) => d.type)).toEqual(['prometheus', 'jaeger', 'loki']);
    expect(objectsOfKind(manifests, 'DaemonSet').map((d) => d.metadata.namespace)).toEqual(['mlops-logs']);
  });

  test('notebooks: Alice\'s on the platform and Bob\'s in the team\'s namespace, with MLflow and the NFS claim', () => {
    const { built, manifests } = result;
    const claim = built.platform.platform.sharedVolume!.claim.name;
    const alice = objectNamed(manifests, 'Deployment', 'platform-alice');
    const lab = container(alice, 'jupyterlab');
    expect(envOf(lab).MLFLOW_TRACKING_URI).toEqual({ value: built.platform.platform.mlflow.trackingUri });
    const shared = lab.volumeMounts.find((m: any) => m.mountPath === '/shared');
    expect(podSpec(alice).volumes.find((v: any) => v.name === shared.name).persistentVolumeClaim.claimName).toBe(claim);
    const bob = container(objectNamed(manifests, 'Deployment', 'vision-team-bob'), 'jupyterlab');
    expect(envOf(bob).AWS_SECRET_ACCESS_KEY).toEqual({ valueFrom: { secretKeyRef: { name: TEAM_S3_SECRET, key: 'password' } } });
    expect(objectsOfKind(manifests, 'ResourceQuota')[0].spec.hard).toMatchObject({ 'requests.cpu': '8', 'requests.nvidia.com/gpu': '1' });
  });

  test('Argo CD syncs the platform\'s folder server-side, and every object of it carries its sync wave', () => {
    const application = result.files['argocd/argocd.k8s.yaml'].find((a) => a.metadata.name === 'full-platform');
    expect(application.metadata).toMatchObject({ name: 'full-platform', namespace: 'argocd' });
    expect(application.spec.source).toEqual({ repoURL: 'https://github.com/example/mlops-platform.git', path: 'dist/full-platform/platform', targetRevision: 'HEAD' });
    expect(application.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(result.manifests.filter((m) => m.metadata.annotations?.[ArgoCdSyncWaves.ANNOTATION] === undefined)).toEqual([]);
  });

  test('the operators the platform uses are Argo CD apps, pinned and in waves before the platform; KServe only with it', () => {
    const applications = (files: any[]) => Object.fromEntries(objectsOfKind(files, 'Application')
      .map((a) => [a.metadata.name, [a.spec.source.targetRevision, a.metadata.annotations?.[ArgoCdSyncWaves.ANNOTATION]]]));
    const apps = applications(result.files['argocd/argocd.k8s.yaml']);
    expect(apps).toEqual({
      'cert-manager': ['v1.16.5', '-30'],
      'trust-manager': ['v0.24.0', '-20'],
      'prometheus-operator': ['88.3.0', '-10'],
      'training-operator': ['v1.9.4', '-10'],
      'spark-operator': ['2.5.2', '-10'],
      'seldon-core-v2-crds': ['2.6.0', '-20'],
      'seldon-core-v2-setup': ['2.6.0', '-10'],
      'full-platform': ['HEAD', undefined],
    });
    const spark = objectNamed(result.files['argocd/argocd.k8s.yaml'], 'Application', 'spark-operator');
    expect(spark.spec.source.helm.valuesObject.spark.jobNamespaces).toEqual([NAMESPACE]);
    const withKserve = fullPlatformApp('dist/full-platform', { kserve: true });
    expect(Object.keys(applications(Testing.synth(withKserve.gitOps)))).toEqual(expect.arrayContaining(['kserve-crd', 'kserve']));
  });

  test('smoke Jobs prove every service answers after each sync: PostSync hooks, one per check', () => {
    const jobs = objectsOfKind(result.manifests, 'Job').filter((j) => j.metadata.annotations?.['argocd.argoproj.io/hook'] === 'PostSync');
    expect(jobs.every((j) => j.metadata.annotations['argocd.argoproj.io/hook-delete-policy'] === 'BeforeHookCreation')).toBe(true);
    const names = jobs.map((j) => j.metadata.name).join(' ');
    for (const check of ['airflow', 'mlflow', 'prometheus', 'grafana', 'iris']) {
      expect(names).toContain(check);
    }
    const iris = jobs.find((j) => j.metadata.name.includes('iris'));
    expect(JSON.stringify(iris.spec.template.spec.containers[0])).toContain('6.8,2.8,4.8,1.4');
  });

  test('KServe is optional: with it, the same model is an InferenceService too', () => {
    const built = fullPlatformApp('dist/full-platform', { kserve: true });
    const manifests = validManifests(Testing.synth(built.platform), EXTERNALS.filter((e) => e.namespace !== TEAM_NAMESPACE));
    expect(objectsOfKind(manifests, 'InferenceService').map((i) => [i.metadata.name, i.spec.predictor.model.storageUri])).toEqual([
      ['iris-kserve', 's3://models/sklearn/iris/v1'],
    ]);
  });

  test('no secret value is synthesized', () => {
    expectNoSecretValues(result.manifests);
  });
});
