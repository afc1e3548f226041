import { App, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { expectNoSecretValues, synthYamlOf } from './example-checks';
import { TrainingChart } from '../../examples/training/training-chart';
import { taskPod } from '../orchestration/fixtures';
import { objectsOfKind, validManifests } from '../util';

/** The chart's objects, the pod Airflow launches for each task, and the jobs a DAG submits from the templates. */
function synth(): { chart: TrainingChart; manifests: any[]; pod: any; templates: any[] } {
  const chart = new TrainingChart(Testing.app(), 'training');
  const manifests = Testing.synth(chart);
  const pod = taskPod(manifests);
  const templates = objectsOfKind(manifests, 'ConfigMap').filter((c) => c.data?.['template.yaml']).map((c) => {
    const object = parse(c.data['template.yaml']);
    return { ...object, metadata: { ...object.metadata, name: `${object.metadata.generateName}q4x9z` } };
  });
  validManifests([...manifests, pod, ...templates]);
  return { chart, manifests, pod, templates };
}

describe('examples/training', () => {
  let result: ReturnType<typeof synth>;
  beforeAll(() => {
    result = synth();
  });

  test('every object passes the validation harness, with the task pod and the jobs submitted from the templates', () => {
    expect(result.manifests.length).toBeGreaterThan(0);
  });

  test('a PyTorch DDP job and a Spark job run on apply; one of each is a template', () => {
    const { manifests, templates } = result;
    expect(objectsOfKind(manifests, 'PyTorchJob').map((j) => j.metadata.name)).toEqual([expect.stringMatching(/^mnist-ddp-[0-9a-f]{10}$/)]);
    expect(objectsOfKind(manifests, 'SparkApplication').map((j) => j.metadata.name)).toEqual([expect.stringMatching(/^features-[0-9a-f]{10}$/)]);
    expect(templates.map((t) => [t.kind, t.metadata.generateName])).toEqual([['PyTorchJob', 'mnist-ddp-run-'], ['SparkApplication', 'features-run-']]);
    const [ddp] = objectsOfKind(manifests, 'PyTorchJob');
    expect(ddp.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
  });

  test('every task pod mounts the NFS share at /shared and the templates under /opt/airflow/training', () => {
    const { pod, chart } = result;
    const mounts = Object.fromEntries(pod.spec.containers[0].volumeMounts.map((m: any) => [m.mountPath, m.name]));
    const volumes = Object.fromEntries(pod.spec.volumes.map((v: any) => [v.name, v]));
    expect(volumes[mounts['/shared']].persistentVolumeClaim.claimName).toBe(chart.platform.sharedVolume!.claim.name);
    expect(volumes[mounts['/opt/airflow/training/mnist-ddp-run']].configMap.name).toBe(chart.ddpTemplate.template!.name);
    expect(volumes[mounts['/opt/airflow/training/features-run']].configMap.name).toBe(chart.featuresTemplate.template!.name);
  });

  test('the trainer may submit training jobs and the deployer may deploy models, and no other task gets their rights', () => {
    const { manifests } = result;
    const resourcesOf = (account: string) => objectsOfKind(manifests, 'RoleBinding')
      .filter((b) => b.subjects.some((s: any) => s.name === account))
      .flatMap((b) => objectsOfKind(manifests, 'Role').find((r) => r.metadata.name === b.roleRef.name)!.rules.flatMap((r: any) => r.resources));
    expect(resourcesOf('airflow-trainer')).toEqual(expect.arrayContaining(['pytorchjobs', 'sparkapplications']));
    expect(resourcesOf('airflow-deployer')).toEqual(['inferenceservices', 'inferencegraphs', 'virtualservices']);
    const taskAccount = objectsOfKind(manifests, 'ServiceAccount').find((a) => a.metadata.name.includes('airflow-taskserviceaccount'));
    expect(resourcesOf(taskAccount.metadata.name)).toEqual([]);
  });

  test('no secret value is synthesized', () => {
    expectNoSecretValues(result.manifests);
  });

  test('synthesizes byte-identical YAML every time', () => {
    const build = (app: App) => new TrainingChart(app, 'training');
    expect(synthYamlOf(build)).toBe(synthYamlOf(build));
  });
});
