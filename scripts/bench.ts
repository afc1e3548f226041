/**
 * Synth benchmark: prints
 *  (a) the wall time of `npm run synth` (every example, the documented command),
 *  (b) the in-process synth time of the quickstart example against its floor: the same objects serialized with the
 *      yaml library alone,
 *  (c) how synth time grows with the number of predictors.
 * Each figure is the median of several runs after a warm-up. A benchmark, not a test: it fails on nothing.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Chart, Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { QuickstartChart } from '../examples/quickstart/quickstart-chart';
import { KservePredictor, MinioWithBuckets, ModelFormat, ModelSource } from 'cdk8s-mlops';

const root = resolve(__dirname, '..');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(runs: number, fn: () => void): number {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 0)} ms`;
}

function synthAllExamples(): number {
  return time(3, () => execFileSync('npm', ['run', '--silent', 'synth'], { cwd: root, stdio: 'ignore' }));
}

function quickstartInProcess(): { synth: number; floor: number; objects: number } {
  const build = (): App => {
    const app = Testing.app();
    new QuickstartChart(app, 'quickstart');
    return app;
  };
  const objects = build().charts.flatMap((chart) => chart.toJson());
  const synth = time(20, () => build().synthYaml());
  const floor = time(20, () => objects.map((o) => stringify(o)).join('---\n'));
  return { synth, floor, objects: objects.length };
}

const wall = synthAllExamples();
console.log(`(a) npm run synth, all examples, wall time: ${ms(wall)}`);

const quickstart = quickstartInProcess();
console.log(`(b) quickstart in-process synth: ${ms(quickstart.synth)} for ${quickstart.objects} objects; `
  + `floor (yaml.stringify of the same objects): ${ms(quickstart.floor)}; ratio ${(quickstart.synth / quickstart.floor).toFixed(1)}x`);

function predictors(count: number): number {
  return time(3, () => {
    const chart = new Chart(Testing.app(), 'bench', { namespace: 'serving' });
    const models = new MinioWithBuckets(chart, 'Minio', { buckets: ['models'] }).bucket('models');
    for (let i = 0; i < count; i++) {
      new KservePredictor(chart, `Model${i}`, {
        name: `model-${i}`,
        model: ModelSource.fromBucket(models, `sklearn/model-${i}`),
        modelFormat: ModelFormat.SKLEARN,
      });
    }
    chart.toJson();
  });
}

const scaling = [10, 100, 1000].map((count) => ({ count, ms: predictors(count) }));
console.log(`(c) synth of N predictors: ${scaling.map((s) => `${s.count}: ${ms(s.ms)}`).join(', ')}; `
  + `1000/100 = ${(scaling[2].ms / scaling[1].ms).toFixed(1)}x`);
