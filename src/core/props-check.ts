import { IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';
import { registerLibraryConstruct } from './library-metadata';

// JavaScript and Python callers get no compiler help: a construct checks the kinds of its props where it takes them,
// so that a missing or wrongly typed prop is an error naming the construct and the prop, never a TypeError from deep
// inside.

/** What a prop must be. */
export interface PropKind {
  /** What it is, for messages: `a DagSource`, `a string`. */
  readonly description: string;
  /** A value of the kind, for messages: `DagSource.fromGit({ repository: '...' })`. */
  readonly example: string;
  readonly matches: (value: unknown) => boolean;
  /**
   * The value's own rules beyond its type (a host, a port, a DNS label, ...): throws an MlopsValidationError naming
   * `what` (the prop), the value and the fix. Kinds made in `prop-kinds.ts` carry one; checkProps calls it.
   */
  readonly check?: (where: IConstruct | string, what: string, value: any) => void;
  /** Plausible mistakes the kind refuses, for the table-driven test that gives each to every prop of the kind. */
  readonly badValues?: readonly BadValue[];
}

/** A value a prop kind refuses, and how the refusal shows it. */
export interface BadValue {
  readonly value: unknown;
  /** How the message renders the value, e.g. `'My_Name'` or `0Gi`. */
  readonly shown: string;
}

/** A string; what it may hold is the construct's own check. */
export function aString(example: string): PropKind {
  return { description: 'a string', example, matches: (value) => typeof value === 'string' };
}

/** A finite number. */
export function aNumber(example: string): PropKind {
  return { description: 'a number', example, matches: (value) => typeof value === 'number' && Number.isFinite(value) };
}

/** `true` or `false`. */
export function aBoolean(): PropKind {
  return { description: 'true or false', example: 'true', matches: (value) => typeof value === 'boolean' };
}

/** An instance of one of this library's (or cdk8s') classes. */
export function anInstanceOf(type: { readonly name: string; readonly prototype: object }, example: string): PropKind {
  // Classes with private constructors (value classes such as `Size`) have no constructor type to name here.
  const constructor = type as unknown as new () => unknown;
  return { description: withArticle(type.name), example, matches: (value) => value instanceof constructor };
}

/**
 * A container image reference as the container runtime parses it (distribution's reference grammar): an optional
 * registry host (and port), lowercase path components, an optional tag, an optional digest; e.g.
 * `registry.example.com:5000/team/app:1.0` or `postgres@sha256:<64 hex digits>`.
 */
const IMAGE_REFERENCE = new RegExp('^'
  + '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?/)?'
  + '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*'
  + '(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?'
  + '(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$');

/** An image reference (`registry.example.com/team/app:1.0`); `example` shows one fit for the prop. */
export function anImage(example: string): PropKind {
  return {
    description: 'an image reference (lowercase repository path, optional registry, tag and digest; no spaces or scheme)',
    example,
    matches: (value) => typeof value === 'string' && IMAGE_REFERENCE.test(value),
    badValues: ['Postgres:17', 'https://docker.io/library/postgres:17', 'postgres:17 ', 'postgres:', 'team/app:1.0\n']
      .map((value) => ({ value, shown: JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value) })),
  };
}

/** An object with the members an interface requires (`IDatabase`: `bind`, `endpoint`, ...). */
export function anImplementationOf(name: string, members: string[], example: string): PropKind {
  return {
    description: withArticle(name),
    example,
    matches: (value) => typeof value === 'object' && value !== null && members.every((member) => (value as any)[member] !== undefined),
  };
}

/** A list whose every item is of `item`'s kind. */
export function aListOf(item: PropKind): PropKind {
  return {
    description: `a list of ${item.description.replace(/^an? /, '')}s`,
    example: `[${item.example}]`,
    matches: (value) => Array.isArray(value) && value.every((entry) => item.matches(entry)),
    check: item.check && ((where, what, value: unknown[]) => value.forEach((entry, index) => item.check!(where, `${what}[${index}]`, entry))),
    badValues: item.badValues?.map((bad) => ({ value: [bad.value], shown: bad.shown })),
  };
}

/** A plain object of string values (labels, env, settings). */
export function aStringMap(example: string): PropKind {
  return {
    description: 'an object of strings',
    example,
    matches: (value) => typeof value === 'object' && value !== null && !Array.isArray(value)
      && Object.values(value).every((entry) => typeof entry === 'string'),
  };
}

/**
 * Throws unless `props` has every `required` prop, of its kind, and every `optional` prop that is given is of its
 * kind. `scope` is the construct, or a static entry point's name; `what` names the argument (`props`, `options`).
 * Every public construct checks its props here first, so this is also where it is known as the library's: its objects
 * get the library's labels, and its app the synth-time check for colliding names (`registerLibraryConstruct`).
 */
