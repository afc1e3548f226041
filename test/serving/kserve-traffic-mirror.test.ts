import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ModelFormat, ModelSource } from '../../src/core';
import { KserveDeploymentMode, KservePredictor, KserveTrafficMirror } from '../../src/serving';
import { objectNamed, objectsOfKind, synthValid, testChart } from '../util';

function predictor(chart: Chart, name: string, deploymentMode?: KserveDeploymentMode): KservePredictor {
  return new KservePredictor(chart, name, { name, model: ModelSource.fromUri(`s3://models/${name}`), modelFormat: ModelFormat.SKLEARN, deploymentMode });
}

describe('KserveTrafficMirror', () => {
  test('an Istio VirtualService routes the primary predictor\'s Service to it and mirrors a share to the other', () => {
    // GIVEN
    const chart = testChart('serving');
    const primary = predictor(chart, 'iris-v1');
    const candidate = predictor(chart, 'iris-v2');
    // WHEN
    new KserveTrafficMirror(chart, 'Mirror', { primary, mirror: candidate, mirrorPercent: 25 });
    // THEN
    const [service] = objectsOfKind(synthValid(chart), 'VirtualService');
    expect(service.apiVersion).toBe('networking.istio.io/v1');
    expect(service.spec).toEqual({
      hosts: ['iris-v1-predictor.serving.svc.cluster.local'],
      http: [{
        name: 'mirror',
        route: [{ destination: { host: 'iris-v1-predictor.serving.svc.cluster.local', port: { number: 80 } } }],
        mirror: { host: 'iris-v2-predictor.serving.svc.cluster.local', port: { number: 80 } },
        mirrorPercentage: { value: 25 },
      }],
    });
  });

  test('mirrors everything by default, with the cluster domain given', () => {
    // GIVEN
    const chart = testChart('serving');
    // WHEN
    new KserveTrafficMirror(chart, 'Mirror', { primary: predictor(chart, 'a'), mirror: predictor(chart, 'b'), clusterDomain: 'k8s.internal' });
    // THEN
    const [service] = objectsOfKind(synthValid(chart), 'VirtualService');
    expect(service.spec.http[0].mirrorPercentage).toEqual({ value: 100 });
    expect(service.spec.http[0].mirror.host).toBe('b-predictor.serving.svc.k8s.internal');
  });

  test('allowFrom lets the callers reach both predictors, since the copies leave from them', () => {
    // GIVEN
    const chart = testChart('serving');
    const mirror = new KserveTrafficMirror(chart, 'Mirror', { primary: predictor(chart, 'a'), mirror: predictor(chart, 'b') });
    // WHEN
    mirror.allowFrom(kplus.Pods.select(chart, 'Clients', { labels: { app: 'client' } }));
    // THEN
    const manifests = synthValid(chart);
    for (const name of ['a', 'b']) {
      const policy = objectNamed(manifests, 'NetworkPolicy', `test-${name}-allowfrom-test-clients`);
      expect(policy.spec.podSelector.matchLabels).toEqual({ 'serving.kserve.io/inferenceservice': name });
    }
  });

  test.each([
    ['Serverless predictors', (c: Chart) => ({ primary: predictor(c, 'a', KserveDeploymentMode.SERVERLESS), mirror: predictor(c, 'b') }),
      "predictor 'a' is invalid: it runs in deploymentMode Serverless, where KServe routes through its own Knative and Istio objects; mirror between RawDeployment predictors"],
    ['one predictor', (c: Chart) => { const a = predictor(c, 'a'); return { primary: a, mirror: a }; },
      "mirror is invalid: it is the primary predictor 'a'; mirror to another predictor, e.g. the next model version"],
    ['0 percent', (c: Chart) => ({ primary: predictor(c, 'a'), mirror: predictor(c, 'b'), mirrorPercent: 0 }),
      "mirrorPercent '0' is invalid: must be more than 0 and at most 100"],
    ['over 100 percent', (c: Chart) => ({ primary: predictor(c, 'a'), mirror: predictor(c, 'b'), mirrorPercent: 150 }),
      "mirrorPercent '150' is invalid: must be more than 0 and at most 100"],
  ])('refuses %s', (_what, props, message) => {
    // GIVEN
    const chart = testChart('serving');
    // THEN
    expect(() => new KserveTrafficMirror(chart, 'Mirror', props(chart))).toThrow(`KserveTrafficMirror 'test/Mirror': ${message}`);
  });
});
