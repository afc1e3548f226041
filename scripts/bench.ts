/**
 * Synth benchmark: prints
 *  (a) the wall time of `npm run synth`, for every example, for quickstart alone (the documented command) and for
 *      full-platform alone (the largest example),
 *  (b) the in-process synth time of the quickstart example against its floor: the same objects serialized by the yaml
 *      library with the options cdk8s uses, which must give byte-identical YAML (checked),
 *  (c) how synth time grows with the number of predictors,
 *  (d) the size of the npm package (after `npx projen compile && npx projen post-compile`).
 * Each figure is the median of several runs after a warm-up; in-process samples start from a collected heap, so that
 * one sample's garbage is not billed to the next. A benchmark, not a test: it fails on nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Chart, Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { QuickstartChart } from '../examples/quickstart/quickstart-chart';
import { KservePredictor, MinioWithBuckets, ModelFormat, ModelSource } from 'cdk8s-mlops';

const root = resolve(__dirname, '..');
/** What cdk8s's `Yaml.stringify` passes to the yaml library (cdk8s/lib/yaml.js). */
const CDK8S_YAML_OPTIONS = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The median of `runs` timed calls of each function, after one warm-up call each; the functions take turns. */
function time(runs: number, ...fns: Array<() => void>): number[] {
  fns.forEach((fn) => fn());
  const samples: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, j) => {
      collectGarbage();
      const start = performance.now();
      fn();
      samples[j].push(performance.now() - start);
    });
  }
  return samples.map(median);
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

function npmRunSynth(...examples: string[]): () => void {
  return () => execFileSync('npm', ['run', '--silent', 'synth', '--', ...examples], { cwd: root, stdio: 'ignore' });
}

const [allExamples, quickstartOnly, fullPlatformOnly] = time(5, npmRunSynth(), npmRunSynth('quickstart'), npmRunSynth('full-platform'));
console.log(`(a) npm run synth, wall time: all examples ${ms(allExamples)}; quickstart alone ${ms(quickstartOnly)}; `
  + `full-platform alone ${ms(fullPlatformOnly)}`);

function buildQuickstart(): App {
  const app = Testing.app();
  new QuickstartChart(app, 'quickstart');
  return app;
}

const objects = buildQuickstart().charts.flatMap((chart) => chart.toJson());
const serialize = (): string => objects.map((o) => stringify(o, CDK8S_YAML_OPTIONS)).join('---\n');
const identical = serialize() === buildQuickstart().synthYaml();
const [synth, floor] = time(30, () => buildQuickstart().synthYaml(), serialize);
console.log(`(b) quickstart in-process synth: ${ms(synth)} for ${objects.length} objects; floor (the same objects `
  + `through yaml.stringify${identical ? ', byte-identical' : ', NOT byte-identical'}): ${ms(floor)}; `
  + `ratio ${(synth / floor).toFixed(2)}x`);

function synthPredictors(count: number): () => void {
  return () => {
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
  };
}

const [ten, hundred, thousand] = time(5, synthPredictors(10), synthPredictors(100), synthPredictors(1000));
console.log(`(c) synth of N predictors: 10: ${ms(ten)}, 100: ${ms(hundred)}, 1000: ${ms(thousand)}; `
  + `1000/100 = ${(thousand / hundred).toFixed(1)}x`);

if (existsSync(resolve(root, 'lib', 'index.js'))) {
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
  console.log(`(d) npm package: ${mb(pack.unpackedSize)} unpacked, ${mb(pack.size)} packed, ${pack.entryCount} files`);
} else {
  console.log('(d) npm package: not measured; compile first (npx projen compile && npx projen post-compile)');
}
