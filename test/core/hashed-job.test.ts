import { Chart, Lazy, ResolutionContext, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { HashedJob, restrictedContainerSecurity, restrictedPodSecurity } from '../../src';
import { objectsOfKind, synthValid, testChart } from '../util';

function jobWith(command: string[], id = 'Migrate') {
  const chart = testChart();
  const job = new HashedJob(chart, id, {
    securityContext: restrictedPodSecurity({ user: 1000, group: 1000 }),
    containers: [{
      image: 'busybox:1.36',
      command,
      securityContext: restrictedContainerSecurity({ user: 1000, group: 1000 }),
      resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(16), limit: Size.mebibytes(16) } },
    }],
  });
  return { chart, job };
}

function jobName(command: string[], id?: string): string {
  const { chart } = jobWith(command, id);
  return objectsOfKind(synthValid(chart), 'Job')[0].metadata.name;
}

describe('HashedJob', () => {
  test('names the Job after its construct path and a hash of its spec', () => {
    expect(jobName(['migrate'])).toMatch(/^test-migrate-[0-9a-f]{10}$/);
  });

  test('a change to the spec changes the name', () => {
    expect(jobName(['migrate', '--to', '2'])).not.toBe(jobName(['migrate', '--to', '3']));
  });

  test('the same spec keeps its name across synths', () => {
    expect(jobName(['migrate'])).toBe(jobName(['migrate']));
  });

  test('a container added after construction is part of the hash', () => {
    // GIVEN
    const { chart, job } = jobWith(['migrate']);
    const before = objectsOfKind(Testing.synth(chart), 'Job')[0].metadata.name;
    // WHEN
    job.addContainer({ name: 'second', image: 'busybox:1.36' });
    // THEN
    expect(objectsOfKind(Testing.synth(chart), 'Job')[0].metadata.name).not.toBe(before);
  });

  test('long paths are shortened to a valid label', () => {
    const name = jobName(['migrate'], 'A'.repeat(80));
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  test('the hash covers what Lazy values render to', () => {
    const name = (value: string) => jobName(['migrate', Lazy.any({ produce: () => value }) as unknown as string]);
    expect(name('--to=2')).toBe(jobName(['migrate', '--to=2']));
    expect(name('--to=2')).not.toBe(name('--to=3'));
  });

  test("with an app's own resolver, the hash covers what the resolver renders", () => {
    // GIVEN
    const render = (replacement: string) => {
      const app = Testing.app({
        resolvers: [{
          resolve: (context: ResolutionContext) => {
            if (context.value === 'VERSION') {
              context.replaceValue(replacement);
            }
          },
        }],
      });
      const chart = new Chart(app, 'test');
      new HashedJob(chart, 'Migrate', { containers: [{ image: 'busybox:1.36', command: ['migrate', 'VERSION'] }] });
      return Testing.synth(chart).find((o) => o.kind === 'Job');
    };
    // WHEN
    const [two, three] = [render('2'), render('3')];
    // THEN
    expect(two.spec.template.spec.containers[0].command).toEqual(['migrate', '2']);
    expect(two.metadata.name).not.toBe(three.metadata.name);
  });
});
