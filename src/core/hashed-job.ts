import { createHash } from 'node:crypto';
import { ApiObject, Lazy, Names, resolve } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * A Job whose name ends in a hash of its spec.
 *
 * A Job's pod template is immutable: re-applying a changed Job under the same name fails with "field is immutable".
 * Naming it after its spec makes every change a new Job (the old one stays until pruned) and makes re-applying an
 * unchanged one a no-op, so `kubectl apply` and GitOps tools converge. The name is computed when the manifest is
 * rendered, after every container and volume has been added; do not refer to the Job by name.
 */
export class HashedJob extends kplus.Job {
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

  /** `<construct-path-derived base>-<first 10 hex digits of sha256(spec)>`, at most 63 characters. */
  private hashedName(): string {
    const apiObject = ApiObject.of(this);
    const spec = resolve(['spec'], this._toKube(), apiObject);
    const hash = createHash('sha256').update(stableJson(spec)).digest('hex').slice(0, 10);
    const base = Names.toDnsLabel(this, { includeHash: false, maxLen: 63 - hash.length - 1 });
    return `${base}-${hash}`;
  }
}

/** Key order for the hash: a fixed collation, not the machine's locale, so every machine computes the same name. */
const KEY_ORDER = new Intl.Collator('en');

/** JSON with object keys sorted, so that the hash does not depend on the order props were set in. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => KEY_ORDER.compare(a, b)))
      : v,
  );
}
