import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { seldonPlatform, sklearnModel } from './seldon-fixtures';
import { ModelFormat } from '../../src/core/model-format';
import { ModelSource } from '../../src/core/model-source';
import { SeldonModel } from '../../src/serving/seldon-model';
import { SeldonServer } from '../../src/serving/seldon-server';
import { objectNamed, objectsOfKind, synthValid } from '../util';

function model(manifests: any[], name: string): any {
  return objectsOfKind(manifests, 'Model').find((m) => m.metadata.name === name);
}

describe('SeldonModel', () => {
  test('an sklearn model from a bucket: storageUri, the requirement its format needs, its server and its own rclone Secret', () => {
    // GIVEN
    const platform = seldonPlatform();
    // WHEN
    const iris = sklearnModel(platform, 'iris', { memory: Size.mebibytes(200), replicas: 2, minReplicas: 1, maxReplicas: 3 });
    // THEN
    const manifests = synthValid(platform.chart);
    const secret = objectNamed(manifests, 'Secret', 'iris-rclonecredentials');
    expect(model(manifests, 'iris')).toMatchObject({
      apiVersion: 'mlops.seldon.io/v1alpha1',
      metadata: { name: 'iris', namespace: 'mlops' },
      spec: {
        storageUri: 's3://models/sklearn/iris',
        requirements: ['sklearn'],
        secretName: secret.metadata.name,
        server: 'mlserver',
        memory: '200Mi',
        replicas: 2,
        minReplicas: 1,
        maxReplicas: 3,
      },
    });
    expect(iris.secretName).toBe(secret.metadata.name);
    expect(iris.modelName).toBe('iris');
    // the servers download: one MinIO user for the runtime's server pods, read-only on the bucket
    const grant = objectNamed(manifests, 'Job', 'models-grant-test-seldon-serverpods');
    expect(JSON.parse(grant.spec.template.spec.containers[0].env.find((e: any) => e.name === 'POLICY').value).Statement[1].Action).toEqual(['s3:GetObject']);
    expect(objectNamed(manifests, 'NetworkPolicy', 'minio-allowfrom-test-seldon-serverpods').spec.ingress[0].from[0].podSelector)
      .toEqual({ matchLabels: { app: 'seldon-server' } });
  });

  test('requirements follow the format, plus extraRequirements; the scheduler may pick any server', () => {
    // GIVEN
    const platform = seldonPlatform();
    const uri = ModelSource.fromUri('gs://seldon-models/triton/simple');
    // WHEN
    const cases: Array<[ModelFormat, string[]]> = [
      [ModelFormat.SKLEARN, ['sklearn']], [ModelFormat.XGBOOST, ['xgboost']], [ModelFormat.LIGHTGBM, ['lightgbm']],
      [ModelFormat.MLFLOW, ['mlflow']], [ModelFormat.HUGGINGFACE, ['huggingface']], [ModelFormat.ONNX, ['onnx']],
      [ModelFormat.TRITON, ['triton']], [ModelFormat.PYTORCH, ['pytorch']], [ModelFormat.TENSORFLOW, ['tensorflow']],
      [ModelFormat.of('tensorrt'), ['tensorrt']],
    ];
    const models = cases.map(([format], index) => new SeldonModel(platform.chart, `M${index}`, { runtime: platform.runtime, model: uri, modelFormat: format }));
    const gpu = new SeldonModel(platform.chart, 'Gpu', { runtime: platform.runtime, model: uri, modelFormat: ModelFormat.ONNX, extraRequirements: ['gpu', 'onnx'] });
    // THEN
    expect(models.map((m) => m.requirements)).toEqual(cases.map(([, requirements]) => requirements));
    expect(gpu.requirements).toEqual(['onnx', 'gpu']);
    const spec = model(synthValid(platform.chart), gpu.name).spec;
    expect(spec).toEqual({ storageUri: 'gs://seldon-models/triton/simple', requirements: ['onnx', 'gpu'] });
  });

  test('a model from the runtime\'s modelsBucket uses the remote every server preloads: no Secret of its own', () => {
    // GIVEN
    const platform = seldonPlatform({}, true);
    // WHEN
    const iris = sklearnModel(platform, 'iris');
    // THEN
    const manifests = synthValid(platform.chart);
    const credentials = objectNamed(manifests, 'Secret', 'seldon-modelsbucketcredentials');
    expect(objectsOfKind(manifests, 'SeldonRuntime')[0].spec.config.agentConfig).toEqual({ rclone: { config_secrets: [credentials.metadata.name] } });
    expect(objectNamed(manifests, 'Job', 'seldon-modelsbucketcredentials-write')).toBeDefined();
    expect(model(manifests, 'iris').spec.secretName).toBeUndefined();
    expect(iris.secretName).toBeUndefined();
    expect(objectsOfKind(manifests, 'Secret').filter((s) => s.metadata.name.includes('rclonecredentials'))).toEqual([]);
  });

  test('a URI source with an rclone Secret of your own', () => {
    // GIVEN
    const platform = seldonPlatform();
    const secret = kplus.Secret.fromSecretName(platform.chart, 'Gcs', 'gcs-models');
    // WHEN
    new SeldonModel(platform.chart, 'Resnet', {
      runtime: platform.runtime,
      server: platform.triton,
      name: 'resnet',
      model: ModelSource.fromUri('gs://acme-models/resnet'),
      modelFormat: ModelFormat.ONNX,
      rcloneSecret: secret,
    });
    // THEN
    expect(model(synthValid(platform.chart), 'resnet').spec).toEqual({
      storageUri: 'gs://acme-models/resnet', requirements: ['onnx'], secretName: 'gcs-models', server: 'triton',
    });
  });

  test('MLflow models: the honest limit, and the custom image that lifts it', () => {
    // GIVEN
    const platform = seldonPlatform();
    const stock = new SeldonServer(platform.chart, 'Stock', { runtime: platform.runtime, name: 'stock' });
    const source = ModelSource.fromBucket(platform.models, 'mlflow/churn');
    // THEN: the v2.6.0 ServerConfig's MLServer 1.3.5 does not hold the model's requirements
    expect(() => new SeldonModel(platform.chart, 'Churn', { runtime: platform.runtime, server: stock, model: source, modelFormat: ModelFormat.MLFLOW })).toThrow(
      "SeldonModel 'test/Churn': server 'stock' is invalid for an MLflow model: MLServer loads it in the server's own Python environment and ignores "
      + "the model's requirements.txt and conda.yaml, and the v2.6.0 ServerConfig's image is MLServer 1.3.5; give the server an image built with the "
      + "model's requirements (README, \"Seldon Core v2\"), e.g. image: 'registry.example.com/mlserver-iris:1.7.1'");
    // WHEN: a server whose image holds them
    const churn = new SeldonModel(platform.chart, 'Churn2', { runtime: platform.runtime, server: platform.mlserver, name: 'churn', model: source, modelFormat: ModelFormat.MLFLOW });
    // THEN
    const manifests = synthValid(platform.chart);
    expect(model(manifests, 'churn').spec).toMatchObject({ requirements: ['mlflow'], server: 'mlserver' });
    expect(objectsOfKind(manifests, 'Server').find((s) => s.metadata.name === 'mlserver').spec.podSpec.containers[2].image).toBe('registry.example.com/mlserver-sklearn:1.7.1');
    expect(churn.requirements).toEqual(['mlflow']);
  });

  test('allowFrom opens the runtime\'s Envoy, where every model is called', () => {
    // GIVEN
    const platform = seldonPlatform();
    const iris = sklearnModel(platform, 'iris');
    // WHEN
    iris.allowFrom(kplus.Pods.select(platform.chart, 'Tasks', { labels: { app: 'tasks' } }));
    // THEN
    const policy = objectNamed(synthValid(platform.chart), 'NetworkPolicy', 'envoypods-allowfrom-test-tasks');
    expect(policy.spec.podSelector.matchLabels['app.kubernetes.io/name']).toBe('seldon-envoy');
    expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'tasks' } } }], ports: [{ port: 9000, protocol: 'TCP' }] }]);
  });
});
