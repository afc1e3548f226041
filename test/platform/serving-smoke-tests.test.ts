import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { podLabels, policiesAllowing } from './mlops-core-fixtures';
import {
  Credentials, DagSource, KservePredictor, MinioBucket, ModelFormat, ModelSource, MultiClusterPlatform, ServiceEndpoint, ServingCluster, SmokeTests,
} from '../../src';
import { MODEL_CHECK_SCRIPT, PROMETHEUS_CHECK_SCRIPT } from '../../src/platform/smoke-test-scripts';
import { container, envOf, objectNamed, objectsOfKind, synthValid, testChart, validManifests } from '../util';

const IRIS_REQUEST = '{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4]]}]}';
const CA_FILE = '/etc/mlops/ca/ca.crt';

function smokeJobs(manifests: any[]): any[] {
  return objectsOfKind(manifests, 'Job').filter((job) => job.metadata.labels['app.kubernetes.io/component'] === 'smoke-test');
}

function smokeJob(manifests: any[], fragment: string): any {
  return objectNamed(smokeJobs(manifests), 'Job', `smoketests-${fragment}`);
}

/** A serving cluster in namespace `mlops` of a fresh chart. */
function servingCluster() {
  const chart = testChart('mlops');
  const modelsBucket = MinioBucket.fromBucketAttributes(chart, 'Models', {
    bucketName: 'models',
    endpoint: ServiceEndpoint.fromHost('minio.example.com', 9000),
    credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'Keys', 'primary-models-credentials')),
  });
  const serving = new ServingCluster(chart, 'Eu', {
    modelsBucket,
    prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090),
    federatedFrom: '203.0.113.0/24',
  });
  const predict = (id: string, name: string) => serving.addPredictor(id, {
    name, model: ModelSource.fromBucket(serving.modelsBucket, `sklearn/${name}`), modelFormat: ModelFormat.SKLEARN,
  });
  return { chart, serving, predict };
}

const MODELS_SECRET = { kind: 'Secret', name: 'primary-models-credentials', namespace: 'mlops', keys: ['username', 'password'] };

