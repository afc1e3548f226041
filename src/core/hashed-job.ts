import { createHash } from 'node:crypto';
import { ApiObject, App, ImplicitTokenResolver, JsonPatch, Lazy, LazyResolver, Names, NumberStringUnionResolver, resolve } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LibraryMetadataResolver } from './library-metadata';

/**
 * A Job whose name ends in a hash of its spec.
 *
 * A Job's pod template is immutable: re-applying a changed Job under the same name fails with "field is immutable".
 * Naming it after its spec makes every change a new Job (the old one stays until pruned) and makes re-applying an
 * unchanged one a no-op, so `kubectl apply` and GitOps tools converge. The name is computed when the manifest is
 * rendered, after every container and volume has been added; do not refer to the Job by name.
 */
export class HashedJob extends kplus.Job {
  private readonly podSpecFields: Record<string, unknown> = {};

  constructor(scope: Construct, id: string, props: kplus.JobProps = {}) {
    const self: { job?: HashedJob } = {};
    super(scope, id, {
      ...props,
      metadata: {
        ...props.metadata,
        name: Lazy.any({ produce: () => self.job!.hashedName() }) as unknown as string,
      },
    });
    self.job = this;
  }

  /**
   * Pod spec fields kplus has no API for (a placement's `nodeSelector`, `imagePullSecrets`, ...): patched into the
   * pod template, and part of the hash like the rest of the spec.
   *
   * @internal
   */
  public _addPodSpecFields(fields: Record<string, unknown>): void {
    for (const [field, value] of Object.entries(fields)) {
      this.podSpecFields[field] = value;
      ApiObject.of(this).addJsonPatch(JsonPatch.add(`/spec/template/spec/${field}`, value));
    }
  }

  /** `<construct-path-derived base>-<first 10 hex digits of sha256(spec)>`, at most 63 characters. */
  private hashedName(): string {
    const spec = Object.keys(this.podSpecFields).length > 0 ? [this._toKube(), this.podSpecFields] : this._toKube();
    const hash = specHash(ApiObject.of(this), spec);
    const base = Names.toDnsLabel(this, { includeHash: false, maxLen: 63 - hash.length - 1 });
    return `${base}-${hash}`;
  }
}

/**
 * The first 10 hex digits of the sha256 of `spec` as it will render in `apiObject`: the name suffix of an object whose
 * spec cannot change once it ran (a Job, a training job), so that a changed spec is a new object.
 */
export function specHash(apiObject: ApiObject, spec: unknown): string {
  return createHash('sha256').update(canonicalSpec(apiObject, spec)).digest('hex').slice(0, 10);
}

/** Key order for the hash: a fixed collation, not the machine's locale, so every machine computes the same name. */
const KEY_ORDER = new Intl.Collator('en');
// The library's own resolver completes metadata only, never a spec.
const BUILT_IN_RESOLVERS = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver, LibraryMetadataResolver];

/**
 * The spec as it will render, as JSON with object keys sorted (so that the hash does not depend on the order props
 * were set in): `JSON.stringify`'s text of the resolved spec, undefined members left out. The spec is rendered again
 * for the manifest, so this walks it once, and hands cdk8s only the values that are not plain data (Lazy values,
 * tokens, IntOrString); an app with resolvers of its own, which may change any value, gets the whole spec resolved.
 */
function canonicalSpec(apiObject: ApiObject, spec: unknown): string {
  const builtInOnly = App.of(apiObject).resolvers.every((resolver) => BUILT_IN_RESOLVERS.some((type) => resolver instanceof type));
  const write = (value: unknown): string | undefined => {
    if (value === undefined) {
      return undefined;
    }
    if (value === null || typeof value !== 'object') {
      return JSON.stringify(value);
    }
    if (Array.isArray(value)) {
      return `[${value.map((item) => write(item) ?? 'null').join(',')}]`;
    }
    if (value.constructor !== Object) {
      return write(resolve(['spec'], value, apiObject));
    }
    const members = Object.keys(value).sort(KEY_ORDER.compare).flatMap((key) => {
      const member = write((value as Record<string, unknown>)[key]);
      return member === undefined ? [] : [`${JSON.stringify(key)}:${member}`];
    });
    return `{${members.join(',')}}`;
  };
  return write(builtInOnly ? spec : resolve(['spec'], spec, apiObject)) ?? 'null';
}
