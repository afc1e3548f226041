import { Names } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

/** What a component tells about itself; the rest of the recommended labels are derived. */
export interface ComponentLabelOptions {
  /** `app.kubernetes.io/name`: the application, e.g. `postgres`, `minio`. */
  readonly name: string;
  /** `app.kubernetes.io/component`: its role in the platform, e.g. `database`, `object-store`. */
  readonly component: string;
  /** The main image: its tag becomes `app.kubernetes.io/version`. @default - no version label */
  readonly image?: string;
}

/**
 * The Kubernetes recommended labels (`app.kubernetes.io/*`) for the objects of one component instance.
 * `instance` comes from the construct path, so two instances of one construct never share selector labels.
 */
export function componentLabels(scope: Construct, options: ComponentLabelOptions): Record<string, string> {
  const labels = recommendedLabels(scope, options);
  if (!owners.has(scope)) {
    owners.set(scope, labels);
  }
  return labels;
}

/** What selects one component instance's Services or pods among `labels`: its `app.kubernetes.io/name` and `instance`. */
export function instanceSelector(labels: Record<string, string>): Record<string, string> {
  return { 'app.kubernetes.io/name': labels['app.kubernetes.io/name'], 'app.kubernetes.io/instance': labels['app.kubernetes.io/instance'] };
}

/** The labels of each construct that called `componentLabels`, for the objects made under it. */
const owners = new WeakMap<IConstruct, Record<string, string>>();

/** What every object of the library carries, whatever made it. */
const LIBRARY_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/part-of': 'cdk8s-mlops',
  'app.kubernetes.io/managed-by': 'cdk8s',
};

/**
 * The labels of an object made under `scope`: those of the nearest component above it (its name, component and
 * instance, `app.kubernetes.io/part-of` and `managed-by`), or `part-of` and `managed-by` alone. For metadata only:
 * selectors use `componentLabels`.
 */
export function ownerLabels(scope: IConstruct): Record<string, string> {
  for (let node: IConstruct | undefined = scope; node; node = node.node.scope) {
    const labels = owners.get(node);
    if (labels) {
      return { ...labels };
    }
  }
  return { ...LIBRARY_LABELS };
}

function recommendedLabels(scope: Construct, options: ComponentLabelOptions): Record<string, string> {
  const labels: Record<string, string> = {
    'app.kubernetes.io/name': options.name,
    'app.kubernetes.io/instance': Names.toLabelValue(scope),
    'app.kubernetes.io/component': options.component,
    ...LIBRARY_LABELS,
  };
  const version = options.image ? imageTag(options.image) : undefined;
  if (version) {
    labels['app.kubernetes.io/version'] = labelValue(version);
  }
  return labels;
}

/** A label value made from free text (an image tag may hold characters a label value may not). */
function labelValue(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** The tag of an image reference (`registry:5000/redis:7.2@sha256:...` → `7.2`), if it has one. */
function imageTag(image: string): string | undefined {
  const name = image.split('@')[0];
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
}
