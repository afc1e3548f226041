import { ApiObject, Chart, ChartProps, JsonPatch, Size } from 'cdk8s';
import {
  FederatedPrometheus,
  Kafka,
  MinioWithBuckets,
  ModelFormat,
  ModelSource,
  SeldonExperiment,
  SeldonModel,
  SeldonPipeline,
  SeldonRuntime,
  SeldonServer,
  SeldonServerConfig,
  SmokeTests,
} from 'cdk8s-mlops';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * The deployment UI of the platform this library grew out of, as code, on Seldon Core v2.6: deploy a model, deploy a
 * pipeline (input → model A → A's output renamed into B's input → model B → output), and run an A/B experiment.
 *
 * An MLServer server (an image built with the models' scikit-learn) and a Triton server; sklearn models from a MinIO
 * bucket; a two-model pipeline whose data moves through a single-broker Kafka; an A/B experiment 50/50 between two
 * versions of a model; Prometheus scraping the servers, the agents and the pipeline gateway.
 *
 * Needs the Seldon Core v2.6 operator watching all namespaces (README, "Seldon Core v2") and the prometheus-operator.
 */
export class SeldonChart extends Chart {
  public readonly minio: MinioWithBuckets;
  public readonly kafka: Kafka;
  public readonly runtime: SeldonRuntime;
  public readonly iris: SeldonModel;
  public readonly pipeline: SeldonPipeline;
  public readonly experiment: SeldonExperiment;
  public readonly prometheus: FederatedPrometheus;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'seldon', ...props });

    const namespace = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        labels: {
          // The operator renders Seldon's component pods from the SeldonConfig of its install, and the v2.6.0 chart's
          // does not pass `restricted`; with SeldonOperatorConfig's (ClusterPrerequisites emits it), enforce `restricted`.
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/enforce-version': 'v1.28',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
    ApiObject.of(namespace).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    // Nothing reaches the namespace's pods but the flows the constructs allow.
    new kplus.NetworkPolicy(this, 'DenyAllIngress', {
      selector: kplus.Pods.all(this, 'AllPods'),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });

    this.minio = new MinioWithBuckets(this, 'Minio');
    const models = this.minio.addBucket('models', { versioning: true });
    this.kafka = new Kafka(this, 'Kafka');
    this.runtime = new SeldonRuntime(this, 'Seldon', { name: 'seldon', eventBus: this.kafka });

    // The v2.6.0 ServerConfig pins MLServer 1.3.5: this image holds the scikit-learn the models were trained with.
    const mlserver = new SeldonServer(this, 'Mlserver', {
      runtime: this.runtime,
      name: 'mlserver',
      image: 'registry.example.com/ml/mlserver-sklearn:1.7.1',
      replicas: 2,
      resources: { cpu: { request: kplus.Cpu.millis(500) }, memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) } },
    });
    const triton = new SeldonServer(this, 'Triton', { runtime: this.runtime, name: 'triton', serverConfig: SeldonServerConfig.TRITON });

    const sklearn = (modelId: string, name: string, path: string) => new SeldonModel(this, modelId, {
      runtime: this.runtime,
      server: mlserver,
      name,
      model: ModelSource.fromBucket(models, path),
      modelFormat: ModelFormat.SKLEARN,
    });

    // Deploy a model.
    this.iris = sklearn('Iris', 'iris', 'sklearn/iris/v1');
    new SeldonModel(this, 'Resnet', {
      runtime: this.runtime,
      server: triton,
      name: 'resnet',
      model: ModelSource.fromBucket(models, 'onnx/resnet'),
      modelFormat: ModelFormat.ONNX,
      memory: Size.mebibytes(512),
    });

    // Deploy a pipeline: the scaler's output tensor `predict` becomes the classifier's input `input-0`.
    const scaler = sklearn('Scaler', 'iris-scaler', 'sklearn/iris-scaler');
    const classifier = sklearn('Classifier', 'iris-classifier', 'sklearn/iris-classifier');
    this.pipeline = new SeldonPipeline(this, 'IrisPipeline', {
      runtime: this.runtime,
      name: 'iris-pipeline',
      steps: [
        { model: scaler },
        { model: classifier, inputs: ['iris-scaler.outputs'], tensorMap: { 'iris-scaler.outputs.predict': 'input-0' } },
      ],
    });

    // An A/B experiment: half of the calls to `iris` go to its next version.
    const irisV2 = sklearn('IrisV2', 'iris-v2', 'sklearn/iris/v2');
    this.experiment = new SeldonExperiment(this, 'IrisAb', {
      name: 'iris-ab',
      candidates: [{ target: this.iris, weight: 50 }, { target: irisV2, weight: 50 }],
      defaultCandidate: this.iris,
    });

    // The applications of the namespace `apps` call models, the pipeline and the experiment through seldon-mesh.
    this.runtime.allowInferenceFrom(kplus.Namespaces.select(this, 'Apps', { names: ['apps'] }));

    this.prometheus = new FederatedPrometheus(this, 'Prometheus', { clusterName: 'seldon' });
    this.prometheus.addTargets(this.runtime, this.minio);

    // After each sync (Argo CD PostSync hooks), Jobs prove iris answers and Prometheus has every target up.
    const smoke = new SmokeTests(this, 'SmokeTests');
    smoke.checkModel(this.iris);
    smoke.checkPrometheus(this.prometheus);
  }
}
