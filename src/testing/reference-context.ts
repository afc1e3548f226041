/**
 * What the reference checks share: the index of objects and the findings, with one wording for every missing object
 * and missing key.
 */
import { describeRef, finding } from './manifest-object';
import { ObjectIndex } from './object-index';
import { ValidationFinding } from './validation-finding';

/** Collects `reference` findings. */
export class References {
  public readonly findings: ValidationFinding[] = [];

  constructor(public readonly index: ObjectIndex) {}

  /** Reports a finding about `owner`. */
  public report(owner: unknown, message: string): void {
    this.findings.push(finding('reference', owner, message));
  }

  /** Reports `path` if the object it names does not exist; returns whether it exists. */
  public require(owner: unknown, path: string, kind: string, namespace: string, name: unknown): boolean {
    if (typeof name !== 'string') return false;
    if (this.index.exists(kind, namespace, name)) return true;
    this.report(owner, `${path}: ${describeRef(kind, namespace, name)} is not in the output and not declared in externalObjects`);
    return false;
  }

  /** Reports `path` if the Secret or ConfigMap (which exists) has no key `key`. */
  public requireKey(owner: unknown, path: string, kind: string, namespace: string, name: string, key: unknown): void {
    const keys = this.index.keysOf(kind, namespace, name);
    if (keys === undefined || typeof key !== 'string' || keys.includes(key)) return;
    const has = keys.length > 0 ? `its keys are ${keys.join(', ')}` : 'it has no keys';
    this.report(owner, `${path}: ${describeRef(kind, namespace, name)} has no key "${key}" (${has})`);
  }
}
