import * as kplus from 'cdk8s-plus-28';
import { argValue, notebook, platform, server } from './fixtures';
import { Credentials, DagSource, GitSyncAirflow, MinioBucket, PlatformTls, PyTorchDdpJob, ServiceEndpoint, TrustBundle } from '../../src';
import { MlflowTracking } from '../../src/tracking';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid } from '../util';

const CA_FILE = '/etc/mlops/ca/ca.crt';

function tlsMlflow() {
  const { chart, props, postgres } = platform();
  const tls = new PlatformTls(chart, 'Tls', { name: 'platform' });
  const mlflow = new MlflowTracking(chart, 'Mlflow', { ...props, tls: tls.serverTls, gc: {} });
  return { chart, tls, mlflow, postgres };
}

describe('MlflowTracking with tls', () => {
  test('serves https through uvicorn with the certificate of its Service, and probes over https', () => {
    // GIVEN
    const { chart, mlflow } = tlsMlflow();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const deployment = server(manifests);
    const mlflowContainer = container(deployment, 'mlflow');
    expect(argValue(mlflowContainer.args, '--uvicorn-opts')).toBe('--ssl-certfile /etc/mlflow/tls/tls.crt --ssl-keyfile /etc/mlflow/tls/tls.key');
    expect(mlflowContainer.volumeMounts).toContainEqual({ name: 'certs', mountPath: '/etc/mlflow/tls', readOnly: true });
    expect(podSpec(deployment).volumes).toContainEqual({ name: 'certs', secret: { secretName: `${mlflow.service.name}-tls`, defaultMode: 0o440 } });
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      expect(mlflowContainer[probe].httpGet.scheme).toBe('HTTPS');
    }
    expect(mlflow.trackingUri).toBe(`https://${mlflow.service.name}.mlops.svc:5000`);
    expect(mlflow.trustBundle?.configMapName).toBe('platform-ca-bundle');
    expect(mlflow.scrapeTargets[0].endpoints[0]).toMatchObject({ scheme: 'https', serverName: `${mlflow.service.name}.mlops.svc` });
  });

  test('a bound workload, the gc CronJob and Airflow verify the server with the bundle', () => {
    // GIVEN
    const { chart, mlflow, postgres } = tlsMlflow();
    const consumer = notebook(chart);
    const airflow = new GitSyncAirflow(chart, 'Airflow', {
      database: postgres.database('mlflow_auth'),
      dags: DagSource.fromGit({ repository: 'https://github.com/example/dags.git' }),
    });
    // WHEN
    mlflow.bind(consumer, consumer.containers[0]);
    airflow.useMlflowTracking(mlflow);
    const all = synthValid(chart);
    const manifests = [...objectsOfKind(all, 'Deployment'), ...objectsOfKind(all, 'CronJob')];
    // THEN
    const notebookEnv = envOf(container(manifests.find((m) => m.metadata.name.includes('notebook')), 'notebook'));
    expect(notebookEnv.MLFLOW_TRACKING_URI).toEqual({ value: mlflow.trackingUri });
    expect(notebookEnv.REQUESTS_CA_BUNDLE).toEqual({ value: CA_FILE });
    const gc = manifests.find((m) => m.kind === 'CronJob');
    expect(envOf(container(gc, 'gc')).REQUESTS_CA_BUNDLE).toEqual({ value: CA_FILE });
    const scheduler = envOf(container(manifests.find((m) => m.metadata.name.includes('airflow-scheduler')), 'scheduler'));
    expect(scheduler.REQUESTS_CA_BUNDLE).toEqual({ value: CA_FILE });
  });
});

test('without tls, MLflow stays plain http', () => {
  const { chart, props } = platform();
  const mlflow = new MlflowTracking(chart, 'Mlflow', props);
  expect(mlflow.trackingUri.startsWith('http://')).toBe(true);
  expect(argValue(container(objectNamed(synthValid(chart), 'Deployment', 'test-mlflow'), 'mlflow').args, '--uvicorn-opts')).toBeUndefined();
});

describe('a training job logging to an https MLflow', () => {
  test('mounts the bundle in its replicas, and refuses a store verified with another bundle', () => {
    // GIVEN
    const { chart, mlflow, tls } = tlsMlflow();
    // WHEN
    new PyTorchDdpJob(chart, 'Mnist', { image: 'registry.example.com/ml/mnist:1.0', script: '/workspace/train.py', tracking: mlflow });
    // THEN
    const worker = objectsOfKind(synthValid(chart), 'PyTorchJob')[0].spec.pytorchReplicaSpecs.Worker.template.spec;
    expect(envOf(worker.containers[0]).REQUESTS_CA_BUNDLE).toEqual({ value: CA_FILE });
    expect(worker.volumes).toContainEqual(expect.objectContaining({ name: 'ca-bundle' }));

    const other = MinioBucket.fromBucketAttributes(chart, 'OtherBucket', {
      bucketName: 'datasets',
      endpoint: ServiceEndpoint.fromHost('s3.example.internal', 443, 'https', TrustBundle.fromConfigMap('other-ca')),
      credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'S3', 's3')),
    });
    expect(tls.trustBundle.configMapName).toBe('platform-ca-bundle');
    expect(() => new PyTorchDdpJob(chart, 'Other', {
      image: 'registry.example.com/ml/mnist:1.0', script: '/workspace/train.py', tracking: mlflow, readBuckets: [other],
    })).toThrow("PyTorchDdpJob 'test/Other': tracking is invalid with these buckets: MLflow is verified with the CA bundle 'platform-ca-bundle' "
      + "and the buckets' store with 'other-ca', and a pod trusts one bundle; publish both CAs in one bundle (PlatformTls)");
  });
});
