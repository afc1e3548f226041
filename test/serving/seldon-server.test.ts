import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { seldonPlatform } from './seldon-fixtures';
import { WorkloadPlacement } from '../../src/core/workload-placement';
import { Kafka } from '../../src/data/kafka';
import { PlatformTls } from '../../src/security/platform-tls';
import { SeldonRuntime } from '../../src/serving/seldon-runtime';
import { SeldonServer } from '../../src/serving/seldon-server';
import { SeldonServerConfig } from '../../src/serving/seldon-server-config';
import { MinioWithBuckets } from '../../src/storage/minio-with-buckets';
import { objectsOfKind, synthValid, testChart } from '../util';

const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  privileged: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

function server(manifests: any[], name: string): any {
  return objectsOfKind(manifests, 'Server').find((s) => s.metadata.name === name);
}

describe('SeldonServer', () => {
  test('a Server on its ServerConfig, whose pod spec the operator merges by container name: restricted pods and containers', () => {
    // GIVEN
    const { chart } = seldonPlatform();
    // THEN
    const spec = server(synthValid(chart), 'triton').spec;
    expect(spec).toEqual({
      serverConfig: 'triton',
      podSpec: {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          { name: 'rclone', securityContext: RESTRICTED_CONTAINER },
          { name: 'agent', securityContext: RESTRICTED_CONTAINER },
          { name: 'triton', securityContext: RESTRICTED_CONTAINER },
        ],
      },
    });
  });

  test('replicas, resources and GPUs through the core toolkit, a custom image, extra capabilities and a placement on the server container', () => {
    // GIVEN
    const { chart, runtime } = seldonPlatform();
    const gpuNodes = WorkloadPlacement.of({
      nodeSelector: { 'nvidia.com/gpu.present': 'true' },
      tolerations: [kplus.NodeTaintQuery.exists('nvidia.com/gpu', { effect: kplus.TaintEffect.NO_SCHEDULE })],
      imagePullSecrets: ['registry-credentials'],
    });
    // WHEN
    const gpu = new SeldonServer(chart, 'TritonGpu', {
      runtime,
      name: 'triton-gpu',
      serverConfig: SeldonServerConfig.TRITON,
      image: 'nvcr.io/nvidia/tritonserver:24.08-py3',
      replicas: 2,
      minReplicas: 1,
      maxReplicas: 4,
      resources: { cpu: { request: kplus.Cpu.units(2) }, memory: { request: Size.gibibytes(8), limit: Size.gibibytes(8) } },
      gpus: 1,
      extraCapabilities: ['gpu'],
      placement: gpuNodes,
    });
    // THEN
    const spec = server(synthValid(chart), 'triton-gpu').spec;
    expect(spec).toMatchObject({ serverConfig: 'triton', replicas: 2, minReplicas: 1, maxReplicas: 4, extraCapabilities: ['gpu'] });
    expect(spec.capabilities).toBeUndefined();
    expect(spec.podSpec.containers[2]).toEqual({
      name: 'triton',
      image: 'nvcr.io/nvidia/tritonserver:24.08-py3',
      imagePullPolicy: 'IfNotPresent',
      resources: { requests: { cpu: '2', memory: '8192Mi' }, limits: { 'memory': '8192Mi', 'nvidia.com/gpu': '1' } },
      securityContext: RESTRICTED_CONTAINER,
    });
    expect(spec.podSpec).toMatchObject({
      nodeSelector: { 'nvidia.com/gpu.present': 'true' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      imagePullSecrets: [{ name: 'registry-credentials' }],
    });
    expect(gpu.capabilities).toEqual([...SeldonServerConfig.TRITON.capabilities, 'gpu']);
  });

  test('a GPU server without a placement tolerates the GPU nodes\' taint', () => {
    // GIVEN
    const { chart, runtime } = seldonPlatform();
    // WHEN
    new SeldonServer(chart, 'Gpu', { runtime, name: 'gpu', serverConfig: SeldonServerConfig.TRITON, gpus: 2, gpuResourceName: 'amd.com/gpu' });
    // THEN
    const spec = server(synthValid(chart), 'gpu').spec.podSpec;
    expect(spec.tolerations).toEqual([{ key: 'amd.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.containers[2].resources).toEqual({ limits: { 'amd.com/gpu': '2' } });
  });

  test('capabilities replace the ServerConfig\'s; a ServerConfig of your own names its server container', () => {
    // GIVEN
    const { chart, runtime } = seldonPlatform();
    // WHEN
    const custom = new SeldonServer(chart, 'Custom', {
      runtime,
      name: 'custom',
      serverConfig: SeldonServerConfig.of('mlserver-gpu', ['mlserver', 'sklearn', 'gpu'], 'mlserver-gpu'),
      capabilities: ['mlserver', 'sklearn'],
    });
    // THEN
    const spec = server(synthValid(chart), 'custom').spec;
    expect(spec.serverConfig).toBe('mlserver-gpu');
    expect(spec.capabilities).toEqual(['mlserver', 'sklearn']);
    expect(spec.podSpec.containers.map((c: any) => c.name)).toEqual(['rclone', 'agent', 'mlserver-gpu']);
    expect(custom.capabilities).toEqual(['mlserver', 'sklearn']);
  });

  test('the v2.6.0 ServerConfigs and their capabilities', () => {
    expect([SeldonServerConfig.MLSERVER.name, SeldonServerConfig.MLSERVER.serverContainer]).toEqual(['mlserver', 'mlserver']);
    expect(SeldonServerConfig.MLSERVER.capabilities).toEqual(['mlserver', 'alibi-detect', 'alibi-explain', 'huggingface', 'lightgbm', 'mlflow', 'python', 'sklearn', 'spark-mlib', 'xgboost']);
    expect(SeldonServerConfig.TRITON.capabilities).toEqual(['triton', 'dali', 'fil', 'onnx', 'openvino', 'python', 'pytorch', 'tensorflow', 'tensorrt']);
  });
});

describe('SeldonServer with the runtime bucket over TLS', () => {
  test('its rclone and agent containers trust the bucket\'s CA bundle (mount and SSL_CERT_FILE), which the operator appends to the ServerConfig\'s', () => {
    // GIVEN
    const chart = testChart('mlops');
    const tls = new PlatformTls(chart, 'Tls', { namespaces: ['mlops'] });
    const minio = new MinioWithBuckets(chart, 'Minio', { buckets: ['models'], tls: tls.serverTls });
    const runtime = new SeldonRuntime(chart, 'Seldon', { name: 'seldon', eventBus: new Kafka(chart, 'Kafka'), modelsBucket: minio.bucket('models') });
    new SeldonServer(chart, 'Mlserver', { runtime, name: 'mlserver' });
    // WHEN
    const podSpec = server(synthValid(chart), 'mlserver').spec.podSpec;
    // THEN
    const bundle = tls.serverTls.trustBundle.podFields();
    expect(podSpec.volumes).toEqual([bundle.volume]);
    for (const name of ['rclone', 'agent']) {
      const c = podSpec.containers.find((x: any) => x.name === name);
      expect(c.volumeMounts).toEqual([{ name: bundle.volume.name, mountPath: '/etc/mlops/ca', readOnly: true }]);
      expect(c.env).toEqual(expect.arrayContaining([{ name: 'SSL_CERT_FILE', value: '/etc/mlops/ca/ca.crt' }]));
    }
    expect(podSpec.containers.find((x: any) => x.name === 'mlserver').env).toBeUndefined();
  });
});
