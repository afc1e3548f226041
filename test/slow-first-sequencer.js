// Jest runs the files it knows to be slow first, from the timings of its last run; a fresh checkout (CI) has none, and
// jest would then start the biggest files first and leave the slowest ones, which mostly wait on other processes
// (npm and cdk8s for a copied starter, database servers, python), for the end. These start first, then jest's order.
const Sequencer = require('@jest/test-sequencer').default;

const SLOW_FIRST = [
  'test/examples/starters.test.ts',
  'test/data/real-servers.test.ts',
  'test/telemetry/retrain-trigger.test.ts',
  'test/docs/doc-blocks.test.ts',
  'test/examples/dist-files.test.ts',
];

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const index = SLOW_FIRST.findIndex((file) => test.path.endsWith(file));
      return index < 0 ? SLOW_FIRST.length : index;
    };
    const sorted = super.sort(tests);
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowFirstSequencer;
