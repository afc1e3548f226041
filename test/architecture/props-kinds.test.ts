import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as lib from '../../src';

/**
 * Every public construct, called as a JavaScript or Python user may call it (no compiler help): props left out, empty,
 * or of the wrong kind. Each call either works or fails with the library's error, which names the construct; never
 * with a TypeError from deep inside.
 */
const CONSTRUCTS = Object.entries(lib)
  .filter(([name, value]) => typeof value === 'function' && value.prototype instanceof Construct && name !== 'SqlServer' && name !== 'MinioBucket')
  .sort(([a], [b]) => a.localeCompare(b)) as Array<[string, new (scope: Construct, id: string, props?: unknown) => Construct]>;

const WRONG_PROPS: Array<[string, unknown]> = [
  ['no props', undefined],
  ['empty props', {}],
  ['a string as props', 'props'],
  ['strings for every object prop', new Proxy({}, { get: (_target, key) => (typeof key === 'string' && key !== 'then' ? 'a string' : undefined) })],
  ['numbers for every prop', new Proxy({}, { get: (_target, key) => (typeof key === 'string' && key !== 'then' ? 42 : undefined) })],
];

function scopeFor(type: new (...args: any[]) => Construct): Construct {
  // Charts (the multi-cluster pieces) live in an app; the other constructs in a chart with a namespace.
  return type.prototype instanceof Chart ? Testing.app() : new Chart(Testing.app(), 'test', { namespace: 'mlops' });
}

test('the public constructs are found', () => {
  expect(CONSTRUCTS.map(([name]) => name)).toEqual(expect.arrayContaining(['GitSyncAirflow', 'KservePredictor', 'MlopsCore', 'Postgres']));
});

describe.each(CONSTRUCTS)('%s', (_name, type) => {
  test.each(WRONG_PROPS)('%s: works, or fails naming the construct', (_case, props) => {
    let error: unknown;
    try {
      new type(scopeFor(type), 'Bad', props);
    } catch (caught) {
      error = caught;
    }
    if (error !== undefined) {
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('MlopsValidationError');
      expect((error as Error).message).toMatch(new RegExp('^\\w+ \'[^\']*Bad[^\']*\': '));
    }
  });
});