export function checkProps(
  scope: IConstruct | string,
  props: unknown,
  required: Record<string, PropKind>,
  optional: Record<string, PropKind> = {},
  what: string = 'props',
): void {
  if (typeof scope !== 'string') {
    registerLibraryConstruct(scope);
  }
  propsCheckListeners.forEach((listener) => listener({ scope, props, required, optional, what }));
  const names = Object.keys(required);
  if (props === undefined || props === null) {
    if (names.length === 0) {
      return;
    }
    const needed = names.map((name) => `${name} (${required[name].description}, e.g. ${required[name].example})`).join(', ');
    throw new MlopsValidationError(scope, `${what} is missing: give an object with ${needed}`);
  }
  if (typeof props !== 'object' || Array.isArray(props)) {
    throw new MlopsValidationError(scope, `${what} is invalid: expected an object of properties, got ${kindOf(props)}`);
  }
  for (const [name, kind] of Object.entries(required)) {
    const value = (props as Record<string, unknown>)[name];
    if (value === undefined || value === null) {
      throw new MlopsValidationError(scope, `${what}.${name} is missing: give ${kind.description}, e.g. ${kind.example}`);
    }
    checkKind(scope, what, name, value, kind);
  }
  for (const [name, kind] of Object.entries(optional)) {
    const value = (props as Record<string, unknown>)[name];
    if (value !== undefined) {
      checkKind(scope, what, name, value, kind);
    }
  }
}

/** One call of `checkProps`: the object checked and the kinds of its props. */
export interface PropsCheck {
  readonly scope: IConstruct | string;
  readonly props: unknown;
  readonly required: Record<string, PropKind>;
  readonly optional: Record<string, PropKind>;
  readonly what: string;
}

const propsCheckListeners = new Set<(check: PropsCheck) => void>();

/**
 * Calls `listener` with every props check until the returned function is called: how the table-driven test
 * (test/architecture/bad-values.test.ts) learns the kinds of each entry point's props from the entry point itself.
 */
export function onPropsCheck(listener: (check: PropsCheck) => void): () => void {
  propsCheckListeners.add(listener);
  return () => propsCheckListeners.delete(listener);
}

/**
 * A whole argument (`props`, or a method's `addRemoteWrite: options`): its props are named alone in value messages
 * (`host 'x' is invalid`, `addRemoteWrite: url 'x' is invalid`).
 */
const ARGUMENT = /^(.*: )?(props|options|attributes)$/;

function checkKind(scope: IConstruct | string, what: string, name: string, value: unknown, kind: PropKind): void {
  const path = what === '' ? name : `${what}.${name}`;
  if (!kind.matches(value)) {
    throw new MlopsValidationError(scope, `${path} is invalid: expected ${kind.description}, got ${kindOf(value)}; give e.g. ${kind.example}`);
  }
  const argument = ARGUMENT.exec(what);
  kind.check?.(scope, argument ? `${argument[1] ?? ''}${name}` : path, value);
}

/** `a DagSource`, `an IDatabase`. */
function withArticle(name: string): string {
  return `${/^[AEIOUaeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}

/** `a string ('x')`, `a number (3)`, `an array`, `an object of class Foo`, `null`. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value.length === 0 ? 'an empty string' : `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)})`;
    case 'number':
    case 'boolean':
      return `a ${typeof value} (${value})`;
    case 'object': {
      const name = (value as object).constructor?.name;
      return name && name !== 'Object' ? `an object of class ${name}` : 'a plain object';
    }
    default:
      return `a ${typeof value}`;
  }
}

/** A construct: a chart, or any construct of one. */
export const A_CONSTRUCT = anImplementationOf('construct', ['node'], 'chart');

/** The core contracts, as props take them. */
export const AN_IDATABASE = anImplementationOf('IDatabase', ['bind', 'endpoint', 'credentials', 'databaseName'], "postgres.addDatabase('mlflow')");
export const AN_IBUCKET = anImplementationOf('IBucket', ['bucketName', 'grantRead', 'grantReadWrite', 's3Uri'], "minio.addBucket('models')");
export const AN_IKEY_VALUE_STORE = anImplementationOf('IKeyValueStore', ['bind', 'endpoint', 'credentials'], "new Redis(this, 'Redis')");

/** Throws unless the argument `name` of `where` (a construct, or a static entry point's name) is of its kind. */
export function checkArgument(where: IConstruct | string, name: string, value: unknown, kind: PropKind): void {
  if (value === undefined || value === null) {
    throw new MlopsValidationError(where, `${name} is missing: give ${kind.description}, e.g. ${kind.example}`);
  }
  checkKind(where, '', name, value, kind);
}
