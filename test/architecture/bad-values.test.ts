import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { CONSTRUCT_BASELINES, EntryPoint, EntryPointCall, METHOD_BASELINES, scopeOf } from './construct-baselines';
import * as lib from '../../src';
import { onPropsCheck, PropKind, PropsCheck } from '../../src/core/props-check';

/**
 * Every public entry point, given each plausible mistake of each kind of prop it takes: the kinds are read from the
 * entry point's own `checkProps` specs (a new prop of a known kind is covered without a test of its own), the mistakes
 * from the kinds (`src/core/prop-kinds.ts`). Each must fail with the library's error, naming the construct (or the
 * entry point), the prop, the value and a fix.
 */

const PUBLIC_CONSTRUCTS = Object.entries(lib)
  .filter(([name, value]) => typeof value === 'function' && value.prototype instanceof Construct && name !== 'SqlServer' && name !== 'MinioBucket')
  .map(([name]) => name)
  .sort();

const ENTRY_POINTS: Array<[string, EntryPoint]> = [...Object.entries(CONSTRUCT_BASELINES), ...Object.entries(METHOD_BASELINES)];

/** Where `target` sits in `root` (plain objects and arrays only), as a path of keys. */
function pathTo(root: unknown, target: unknown, depth = 4): Array<string | number> | undefined {
  if (root === target) return [];
  if (depth === 0 || typeof root !== 'object' || root === null) return undefined;
  if (!Array.isArray(root) && Object.getPrototypeOf(root) !== Object.prototype) return undefined;
  for (const [key, value] of Object.entries(root)) {
    const found = pathTo(value, target, depth - 1);
    if (found) return [Array.isArray(root) ? Number(key) : key, ...found];
  }
  return undefined;
}

/** `root` with `value` at `path`, copying the plain objects and arrays on the way. */
function withValueAt(root: any, path: Array<string | number>, value: unknown): any {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  const copy = Array.isArray(root) ? [...root] : { ...(root ?? {}) };
  (copy as any)[key] = withValueAt(root?.[key], rest, value);
  return copy;
}

interface CheckedProp {
  /** Path of the prop in the call's arguments. */
  readonly path: Array<string | number>;
  readonly name: string;
  readonly kind: PropKind;
  readonly required: boolean;
}

/** Runs the baseline call, returning the props its checks saw in its own arguments. */
function discover(entry: EntryPoint): CheckedProp[] {
  const checks: PropsCheck[] = [];
  const stop = onPropsCheck((check) => checks.push(check));
  let call: EntryPointCall;
  try {
    call = entry.make(scopeOf(entry));
    call.run(call.args);
  } catch {
    return []; // the baseline's own test reports it
  } finally {
    stop();
  }
  const found = new Map<string, CheckedProp>();
  for (const check of checks) {
    const where = pathTo(call.args, check.props);
    if (where === undefined) continue;
    for (const [kinds, required] of [[check.required, true], [check.optional, false]] as const) {
      for (const [name, kind] of Object.entries(kinds)) {
        const path = [...where, name];
        found.set(JSON.stringify(path), { path, name, kind, required });
      }
    }
  }
  return [...found.values()];
}

function callWith(entry: EntryPoint, change: (call: EntryPointCall) => unknown[]): unknown {
  const call = entry.make(scopeOf(entry));
  try {
    call.run(change(call));
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The ways a message may render a string value: as given, or with control characters escaped. */
function renderings(shown: string): string[] {
  return [shown, JSON.stringify(shown).slice(1, -1)];
}

const SCOPE = /^(\w+ '[^']*'|[A-Z]\w*(\.\w+)?): /;
const FIX = /e\.g\.|\bgive\b|\bremove\b|\bleave it out\b|\buse\b/;

test('every public construct has a baseline', () => {
  expect(PUBLIC_CONSTRUCTS.filter((name) => !(name in CONSTRUCT_BASELINES))).toEqual([]);
});

describe.each(ENTRY_POINTS)('%s', (name, entry) => {
  const props = discover(entry);

  test('the baseline works (and a construct synthesizes)', () => {
    const scope = scopeOf(entry);
    const call = entry.make(scope);
    const made = call.run(call.args) as Construct | undefined;
    const app = made instanceof Construct ? made.node.root : undefined;
    if (app instanceof App && name in CONSTRUCT_BASELINES) {
      expect(() => app.synthYaml()).not.toThrow();
    }
  });

  const kinded = props.filter((prop) => prop.kind.badValues !== undefined);
  if (kinded.length > 0) {
    test.each(kinded.map((prop) => [prop.path.join('.'), prop] as const))('%s: every bad value of its kind is refused with the prop, the value and a fix', (_path, prop) => {
      const failures: string[] = [];
      for (const bad of prop.kind.badValues!) {
        const error = callWith(entry, (call) => withValueAt(call.args, prop.path, bad.value)) as Error | undefined;
        const label = `${JSON.stringify(bad.value) ?? String(bad.value)}`;
        if (error === undefined) {
          failures.push(`${label}: accepted`);
        } else if (error.name !== 'MlopsValidationError') {
          failures.push(`${label}: ${error.name}: ${error.message}`);
        } else if (!SCOPE.test(error.message) || !error.message.includes(prop.name)
          || !renderings(bad.shown).some((text) => error.message.includes(text)) || !FIX.test(error.message)) {
          failures.push(`${label}: message lacks the construct, the prop, the value or a fix: ${error.message}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }

  test('undefined for any prop the baseline gives: works, or fails with the library\'s error', () => {
    const given = entry.make(scopeOf(entry)).args
      .flatMap((arg, index) => (typeof arg === 'object' && arg !== null && !Array.isArray(arg) ? Object.keys(arg).map((key) => [index, key]) : []));
    const failures: string[] = [];
    for (const path of [...given, ...entry.make(scopeOf(entry)).args.map((_arg, index) => [index])]) {
      const error = callWith(entry, (call) => withValueAt(call.args, path, undefined)) as Error | undefined;
      if (error !== undefined && (error.name !== 'MlopsValidationError' || !SCOPE.test(error.message))) {
        failures.push(`${path.join('.')}: ${error.name}: ${error.message}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
