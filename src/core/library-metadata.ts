import { ApiObject, App, IResolver, ResolutionContext } from 'cdk8s';
import { IConstruct } from 'constructs';
import { registerCollisionCheck } from './collision-check';
import { ownerLabels } from './labels';

/** Constructs of the library (every public construct registers itself when it checks its props). */
const libraryConstructs = new WeakSet<IConstruct>();

/** Extra metadata a platform asks for on the objects under it: labels on all, annotations by kind. */
export interface SubtreeMetadata {
  readonly labels?: Record<string, string>;
  readonly annotationsByKind?: Record<string, Record<string, string>>;
}

const subtreeMetadata = new WeakMap<IConstruct, SubtreeMetadata>();

/**
 * Marks `scope` as made by the library and, once per app, installs what every app of the library gets: the resolver
 * that labels the library's objects and the synth-time collision check.
 */
export function registerLibraryConstruct(scope: IConstruct): void {
  libraryConstructs.add(scope);
  registerCollisionCheck(scope);
  const root = scope.node.root;
  if (root instanceof App && !root.resolvers.some((resolver) => resolver instanceof LibraryMetadataResolver)) {
    // An app's resolvers are the one hook cdk8s calls while it renders every object, including objects added by a
    // verb long after their component was made.
    root.resolvers.push(new LibraryMetadataResolver());
  }
}

/** Adds `metadata` to every object of the library under `scope` (e.g. `MlopsCore`'s common labels and annotations). */
export function setSubtreeMetadata(scope: IConstruct, metadata: SubtreeMetadata): void {
  subtreeMetadata.set(scope, metadata);
}

/**
 * Completes the `metadata.labels` and `metadata.annotations` of each object made under a library construct: the
 * recommended labels of the component that made it (`app.kubernetes.io/part-of`, `managed-by`, and `name`,
 * `component`, `instance` where a component owns it), then what a platform above it asks for. An object's own values
 * win. Objects outside the library's constructs are left as they are.
 */
export class LibraryMetadataResolver implements IResolver {
  public resolve(context: ResolutionContext): void {
    // Called for every value of every object: out at once for all but `metadata.labels` and `metadata.annotations`.
    if (context.key.length !== 1) {
      return;
    }
    const field = context.key[0];
    if ((field !== 'labels' && field !== 'annotations') || !isPlainMap(context.value)) {
      return;
    }
    const wanted = field === 'labels' ? labelsFor(context.obj) : annotationsFor(context.obj);
    const missing = Object.entries(wanted).filter(([key]) => !(key in context.value));
    if (missing.length > 0) {
      context.replaceValue({ ...Object.fromEntries(missing), ...context.value });
    }
  }
}

/** Whether an object was made under a construct of the library (and so carries the library's labels). */
export function isLibraryObject(object: ApiObject): boolean {
  return ancestry(object).library;
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The library constructs and platform settings above an object, nearest first. */
function ancestry(object: ApiObject): { library: boolean; metadata: SubtreeMetadata[] } {
  let library = false;
  const metadata: SubtreeMetadata[] = [];
  for (let node: IConstruct | undefined = object; node; node = node.node.scope) {
    library ||= libraryConstructs.has(node);
    const settings = subtreeMetadata.get(node);
    if (settings) metadata.push(settings);
  }
  return { library, metadata };
}

function labelsFor(object: ApiObject): Record<string, string> {
  const { library, metadata } = ancestry(object);
  if (!library) return {};
  return Object.assign({}, ...metadata.reverse().map((settings) => settings.labels ?? {}), ownerLabels(object));
}

function annotationsFor(object: ApiObject): Record<string, string> {
  const { library, metadata } = ancestry(object);
  if (!library) return {};
  return Object.assign({}, ...metadata.reverse().map((settings) => settings.annotationsByKind?.[object.kind] ?? {}));
}
