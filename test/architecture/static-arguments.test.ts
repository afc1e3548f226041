import * as lib from '../../src';

/**
 * Every public static entry point (`ModelSource.fromBucket`, `DagSource.fromGit`, `ServiceEndpoint.fromHost`, ...)
 * called as a JavaScript or Python user may call it: arguments left out, or of the wrong kind. Each call either works
 * or fails with the library's error, which names the entry point; never with a TypeError from deep inside.
 */
const WRONG_ARGUMENTS: unknown[][] = [[], ['a string'], [{}], [42, 'x'], [null]];
const ENTRY_POINTS = Object.entries(lib)
  .filter(([, value]) => typeof value === 'function' && value.prototype)
  .flatMap(([className, type]) => Object.getOwnPropertyNames(type)
    .filter((key) => !['length', 'name', 'prototype'].includes(key) && !key.startsWith('_') && typeof (type as any)[key] === 'function')
    .map((key) => [`${className}.${key}`, (type as any)[key].bind(type)] as [string, (...args: unknown[]) => unknown]))
  // Functions of the package that are not entry points of the jsii API; testing/ stands apart and has its own errors.
  .filter(([name]) => /^[A-Z]/.test(name) && !name.startsWith('ManifestValidator.'))
  .sort(([a], [b]) => a.localeCompare(b));

test('the static entry points are found', () => {
  expect(ENTRY_POINTS.map(([name]) => name)).toEqual(expect.arrayContaining(['ModelSource.fromBucket', 'DagSource.fromGit', 'ServiceEndpoint.fromHost']));
});

describe.each(ENTRY_POINTS)('%s', (_name, entryPoint) => {
  test.each(WRONG_ARGUMENTS.map((args) => [JSON.stringify(args), args]))('(%s): works, or fails with the library\'s error', (_args, args) => {
    let error: unknown;
    try {
      entryPoint(...(args as unknown[]));
    } catch (caught) {
      error = caught;
    }
    if (error !== undefined) {
      expect([(error as Error).name, (error as Error).message]).toEqual(['MlopsValidationError', expect.any(String)]);
    }
  });
});
