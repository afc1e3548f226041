import { Chart, Testing } from 'cdk8s';
import {
  DagSource, Kafka, ModelFormat, ModelSource, MultiClusterPlatform, SeldonModelDeployment, SeldonRuntime, SeldonServer, ServiceEndpoint,
} from '../../src';
import { synthValidWithTaskPod } from '../orchestration/fixtures';
import { objectNamed, objectsOfKind, validManifests } from '../util';
import { platform, podLabels, policiesAllowing } from './mlops-core-fixtures';

const ENVOY = { 'app.kubernetes.io/name': 'seldon-envoy' };

describe('Seldon models through the serving contract', () => {
  test('MlopsCore.serveModel: a SeldonModelDeployment reads the platform\'s bucket, answers the task pods through Envoy, and is scraped once', () => {
    // GIVEN
    const core = platform();
    const runtime = new SeldonRuntime(core, 'Seldon', { name: 'seldon', eventBus: new Kafka(core, 'Kafka') });
    const mlserver = new SeldonServer(core, 'Mlserver', { runtime, name: 'mlserver', image: 'registry.example.com/mlserver-sklearn:1.7.1' });
    const deployment = (name: string) => new SeldonModelDeployment({
      runtime, server: mlserver, name, model: ModelSource.fromBucket(core.modelsBucket, `sklearn/${name}`), modelFormat: ModelFormat.SKLEARN,
    });
    // WHEN
    const iris = core.serveModel('Iris', deployment('iris'));
    core.serveModel('Wine', deployment('wine'));
    core.addPredictor('Kserve', { name: 'kserve-iris', model: ModelSource.fromBucket(core.modelsBucket, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
    // THEN
    const { manifests, pod } = synthValidWithTaskPod(Chart.of(core));
    expect(iris.modelName).toBe('iris');
    const model = objectsOfKind(manifests, 'Model').find((m) => m.metadata.name === 'iris');
    expect(model.spec).toMatchObject({ storageUri: 's3://models/sklearn/iris', requirements: ['sklearn'], server: 'mlserver' });
    expect(objectNamed(manifests, 'Secret', model.spec.secretName).metadata.annotations['mlops.cdk8s.io/generated-keys']).toBe('s3');
    const label = objectsOfKind(manifests, 'SeldonRuntime')[0].metadata.labels['mlops.cdk8s.io/seldon-runtime'];
    expect(policiesAllowing(manifests, { ...ENVOY, 'mlops.cdk8s.io/seldon-runtime': label }, podLabels(pod), 9000)).toHaveLength(1);
    const monitors = objectsOfKind(manifests, 'PodMonitor').map((m) => m.metadata.name.replace(/^.*-monitor-mlops-|-[0-9a-f]+$/g, ''));
    expect(monitors.filter((name) => /seldon|kserve/.test(name)).sort()).toEqual(['kserve-iris', 'seldon-agent', 'seldon-pipelinegateway', 'seldon-server']);
    // KServe and Seldon models on one dashboard: the shared rows once, then each backend's
    const dashboard = JSON.parse(objectNamed(manifests, 'ConfigMap', 'modelservingdashboard').data['mlops-model-serving.json']);
    expect(dashboard.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title)).toEqual(['Traffic', 'Latency', 'Predictors', 'Seldon pipelines and servers']);
    const requests = objectNamed(manifests, 'PrometheusRule', 'prometheus').spec.groups[0].rules
      .filter((r: any) => r.record === 'namespace_job_model:inference_requests:rate5m').map((r: any) => r.labels.runtime);
    expect(requests).toEqual(['kserve', 'mlserver', 'triton', 'seldon']);
  });

  test('ServingCluster.serveModel: the runtime preloads the cluster\'s read-only user, and the primary renders Seldon\'s rules', () => {
    // GIVEN
    const multi = new MultiClusterPlatform({ outdir: '/nonexistent' });
    multi.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000), egressCidr: '198.51.100.0/24' })
      .addPlatform({ dags: DagSource.fromGit({ repository: 'https://github.com/example/dags.git' }) });
    const eu = multi.addServingCluster({
      clusterName: 'eu', prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090), egressCidr: '203.0.113.0/24',
    });
    const runtime = new SeldonRuntime(eu, 'Seldon', { name: 'seldon', modelsBucket: eu.modelsBucket });
    // WHEN
    eu.serveModel('Iris', new SeldonModelDeployment({
      runtime, name: 'iris', model: ModelSource.fromBucket(eu.modelsBucket, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN,
    }));
    // THEN
    const manifests = validManifests(Testing.synth(multi.chartOf('eu')), [{ kind: 'Secret', name: 'primary-models-credentials', namespace: 'mlops' }]);
    const model = objectsOfKind(manifests, 'Model')[0];
    expect(model.spec).toEqual({ storageUri: 's3://models/sklearn/iris', requirements: ['sklearn'] });
    const preloaded = objectsOfKind(manifests, 'SeldonRuntime')[0].spec.config.agentConfig.rclone.config_secrets;
    expect(objectNamed(manifests, 'Secret', preloaded[0]).metadata.annotations['mlops.cdk8s.io/generated-keys']).toBe('s3');
    expect(objectsOfKind(manifests, 'PodMonitor').map((m) => m.spec.selector.matchLabels)).toEqual([{ app: 'seldon-server' }, { app: 'seldon-server' }]);
    const primaryRules = objectNamed(Testing.synth(multi.primaryChart), 'PrometheusRule', 'prometheus').spec.groups.flatMap((g: any) => g.rules);
    expect(primaryRules.filter((r: any) => r.labels?.runtime === 'seldon').map((r: any) => r.record)).toEqual([
      'namespace_job_model:inference_requests:rate5m', 'namespace_job_model:inference_request_errors:rate5m', 'namespace_job_model:inference_request_duration_seconds:mean5m',
    ]);
  });
});
