import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ScrapeDiscovery } from '../../src';
import { ModelFormat, ModelSource } from '../../src/core';
import { KserveDeploymentMode, KservePredictor, KservePredictorProps, ProtocolVersion, ScaleMetric } from '../../src/serving';
import { MinioWithBuckets } from '../../src/storage';
import { objectNamed, objectsOfKind, synthValid, testChart } from '../util';

function platform(namespace = 'serving') {
  const chart = testChart(namespace);
  const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models'] });
  return { chart, minio, models: minio.bucket('models') };
}

function isvc(manifests: any[], name: string): any {
  return objectsOfKind(manifests, 'InferenceService').find((m) => m.metadata.name === name);
}

const SKLEARN = (props: Partial<KservePredictorProps> = {}): KservePredictorProps => ({
  model: ModelSource.fromUri('gs://kfserving-examples/models/sklearn/1.0/model'),
  modelFormat: ModelFormat.SKLEARN,
  ...props,
});

describe('KservePredictor from a bucket', () => {
  test('the default passes the validation harness', () => {
    // GIVEN
    const { chart, models } = platform();
    // WHEN
    new KservePredictor(chart, 'Iris', { name: 'iris', model: ModelSource.fromBucket(models, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
    // THEN
    const manifests = synthValid(chart);
    expect(manifests.filter((m) => m.metadata.name.startsWith('test-iris') || m.metadata.name === 'iris')).toMatchSnapshot();
  });
});

describe('KservePredictor storage URIs', () => {
  test.each([
    ['a PVC folder', (chart: any) => ModelSource.fromPvc(kplus.PersistentVolumeClaim.fromClaimName(chart, 'Claim', 'models'), '/iris/v1'), 'pvc://models/iris/v1'],
    ['a PVC root', (chart: any) => ModelSource.fromPvc(kplus.PersistentVolumeClaim.fromClaimName(chart, 'Claim', 'models')), 'pvc://models'],
    ['gs://', () => ModelSource.fromUri('gs://kfserving-examples/models/sklearn/1.0/model'), 'gs://kfserving-examples/models/sklearn/1.0/model'],
    ['s3:// of another store', () => ModelSource.fromUri('s3://other/iris'), 's3://other/iris'],
    ['https://', () => ModelSource.fromUri('https://example.com/models/iris.joblib'), 'https://example.com/models/iris.joblib'],
    ['hf://', () => ModelSource.fromUri('hf://meta-llama/Llama-3.2-1B'), 'hf://meta-llama/Llama-3.2-1B'],
    ['oci://', () => ModelSource.fromUri('oci://registry.example.com/models/iris:1'), 'oci://registry.example.com/models/iris:1'],
  ])('%s', (_what, source, uri) => {
    // GIVEN
    const chart = testChart('serving');
    // WHEN
    new KservePredictor(chart, 'Iris', { name: 'iris', model: source(chart), modelFormat: ModelFormat.SKLEARN });
    // THEN
    const manifests = synthValid(chart);
    const predictorSpec = isvc(manifests, 'iris').spec.predictor;
    expect(predictorSpec.model.storageUri).toBe(uri);
    expect(predictorSpec.serviceAccountName).toBeUndefined();
    expect(objectsOfKind(manifests, 'Secret')).toEqual([]);
  });

  test('a bucket root', () => {
    // GIVEN
    const { chart, models } = platform();
    // WHEN
    new KservePredictor(chart, 'Iris', { name: 'iris', model: ModelSource.fromBucket(models), modelFormat: ModelFormat.SKLEARN });
    // THEN
    expect(isvc(synthValid(chart), 'iris').spec.predictor.model.storageUri).toBe('s3://models');
  });

  test('a URI source uses the ServiceAccount it is given', () => {
    // GIVEN
    const chart = testChart('serving');
    const account = kplus.ServiceAccount.fromServiceAccountName(chart, 'Gcs', 'gcs-reader');
    // WHEN
    new KservePredictor(chart, 'Iris', SKLEARN({ name: 'iris', serviceAccount: account }));
    // THEN
    const manifests = synthValid(chart);
    expect(isvc(manifests, 'iris').spec.predictor.serviceAccountName).toBe('gcs-reader');
  });
});

describe('KservePredictor spec', () => {
  test('the model, runtime, protocol, deployment mode and metrics annotation', () => {
    // GIVEN
    const chart = testChart('serving');
    // WHEN
    new KservePredictor(chart, 'Resnet', {
      name: 'resnet',
      model: ModelSource.fromUri('s3://models/triton'),
      modelFormat: ModelFormat.ONNX,
      runtime: 'kserve-tritonserver',
      protocolVersion: ProtocolVersion.GRPC_V2,
    });
    new KservePredictor(chart, 'Custom', SKLEARN({ name: 'custom', modelFormat: ModelFormat.of('sklearn', '1'), protocolVersion: ProtocolVersion.of('v3') }));
    // THEN
    const manifests = synthValid(chart);
    const resnet = isvc(manifests, 'resnet');
    expect(resnet.metadata.annotations).toEqual({
      'serving.kserve.io/deploymentMode': 'RawDeployment',
      'serving.kserve.io/enable-prometheus-scraping': 'true',
    });
    expect(resnet.spec.predictor.model).toMatchObject({
      modelFormat: { name: 'onnx' },
      runtime: 'kserve-tritonserver',
      protocolVersion: 'grpc-v2',
      storageUri: 's3://models/triton',
    });
    expect(isvc(manifests, 'custom').spec.predictor.model).toMatchObject({ modelFormat: { name: 'sklearn', version: '1' }, protocolVersion: 'v3' });
  });

  test('runs the model server non-root with no capabilities, and limits resources and GPUs', () => {
    // GIVEN
    const chart = testChart('serving');
    // WHEN
    new KservePredictor(chart, 'Llm', SKLEARN({
      name: 'llm',
      resources: {
        cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(4) },
        memory: { request: Size.gibibytes(8), limit: Size.gibibytes(16) },
      },
      gpus: 2,
      runAs: { user: 2000, group: 3000 },
    }));
    // THEN
    const spec = isvc(synthValid(chart), 'llm').spec.predictor;
    expect(spec.model.resources).toEqual({
      requests: { cpu: '2', memory: '8192Mi' },
      limits: { 'cpu': '4', 'memory': '16384Mi', 'nvidia.com/gpu': '2' },
    });
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 2000, runAsGroup: 3000, fsGroup: 3000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.model.securityContext).toEqual({
      allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test('default resources, and GPUs on another resource name', () => {
    // GIVEN
    const chart = testChart('serving');
    // WHEN
    new KservePredictor(chart, 'Iris', SKLEARN({ name: 'iris', gpus: 1, gpuResourceName: 'amd.com/gpu' }));
    // THEN
    expect(isvc(synthValid(chart), 'iris').spec.predictor.model.resources).toEqual({
      requests: { cpu: '100m', memory: '512Mi' },
      limits: { 'memory': '2048Mi', 'amd.com/gpu': '1' },
    });
  });

  test('scaling in RawDeployment and Serverless mode; a canary in Serverless mode', () => {
    // GIVEN
    const chart = testChart('serving');
    // WHEN
    new KservePredictor(chart, 'Raw', SKLEARN({ name: 'raw', minReplicas: 2, maxReplicas: 5, scaleMetric: ScaleMetric.CPU, scaleTarget: 70 }));
    new KservePredictor(chart, 'Canary', SKLEARN({
      name: 'canary',
      deploymentMode: KserveDeploymentMode.SERVERLESS,
      minReplicas: 0,
      scaleMetric: ScaleMetric.CONCURRENCY,
      scaleTarget: 10,
      canaryTrafficPercent: 10,
    }));
    // THEN
    const manifests = synthValid(chart);
    expect(isvc(manifests, 'raw').spec.predictor).toMatchObject({ minReplicas: 2, maxReplicas: 5, scaleMetric: 'cpu', scaleTarget: 70 });
    const canary = isvc(manifests, 'canary');
    expect(canary.metadata.annotations['serving.kserve.io/deploymentMode']).toBe('Serverless');
    expect(canary.spec.predictor).toMatchObject({ minReplicas: 0, scaleMetric: 'concurrency', scaleTarget: 10, canaryTrafficPercent: 10 });
  });

  test('a transformer in front of the predictor', () => {
    // GIVEN
    const chart = testChart('serving');
    // WHEN
    const predictor = new KservePredictor(chart, 'Iris', SKLEARN({
      name: 'iris',
      transformer: { image: 'example.com/iris-transformer:1.0', args: ['--feast_url', 'feast:6566'], env: { LOG_LEVEL: 'info' } },
    }));
    predictor.allowFrom(kplus.Pods.select(chart, 'Clients', { labels: { app: 'client' } }));
    // THEN
    const manifests = synthValid(chart);
    expect(isvc(manifests, 'iris').spec.transformer).toEqual({
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'kserve-container',
        image: 'example.com/iris-transformer:1.0',
        imagePullPolicy: 'IfNotPresent',
        args: ['--feast_url', 'feast:6566'],
        env: [{ name: 'LOG_LEVEL', value: 'info' }],
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1024Mi' } },
        securityContext: {
          allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
        },
      }],
    });
    // once a policy isolates the pods, the transformer still reaches the predictor
    const internal = objectNamed(manifests, 'NetworkPolicy', 'iris-allowfrom-test-iris-pods');
    expect(internal.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({ 'serving.kserve.io/inferenceservice': 'iris' });
  });

  test('a scrape target selecting the predictor pods on the runtime\'s metrics port', () => {
    // GIVEN
    const chart = testChart('serving');
    const prometheus = kplus.Pods.select(chart, 'Prometheus', { labels: { app: 'prometheus' } });
    // WHEN
    const iris = new KservePredictor(chart, 'Iris', SKLEARN({ name: 'iris' }));
    const resnet = new KservePredictor(chart, 'Resnet', { name: 'resnet', model: ModelSource.fromUri('s3://m/triton'), modelFormat: ModelFormat.TRITON });
    const torch = new KservePredictor(chart, 'Torch', SKLEARN({ name: 'torch', modelFormat: ModelFormat.PYTORCH }));
    const custom = new KservePredictor(chart, 'Custom', SKLEARN({ name: 'custom', metricsPort: 9090 }));
    resnet.allowScrapeFrom(prometheus);
    // THEN
    expect(iris.scrapeTargets).toEqual([{
      name: 'iris',
      discovery: ScrapeDiscovery.POD,
      namespace: 'serving',
      selector: { 'serving.kserve.io/inferenceservice': 'iris', 'component': 'predictor' },
      endpoints: [{ portNumber: 8080, path: '/metrics' }],
    }]);
    expect([resnet, torch, custom].map((p) => p.scrapeTargets[0].endpoints[0].portNumber)).toEqual([8002, 8082, 9090]);
    const policy = objectNamed(synthValid(chart), 'NetworkPolicy', 'resnet-allowfrom-test-prometheus');
    expect(policy.spec.podSelector.matchLabels).toEqual({ 'serving.kserve.io/inferenceservice': 'resnet' });
    expect(policy.spec.ingress[0].ports).toEqual([{ port: 8002, protocol: 'TCP' }]);
  });

  test('allowFrom opens the serving ports, gRPC ones too for grpc-v2', () => {
    // GIVEN
    const chart = testChart('serving');
    const clients = kplus.Pods.select(chart, 'Clients', { labels: { app: 'client' } });
    // WHEN
    new KservePredictor(chart, 'Http', SKLEARN({ name: 'http' })).allowFrom(clients);
    new KservePredictor(chart, 'Grpc', SKLEARN({ name: 'grpc', protocolVersion: ProtocolVersion.GRPC_V2 })).allowFrom(clients);
    // THEN
    const manifests = synthValid(chart);
    expect(objectNamed(manifests, 'NetworkPolicy', 'test-http-allowfrom').spec.ingress[0].ports.map((p: any) => p.port)).toEqual([8080]);
    expect(objectNamed(manifests, 'NetworkPolicy', 'test-grpc-allowfrom').spec.ingress[0].ports.map((p: any) => p.port)).toEqual([8080, 8081, 9000]);
  });

  test('derives a valid name from the construct path', () => {
    // GIVEN
    const chart = testChart('serving');
    // WHEN
    const predictor = new KservePredictor(chart, 'Iris', SKLEARN());
    // THEN
    expect(predictor.name).toMatch(/^test-iris-[0-9a-f]{8}$/);
    expect(isvc(synthValid(chart), predictor.name)).toBeDefined();
    expect(predictor.predictorHost()).toBe(`${predictor.name}-predictor.serving.svc.cluster.local`);
  });
});

describe('KservePredictor bad input', () => {
  test.each([
    ['canary in RawDeployment', SKLEARN({ canaryTrafficPercent: 10 }), 'canaryTrafficPercent is invalid with deploymentMode RawDeployment: KServe rolls out canaries only in Serverless (Knative) mode; set deploymentMode: KserveDeploymentMode.SERVERLESS or remove canaryTrafficPercent'],
    ['canary over 100', SKLEARN({ deploymentMode: KserveDeploymentMode.SERVERLESS, canaryTrafficPercent: 120 }), "canaryTrafficPercent '120' is invalid: must be a whole number from 0 to 100"],
    ['scale to zero in RawDeployment', SKLEARN({ minReplicas: 0 }), "minReplicas '0' is invalid: must be a whole number from 1 to 1000; scaling to zero needs deploymentMode Serverless"],
    ['maxReplicas below minReplicas', SKLEARN({ minReplicas: 3, maxReplicas: 2 }), "maxReplicas '2' is invalid: must be a whole number from 3 to 1000 (at least minReplicas)"],
    ['concurrency in RawDeployment', SKLEARN({ scaleMetric: ScaleMetric.CONCURRENCY }), "scaleMetric 'concurrency' is invalid with deploymentMode RawDeployment: KServe scales raw deployments with a HorizontalPodAutoscaler on cpu or memory; use 'cpu' or 'memory'"],
    ['memory in Serverless', SKLEARN({ deploymentMode: KserveDeploymentMode.SERVERLESS, scaleMetric: ScaleMetric.MEMORY }), "scaleMetric 'memory' is invalid with deploymentMode Serverless: KServe scales Knative revisions on concurrency or rps; use 'concurrency' or 'rps'"],
    ['cpu target over 100', SKLEARN({ scaleMetric: ScaleMetric.CPU, scaleTarget: 150 }), "scaleTarget '150' is invalid: must be a whole number from 1 to 100 (a utilization percentage)"],
    ['half a GPU', SKLEARN({ gpus: 0.5 }), "gpus '0.5' is invalid: must be a whole number from 0 to 64"],
    ['name with capitals', SKLEARN({ name: 'Iris_v1' }), "name 'Iris_v1' is invalid: an InferenceService name must be lowercase letters, digits and '-', start with a letter, end with a letter or digit, and have at most 51 characters"],
    ['name starting with a digit', SKLEARN({ name: '1-iris' }), "name '1-iris' is invalid: an InferenceService name must be lowercase letters, digits and '-', start with a letter, end with a letter or digit, and have at most 51 characters"],
    ['unknown scheme', SKLEARN({ model: ModelSource.fromUri('ftp://example.com/iris') }), "storageUri 'ftp://example.com/iris' is invalid: must start with one of s3://, gs://, pvc://, https://, http://, hf://, oci://, hdfs://, webhdfs://; for a bucket of this app use ModelSource.fromBucket()"],
    ['no scheme', SKLEARN({ model: ModelSource.fromUri('models/iris') }), "storageUri 'models/iris' is invalid: must start with one of s3://, gs://, pvc://, https://, http://, hf://, oci://, hdfs://, webhdfs://; for a bucket of this app use ModelSource.fromBucket()"],
    ['.. in the path', SKLEARN({ model: ModelSource.fromUri('s3://models/../secrets') }), "model path '../secrets' is invalid: must be a plain folder path, without '.', '..', '//' or spaces, e.g. 'sklearn/iris'"],
    ['Triton path at a model file', { model: ModelSource.fromUri('s3://models/triton/resnet/1/model.onnx'), modelFormat: ModelFormat.TRITON }, "model path 'triton/resnet/1/model.onnx' is invalid for Triton: point it at the model repository, the folder that holds <model>/config.pbtxt and <model>/1/model.onnx, not at a model file or version folder"],
    ['Triton path at a version folder', { model: ModelSource.fromUri('s3://models/triton/resnet/1'), modelFormat: ModelFormat.ONNX, runtime: 'kserve-tritonserver' }, "model path 'triton/resnet/1' is invalid for Triton: point it at the model repository, the folder that holds <model>/config.pbtxt and <model>/1/model.onnx, not at a model file or version folder"],
  ])('%s', (_label, props, message) => {
    // GIVEN
    const chart = testChart('serving');
    // THEN
    expect(() => new KservePredictor(chart, 'Iris', props as KservePredictorProps)).toThrow(`KservePredictor 'test/Iris': ${message}`);
  });

  test('a bucket source brings its own ServiceAccount', () => {
    // GIVEN
    const { chart, models } = platform();
    const account = kplus.ServiceAccount.fromServiceAccountName(chart, 'Sa', 'mine');
    // THEN
    expect(() => new KservePredictor(chart, 'Iris', { model: ModelSource.fromBucket(models, 'iris'), modelFormat: ModelFormat.SKLEARN, serviceAccount: account })).toThrow(
      "KservePredictor 'test/Iris': serviceAccount is invalid with ModelSource.fromBucket(): the predictor creates the ServiceAccount that carries the bucket's credentials; remove serviceAccount, or use ModelSource.fromUri() with your own");
  });

  test('a Triton repository root is accepted', () => {
    // GIVEN
    const chart = testChart('serving');
    // THEN
    expect(() => new KservePredictor(chart, 'Resnet', { model: ModelSource.fromUri('s3://models/triton'), modelFormat: ModelFormat.TRITON })).not.toThrow();
  });
});
