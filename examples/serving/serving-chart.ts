import { ApiObject, Chart, ChartProps, JsonPatch } from 'cdk8s';
import {
  InferenceGraphStep,
  InferenceRouterType,
  KserveDeploymentMode,
  KserveInferenceGraph,
  KservePredictor,
  KserveTrafficMirror,
  MinioWithBuckets,
  ModelFormat,
  ModelSource,
  ProtocolVersion,
  SmokeTests,
} from 'cdk8s-mlops';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * Models served by KServe from a MinIO bucket: an sklearn model with a canary of its next version, an A/B test
 * behind an inference graph, shadow traffic to a candidate model, and an ONNX model under Triton.
 *
 * Needs KServe 0.14 (RawDeployment), Knative Serving for the canary (Serverless), and Istio for the mirror.
 */
export class ServingChart extends Chart {
  public readonly minio: MinioWithBuckets;
  public readonly iris: KservePredictor;
  public readonly graph: KserveInferenceGraph;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'serving', ...props });

    const namespace = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        labels: {
          // KServe injects its storage initializer without a securityContext, which `restricted` refuses; see README.
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/enforce-version': 'v1.28',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
    ApiObject.of(namespace).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    // Nothing reaches the namespace's pods but the flows allowed below (and those the constructs allow themselves).
    new kplus.NetworkPolicy(this, 'DenyAllIngress', {
      selector: kplus.Pods.all(this, 'AllPods'),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    // Inference requests come through the Istio ingress gateway (which also sends the mirrored copies) and, for the
    // Serverless canary, through Knative's activator.
    const gateway = kplus.Namespaces.select(this, 'IstioSystem', { names: ['istio-system'] });
    const knative = kplus.Namespaces.select(this, 'KnativeServing', { names: ['knative-serving'] });

    this.minio = new MinioWithBuckets(this, 'Minio');
    const models = this.minio.addBucket('models', { versioning: true });

    // The production model, and its next version as a Knative canary taking 10% of the traffic.
    this.iris = new KservePredictor(this, 'Iris', {
      name: 'iris',
      model: ModelSource.fromBucket(models, 'sklearn/iris/v1'),
      modelFormat: ModelFormat.SKLEARN,
    });
    this.iris.allowFrom(gateway);
    const canary = new KservePredictor(this, 'IrisCanary', {
      name: 'iris-canary',
      model: ModelSource.fromBucket(models, 'sklearn/iris/v2'),
      modelFormat: ModelFormat.SKLEARN,
      deploymentMode: KserveDeploymentMode.SERVERLESS,
      canaryTrafficPercent: 10,
    });
    canary.allowFrom(knative);

    // Preprocessing, then an A/B split between two candidate models.
    const preprocess = new KservePredictor(this, 'Preprocess', {
      name: 'iris-preprocess',
      model: ModelSource.fromBucket(models, 'sklearn/iris-preprocess'),
      modelFormat: ModelFormat.SKLEARN,
    });
    const modelA = new KservePredictor(this, 'IrisA', {
      name: 'iris-a',
      model: ModelSource.fromBucket(models, 'sklearn/iris-a'),
      modelFormat: ModelFormat.SKLEARN,
      protocolVersion: ProtocolVersion.V2,
    });
    const modelB = new KservePredictor(this, 'IrisB', {
      name: 'iris-b',
      model: ModelSource.fromBucket(models, 'sklearn/iris-b'),
      modelFormat: ModelFormat.SKLEARN,
      protocolVersion: ProtocolVersion.V2,
    });
    this.graph = new KserveInferenceGraph(this, 'IrisAb', {
      name: 'iris-ab',
      nodes: {
        root: {
          routerType: InferenceRouterType.SEQUENCE,
          steps: [
            InferenceGraphStep.toPredictor(preprocess, { name: 'preprocess' }),
            InferenceGraphStep.toNode('ab', { name: 'classify', data: '$response' }),
          ],
        },
        ab: {
          routerType: InferenceRouterType.SPLITTER,
          steps: [
            InferenceGraphStep.toPredictor(modelA, { name: 'a', weight: 80 }),
            InferenceGraphStep.toPredictor(modelB, { name: 'b', weight: 20 }),
          ],
        },
      },
    });

    // Shadow traffic: half of the calls to iris-a are copied to iris-b, whose answers are dropped.
    new KserveTrafficMirror(this, 'IrisMirror', { primary: modelA, mirror: modelB, mirrorPercent: 50 }).allowFrom(gateway);
    this.graph.allowFrom(gateway);

    // An ONNX model under Triton: the storage URI is the model repository, <repo>/resnet/1/model.onnx.
    const resnet = new KservePredictor(this, 'Resnet', {
      name: 'resnet',
      model: ModelSource.fromBucket(models, 'triton'),
      modelFormat: ModelFormat.ONNX,
      runtime: 'kserve-tritonserver',
      protocolVersion: ProtocolVersion.V2,
    });
    resnet.allowFrom(gateway);

    // After each sync (Argo CD PostSync hooks), Jobs prove the models answer: iris with one inference, resnet ready.
    const smoke = new SmokeTests(this, 'SmokeTests');
    smoke.checkModel(this.iris, { inferenceRequest: '{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4]]}]}' });
    smoke.checkModel(resnet);
  }
}