describe('ServingCluster.addSmokeTests', () => {
  test('PostSync hook Jobs for the Prometheus and every model the cluster serves, now and later; the given ones answer an inference', () => {
    // GIVEN
    const { chart, serving, predict } = servingCluster();
    const iris = predict('Iris', 'iris');
    predict('Wine', 'wine');
    // WHEN
    const smoke = serving.addSmokeTests({ models: [{ model: iris, inferenceRequest: IRIS_REQUEST }], attempts: 5 });
    predict('Late', 'late');
    const manifests = synthValid(chart, [MODELS_SECRET]);
    // THEN
    expect(smoke).toBeInstanceOf(SmokeTests);
    const jobs = smokeJobs(manifests);
    expect(jobs.map((job) => job.metadata.name.replace(/-[0-9a-f]{10}$/, '')).sort()).toEqual([
      'test-eu-smoketests-model-iris', 'test-eu-smoketests-model-late', 'test-eu-smoketests-model-wine', 'test-eu-smoketests-prometheus',
    ]);
    for (const job of jobs) {
      expect(job.metadata.annotations).toEqual(expect.objectContaining({
        'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      }));
      expect(envOf(job.spec.template.spec.containers[0]).SMOKE_ATTEMPTS).toEqual({ value: '5' });
    }
    expect(container(smokeJob(manifests, 'prometheus'), 'prometheus').command).toEqual(['python3', '-c', PROMETHEUS_CHECK_SCRIPT]);
    expect(envOf(container(smokeJob(manifests, 'prometheus'), 'prometheus')).PROMETHEUS_URL).toEqual({ value: serving.prometheus.apiUrl });
    const irisCheck = container(smokeJob(manifests, 'model-iris'), 'model');
    expect(irisCheck.command).toEqual(['python3', '-c', MODEL_CHECK_SCRIPT]);
    expect(envOf(irisCheck)).toEqual(expect.objectContaining({
      MODEL_URL: { value: 'http://iris-predictor.mlops.svc.cluster.local:80' },
      MODEL_NAME: { value: 'iris' },
      INFERENCE_REQUEST: { value: IRIS_REQUEST },
    }));
    for (const readinessOnly of ['model-wine', 'model-late']) {
      expect({ readinessOnly, env: envOf(container(smokeJob(manifests, readinessOnly), 'model')).INFERENCE_REQUEST }).toEqual({ readinessOnly, env: undefined });
    }
    // Past the namespace's default deny: the checks reach Prometheus on 9090 and each predictor.
    const prometheusPods = { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': serving.prometheus.prometheusName };
    expect(policiesAllowing(manifests, prometheusPods, podLabels(smokeJob(manifests, 'prometheus')), 9090)).toHaveLength(1);
    for (const name of ['iris', 'wine', 'late']) {
      const check = podLabels(smokeJob(manifests, `model-${name}`))['cdk8s.io/metadata.addr'];
      const allowed = objectsOfKind(manifests, 'NetworkPolicy')
        .some((policy) => policy.metadata.name.includes(`-${name}-`) && JSON.stringify(policy.spec.ingress).includes(check));
      expect({ name, allowed }).toEqual({ name, allowed: true });
    }
  });

  test('with TLS (multi-cluster): the Prometheus check reads https and trusts the CA bundle; the example-style call validates', () => {
    // GIVEN
    const platform = new MultiClusterPlatform({ outdir: '/nonexistent' });
    const primary = platform.addPrimary({
      clusterName: 'primary', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000, 'https'), egressCidr: '203.0.113.0/24',
    });
    primary.addPlatform({ dags: DagSource.fromGit({ repository: 'https://github.com/example/dags.git' }), tls: true });
    const eu = platform.addServingCluster({
      clusterName: 'eu', prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 443, 'https'), egressCidr: '192.0.2.0/24',
    });
    const iris: KservePredictor = eu.addPredictor('Iris', {
      name: 'iris', model: ModelSource.fromBucket(eu.modelsBucket, 'triton'), modelFormat: ModelFormat.ONNX, runtime: 'kserve-tritonserver',
    });
    // WHEN
    eu.addSmokeTests();
    const manifests = validManifests(Testing.synth(platform.chartOf('eu')), [{ kind: 'Secret', name: 'primary-models-credentials', namespace: 'mlops' }]);
    // THEN
    const check = container(smokeJob(manifests, 'prometheus'), 'prometheus');
    expect(envOf(check).PROMETHEUS_URL.value).toMatch(/^https:\/\//);
    expect(envOf(check).SSL_CERT_FILE).toEqual({ value: CA_FILE });
    expect(envOf(container(smokeJob(manifests, 'model-iris'), 'model')).MODEL_NAME).toEqual({ value: iris.modelName });
  });

  test('refuses a model the cluster does not serve, and a second call', () => {
    // GIVEN
    const { chart, serving, predict } = servingCluster();
    predict('Iris', 'iris');
    const elsewhere = new KservePredictor(chart, 'Elsewhere', { name: 'elsewhere', model: ModelSource.fromUri('s3://models/x'), modelFormat: ModelFormat.SKLEARN });
    // THEN
    expect(() => serving.addSmokeTests({ models: [{ model: elsewhere }] })).toThrow(
      "ServingCluster 'test/Eu': addSmokeTests: options.models model 'elsewhere' is invalid: this cluster does not serve it; "
      + 'give the models addPredictor and serveModel of this cluster returned, served before this call');
    serving.addSmokeTests();
    expect(() => serving.addSmokeTests()).toThrow(
      "ServingCluster 'test/Eu': addSmokeTests: it was called before, and its tests check every model the cluster serves; call it once");
  });
});
