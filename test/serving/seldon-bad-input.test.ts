import { Chart, Testing } from 'cdk8s';
import { SeldonPlatform, seldonPlatform, sklearnModel } from './seldon-fixtures';
import { ModelFormat } from '../../src/core/model-format';
import { ModelSource } from '../../src/core/model-source';
import { SeldonExperiment } from '../../src/serving/seldon-experiment';
import { SeldonModel } from '../../src/serving/seldon-model';
import { SeldonPipeline } from '../../src/serving/seldon-pipeline';
import { SeldonRuntime } from '../../src/serving/seldon-runtime';
import { SeldonServer } from '../../src/serving/seldon-server';
import { SeldonServerConfig } from '../../src/serving/seldon-server-config';

/** Two sklearn models on the MLServer server, `a` and `b`. */
function twoModels(): SeldonPlatform & { a: SeldonModel; b: SeldonModel } {
  const platform = seldonPlatform();
  return { ...platform, a: sklearnModel(platform, 'a'), b: sklearnModel(platform, 'b') };
}

const CASES: Array<[string, () => unknown, string]> = [
  ['experiment weights that add up to 90', () => {
    const { chart, a, b } = twoModels();
    return new SeldonExperiment(chart, 'Ab', { candidates: [{ target: a, weight: 60 }, { target: b, weight: 30 }] });
  }, "SeldonExperiment 'test/Ab': candidate weights are invalid: they add up to 90, and this library's rule (as the deployment UI it reproduces) "
    + 'is that they add up to 100, each a percentage of the traffic (Seldon alone would split by weight / sum); give weights that add up to 100, e.g. 50 and 50'],

  ['a pipeline step reading an unknown model', () => {
    const { chart, runtime, a, b } = twoModels();
    return new SeldonPipeline(chart, 'P', { runtime, name: 'p', steps: [{ model: a }, { model: b, inputs: ['preprocess.outputs'] }] });
  }, "SeldonPipeline 'test/P': step 'b' input 'preprocess.outputs' is invalid: it names step 'preprocess', which is not a step of pipeline 'p' "
    + '(its steps: a, b); add a step with that model, or fix the name'],

  ['pipeline steps in a cycle', () => {
    const { chart, runtime, a, b } = twoModels();
    return new SeldonPipeline(chart, 'P', { runtime, name: 'p', steps: [{ model: a, inputs: ['b'] }, { model: b, inputs: ['a.outputs'] }] });
  }, "SeldonPipeline 'test/P': steps are invalid: they read each other in a cycle, a → b → a, which Seldon refuses; break it, e.g. by having the first "
    + "of them read the pipeline's inputs"],

  ['a duplicate pipeline step', () => {
    const { chart, runtime, a } = twoModels();
    return new SeldonPipeline(chart, 'P', { runtime, name: 'p', steps: [{ model: a }, { model: a, inputs: ['a'] }] });
  }, "SeldonPipeline 'test/P': step 'a' is invalid: the pipeline has it twice, and Seldon names a step after its model; call each model once, and read "
    + 'its outputs in every step that needs them'],

  ['a tensorMap key that is not <step>.outputs.<tensor> of an input', () => {
    const { chart, runtime, a, b } = twoModels();
    return new SeldonPipeline(chart, 'P', { runtime, name: 'p', steps: [{ model: a }, { model: b, inputs: ['a'], tensorMap: { 'a.output-0': 'predict' } }] });
  }, "SeldonPipeline 'test/P': step 'b' tensorMap key 'a.output-0' is invalid: must be <step>.outputs.<tensor> (or <step>.inputs.<tensor>) of 'a', "
    + "which it reads, e.g. 'a.outputs.output-0'"],

  ['a pipeline on a runtime without Kafka', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'mlops' });
    const runtime = new SeldonRuntime(chart, 'Seldon');
    const model = new SeldonModel(chart, 'A', { runtime, name: 'a', model: ModelSource.fromUri('gs://models/a'), modelFormat: ModelFormat.SKLEARN });
    return new SeldonPipeline(chart, 'P', { runtime, steps: [{ model }] });
  }, "SeldonPipeline 'test/P': runtime 'test/Seldon' is invalid for a pipeline: it has no eventBus, and Seldon pipelines move their data through Kafka; "
    + "give the runtime eventBus: new Kafka(this, 'Kafka'), or Kafka.fromBootstrapServers([...])"],

  ['a Triton model without an ONNX, TensorRT, ... format', () => {
    const platform = seldonPlatform();
    return sklearnModel(platform, 'iris', { server: platform.triton });
  }, "SeldonModel 'test/iris': requirements 'sklearn' are invalid on server 'triton': its capabilities are triton, dali, fil, onnx, openvino, python, "
    + 'pytorch, tensorflow, tensorrt, so Seldon would never load the model; pick a server that lists them (sklearn, xgboost, lightgbm, mlflow on '
    + 'SeldonServerConfig.MLSERVER; onnx, pytorch, tensorflow, tensorrt on SeldonServerConfig.TRITON), or give the server extraCapabilities if its image serves them'],

  ['a model on a server that lacks its capability', () => {
    const platform = seldonPlatform();
    return sklearnModel(platform, 'iris', { extraRequirements: ['gpu'] });
  }, "SeldonModel 'test/iris': requirements 'gpu' are invalid on server 'mlserver': its capabilities are mlserver, alibi-detect, alibi-explain, "
    + 'huggingface, lightgbm, mlflow, python, sklearn, spark-mlib, xgboost, so Seldon would never load the model; pick a server that lists them '
    + '(sklearn, xgboost, lightgbm, mlflow on SeldonServerConfig.MLSERVER; onnx, pytorch, tensorflow, tensorrt on SeldonServerConfig.TRITON), '
    + 'or give the server extraCapabilities if its image serves them'],

  ['model replicas min > max', () => sklearnModel(seldonPlatform(), 'iris', { minReplicas: 3, maxReplicas: 2 }),
    "SeldonModel 'test/iris': minReplicas '3' is invalid: it is more than maxReplicas '2'; give a minReplicas no larger than maxReplicas, e.g. minReplicas 1 and maxReplicas 3"],

  ['server replicas outside min and max', () => {
    const { chart, runtime } = seldonPlatform();
    return new SeldonServer(chart, 'Big', { runtime, replicas: 5, minReplicas: 1, maxReplicas: 4 });
  }, "SeldonServer 'test/Big': replicas '5' is invalid: it is outside minReplicas '1' to maxReplicas '4'; give a replica count within them, or leave replicas out"],

  ['an experiment default that is not a candidate', () => {
    const platform = twoModels();
    const c = sklearnModel(platform, 'c');
    return new SeldonExperiment(platform.chart, 'Ab', { candidates: [{ target: platform.a, weight: 50 }, { target: platform.b, weight: 50 }], defaultCandidate: c });
  }, "SeldonExperiment 'test/Ab': defaultCandidate 'c' is invalid: it is not one of the candidates (a, b), which Seldon refuses; give one of them, or add it as a candidate"],

  ['an experiment candidate twice', () => {
    const { chart, a } = twoModels();
    return new SeldonExperiment(chart, 'Ab', { candidates: [{ target: a, weight: 50 }, { target: a, weight: 50 }] });
  }, "SeldonExperiment 'test/Ab': candidate 'a' is invalid: it is a candidate twice, which Seldon refuses; give each model or pipeline once, with the sum of the weights you meant"],

  ['a mirror that is a candidate too', () => {
    const { chart, a, b } = twoModels();
    return new SeldonExperiment(chart, 'Ab', { candidates: [{ target: a, weight: 50 }, { target: b, weight: 50 }], mirror: { target: b, percent: 10 } });
  }, "SeldonExperiment 'test/Ab': mirror 'b' is invalid: it is a candidate too, which Seldon refuses; mirror to a model or pipeline that gets no share of the traffic"],

  ['a second experiment on the same default', () => {
    const { chart, a, b } = twoModels();
    new SeldonExperiment(chart, 'Ab', { name: 'ab', candidates: [{ target: a, weight: 50 }, { target: b, weight: 50 }], defaultCandidate: a });
    return new SeldonExperiment(chart, 'Ab2', { name: 'ab2', candidates: [{ target: a, weight: 90 }, { target: b, weight: 10 }], defaultCandidate: a });
  }, "SeldonExperiment 'test/Ab2': defaultCandidate 'a' is invalid: experiment 'ab' has it as its default already, and Seldon runs one experiment per "
    + "default model; end that experiment first, or leave defaultCandidate out and call 'ab2.experiment'"],

  ['models and pipelines in one experiment', () => {
    const { chart, runtime, a, b } = twoModels();
    const pipeline = new SeldonPipeline(chart, 'P', { runtime, name: 'p', steps: [{ model: b }] });
    return new SeldonExperiment(chart, 'Ab', { candidates: [{ target: a, weight: 50 }, { target: pipeline, weight: 50 }] });
  }, "SeldonExperiment 'test/Ab': candidate 'p' is invalid: it is a pipeline and 'a' a model; an experiment routes between models or between pipelines (resourceType), not both"],

  ['capabilities and extraCapabilities together', () => {
    const { chart, runtime } = seldonPlatform();
    return new SeldonServer(chart, 'Both', { runtime, capabilities: ['sklearn'], extraCapabilities: ['gpu'] });
  }, "SeldonServer 'test/Both': capabilities and extraCapabilities are invalid together: Seldon ignores extraCapabilities when capabilities replaces the "
    + "ServerConfig's list; give the whole list in capabilities, or only the additions in extraCapabilities"],

  ['a model from a PersistentVolumeClaim', () => {
    const { chart, runtime } = seldonPlatform();
    return new SeldonModel(chart, 'Iris', { runtime, model: ModelSource.fromUri('pvc://models/iris'), modelFormat: ModelFormat.SKLEARN });
  }, "SeldonModel 'test/Iris': storageUri 'pvc://models/iris' is invalid: Seldon's agent downloads models with rclone, from a URI whose scheme names an "
    + "rclone remote (e.g. 's3://', 'gs://'), and has no pvc://; use ModelSource.fromBucket() or ModelSource.fromUri()"],

  ['a model name with a dot', () => sklearnModel(seldonPlatform(), 'iris.v2'),
    "SeldonModel 'test/iris.v2': name 'iris.v2' is invalid: must contain only lowercase letters, digits and '-'; give e.g. 'iris'"],

  ['a ServerConfig of your own without its server container\'s name', () => SeldonServerConfig.of('mlserver-gpu', ['sklearn'], 'agent'),
    "SeldonServerConfig.of: serverContainer 'agent' is invalid: it is one of Seldon's own containers; give the name of the model server's container, e.g. 'mlserver'"],
];

describe('Seldon bad input', () => {
  test.each(CASES)('%s', (_case, build, message) => {
    let error: Error | undefined;
    try {
      build();
    } catch (caught) {
      error = caught as Error;
    }
    expect(error?.name).toBe('MlopsValidationError');
    expect(error?.message).toBe(message);
  });
});
