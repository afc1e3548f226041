import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parse } from 'yaml';
import { DefaultImages, ImageRegistry, JobSubmission, ModelFormat, ModelSource } from '../../src';
import { ManifestValidator } from '../../src/testing';
import { containersOf, podTemplatesIn } from '../../src/testing/pod-specs';
import { taskPod } from '../orchestration/fixtures';
import { objectsOfKind, testChart } from '../util';
import { NAMESPACE, platform } from './mlops-core-fixtures';

const MIRROR = 'harbor.example.com/mirror';
const PULL_SECRET = 'registry-credentials';

describe('MlopsCore registry', () => {
  let manifests: any[];
  let pod: any;
  beforeAll(() => {
    const chart = testChart(NAMESPACE);
    const core = platform({
      registry: ImageRegistry.of({ mirrorPrefix: MIRROR, pullSecrets: [kplus.Secret.fromSecretName(chart, 'Pull', PULL_SECRET)] }),
      sharedVolume: { server: 'nfs.example.com', path: '/exports/mlops' },
    }, chart);
    core.addPredictor('Iris', { name: 'iris', model: ModelSource.fromBucket(core.modelsBucket, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
    core.addPyTorchDdpJob('Mnist', { name: 'mnist', image: `${MIRROR}/docker.io/pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime`, script: '/workspace/train.py' });
    core.addSparkJob('Etl', { name: 'etl', operatorJobNamespaces: [NAMESPACE], mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py' });
    manifests = Testing.synth(chart);
    pod = taskPod(manifests);
    const findings = new ManifestValidator({ externalObjects: [{ kind: 'Secret', name: PULL_SECRET, namespace: NAMESPACE }] })
      .validateManifests([...manifests, pod]);
    expect(ManifestValidator.format(findings)).toBe('');
  });

  test('every default image is pulled from the mirror, wherever it is written', () => {
    const text = JSON.stringify([...manifests, pod]);
    const defaults = Object.values(DefaultImages).filter((value) => typeof value === 'string') as string[];
    const left = defaults.filter((image) => text.split(image).length - 1 > text.split(`${MIRROR}/${image}`).length - 1);
    expect(left).toEqual([]);
    const images = [...podTemplatesIn([...manifests, pod]).flatMap((p) => containersOf(p).map((c) => c.container.image)),
      ...objectsOfKind(manifests, 'Prometheus').map((p) => p.spec.image), objectsOfKind(manifests, 'SparkApplication')[0].spec.image];
    expect(images.filter((image) => image !== undefined && !image.startsWith(`${MIRROR}/`))).toEqual([]);
    expect(images).toContain(`${MIRROR}/${DefaultImages.POSTGRES}`);
    expect(objectsOfKind(manifests, 'SparkApplication')[0].spec.image).toBe(`${MIRROR}/${DefaultImages.SPARK}`);
  });

  test('every pod pulls with the registry Secret: workloads, task pods, and the pods of custom resources', () => {
    const withoutSecret = podTemplatesIn([...manifests, pod])
      .filter((p) => !(p.spec.imagePullSecrets ?? []).some((s: any) => s.name === PULL_SECRET))
      .map((p) => `${p.owner.kind} ${p.owner.metadata.name ?? p.owner.metadata.generateName}`);
    expect(withoutSecret).toEqual([]);
    expect(podTemplatesIn([...manifests, pod]).length).toBeGreaterThan(15);
    const named = [{ name: PULL_SECRET }];
    expect(objectsOfKind(manifests, 'Prometheus')[0].spec.imagePullSecrets).toEqual(named);
    expect(objectsOfKind(manifests, 'InferenceService')[0].spec.predictor.imagePullSecrets).toEqual(named);
    expect(objectsOfKind(manifests, 'SparkApplication')[0].spec.imagePullSecrets).toEqual([PULL_SECRET]);
    expect(objectsOfKind(manifests, 'PyTorchJob')[0].spec.pytorchReplicaSpecs.Master.template.spec.imagePullSecrets).toEqual(named);
  });

  test('a training job rendered as a template for DAGs pulls with the registry Secret too', () => {
    const chart = testChart(NAMESPACE);
    const core = platform({ registry: ImageRegistry.of({ pullSecrets: [kplus.Secret.fromSecretName(chart, 'Pull', PULL_SECRET)] }) }, chart);
    core.addPyTorchDdpJob('Mnist', {
      name: 'mnist', image: 'registry.example.com/ml/mnist:1.0', script: '/workspace/train.py', submission: JobSubmission.TEMPLATE,
    });
    const template = parse(objectsOfKind(Testing.synth(chart), 'ConfigMap').find((c) => c.data?.['template.yaml']).data['template.yaml']);
    expect(template.spec.pytorchReplicaSpecs.Master.template.spec.imagePullSecrets).toEqual([{ name: PULL_SECRET }]);
  });

  test('refuses a registry that is not an ImageRegistry', () => {
    expect(() => platform({ registry: 'harbor.example.com' as any })).toThrow(
      "MlopsCore 'test/Platform': props.registry is invalid: expected an ImageRegistry, got a string (\"harbor.example.com\"); "
      + "give e.g. ImageRegistry.of({ mirrorPrefix: 'harbor.example.com/mirror' })");
  });
});
