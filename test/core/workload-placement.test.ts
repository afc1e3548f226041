import { Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { HashedJob, RestrictedSecurity, SpreadPolicy, WorkloadPlacement } from '../../src';
import { objectsOfKind, podSpec, synthValid, testChart } from '../util';

const RUN_AS = { user: 1000, group: 1000 };
const GPU_NODES = {
  nodeSelector: { 'nvidia.com/gpu.present': 'true' },
  tolerations: [kplus.NodeTaintQuery.exists('nvidia.com/gpu', { effect: kplus.TaintEffect.NO_SCHEDULE })],
  nodeAffinity: [kplus.NodeLabelQuery.in('topology.kubernetes.io/zone', ['eu-1a', 'eu-1b'])],
  topologySpread: [{ topologyKey: 'kubernetes.io/hostname' }],
  priorityClassName: 'ml-training',
  imagePullSecrets: ['registry-credentials'],
};
const PULL_SECRET = { kind: 'Secret', name: 'registry-credentials' };

function restrictedContainer(name: string): kplus.ContainerProps {
  return {
    name,
    image: 'registry.example.com/app:1.0',
    securityContext: RestrictedSecurity.containerProps(RUN_AS),
    resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) } },
  };
}

describe('WorkloadPlacement', () => {
  test('places every kind of workload: node selector, tolerations, node affinity, spread, priority, pull secrets', () => {
    // GIVEN
    const chart = testChart('ml');
    const placement = WorkloadPlacement.of(GPU_NODES);
    const props = { securityContext: RestrictedSecurity.podProps(RUN_AS), containers: [restrictedContainer('app')] };
    const deployment = new kplus.Deployment(chart, 'Deployment', props);
    const statefulSet = new kplus.StatefulSet(chart, 'StatefulSet', {
      ...props, service: new kplus.Service(chart, 'Service', { ports: [{ port: 80 }] }),
    });
    const cronJob = new kplus.CronJob(chart, 'CronJob', { ...props, schedule: Cron.daily() });

    // WHEN
    for (const workload of [deployment, statefulSet, cronJob]) {
      placement.applyTo(workload);
    }

    // THEN
    const manifests = synthValid(chart, [PULL_SECRET, { kind: 'PriorityClass', name: 'ml-training' }]);
    const workloads = ['Deployment', 'StatefulSet', 'CronJob'].map((kind) => objectsOfKind(manifests, kind)[0]);
    for (const workload of workloads) {
      const spec = podSpec(workload);
      expect(spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
      expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
      expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
        { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-1a', 'eu-1b'] }] },
      ]);
      expect(spec.priorityClassName).toBe('ml-training');
      expect(spec.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
      const selector = workload.kind === 'CronJob' ? workload.spec.jobTemplate.spec.template.metadata.labels : workload.spec.selector.matchLabels;
      expect(spec.topologySpreadConstraints).toEqual([{
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: expect.objectContaining(workload.kind === 'CronJob' ? {} : selector) },
      }]);
    }
  });

  test('is part of a hash-named Job\'s name: another placement is another Job', () => {
    // GIVEN
    const names = [undefined, { nodeSelector: { pool: 'a' } }, { nodeSelector: { pool: 'b' } }].map((options) => {
      const chart = testChart('ml');
      const job = new HashedJob(chart, 'Setup', { securityContext: RestrictedSecurity.podProps(RUN_AS), containers: [restrictedContainer('setup')] });
      // WHEN
      if (options) WorkloadPlacement.of(options).applyTo(job);
      const [manifest] = Testing.synth(chart);
      return [manifest.metadata.name, podSpec(manifest).nodeSelector];
    });

    // THEN
    expect(new Set(names.map(([name]) => name)).size).toBe(3);
    expect(names.map(([, selector]) => selector)).toEqual([undefined, { pool: 'a' }, { pool: 'b' }]);
  });

  test('gives the same fields to a pod spec inside a custom resource', () => {
    // WHEN
    const fields = WorkloadPlacement.of({ ...GPU_NODES, topologySpread: [{ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 2, whenUnsatisfiable: SpreadPolicy.DO_NOT_SCHEDULE }] })
      .podSpecFields(testChart('ml'), { app: 'iris' });

    // THEN
    expect(fields).toEqual({
      nodeSelector: { 'nvidia.com/gpu.present': 'true' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-1a', 'eu-1b'] }] }] } } },
      topologySpreadConstraints: [{ maxSkew: 2, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'iris' } } }],
      priorityClassName: 'ml-training',
      imagePullSecrets: [{ name: 'registry-credentials' }],
    });
  });

  test('an empty placement changes nothing', () => {
    const chart = testChart('ml');
    const deployment = new kplus.Deployment(chart, 'Deployment', { securityContext: RestrictedSecurity.podProps(RUN_AS), containers: [restrictedContainer('app')] });
    WorkloadPlacement.of({}).applyTo(deployment);
    const spec = podSpec(synthValid(chart)[0]);
    expect(Object.keys(spec).filter((key) => ['nodeSelector', 'tolerations', 'affinity', 'priorityClassName', 'imagePullSecrets', 'topologySpreadConstraints'].includes(key))).toEqual([]);
  });

  test.each([
    [{ nodeSelector: { 'bad key!': 'x' } }, "placement.nodeSelector key 'bad key!' is invalid"],
    [{ nodeSelector: { pool: 'not a value' } }, "placement.nodeSelector value 'not a value' of 'pool' is invalid"],
    [{ priorityClassName: 'High_Priority' }, "placement.priorityClassName 'High_Priority' is invalid: must be lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit; give the name of a PriorityClass of the cluster"],
    [{ imagePullSecrets: [''] }, "placement.imagePullSecrets '' is invalid: must not be empty; give the name of an existing Secret"],
    [{ topologySpread: [{ topologyKey: 'zone', maxSkew: 0 }] }, "placement.topologySpread maxSkew '0' is invalid: must be a whole number, 1 or more"],
    [{ tolerations: [kplus.NodeTaintQuery.exists('nvidia.com/gpu type')] }, "placement.tolerations key 'nvidia.com/gpu type' is invalid"],
    [{ nodeAffinity: [kplus.NodeLabelQuery.in('zone!', ['a'])] }, "placement.nodeAffinity key 'zone!' is invalid"],
    [{ nodeAffinity: [kplus.NodeLabelQuery.in('topology.kubernetes.io/zone', ['eu 1a'])] }, "placement.nodeAffinity value 'eu 1a' of 'topology.kubernetes.io/zone' is invalid"],
  ])('bad input %j names the workload and the value', (options, message) => {
    const chart = testChart('ml');
    const deployment = new kplus.Deployment(chart, 'Deployment', { containers: [restrictedContainer('app')] });
    expect(() => WorkloadPlacement.of(options).applyTo(deployment)).toThrow(`Deployment 'test/Deployment': ${message}`);
  });
});
