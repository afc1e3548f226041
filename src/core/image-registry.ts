import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';
import { dnsSubdomainProblems } from './names';
import { addPullSecrets } from './pod-spec-locations';
import { A_CONSTRUCT, aListOf, anImplementationOf, aString, aStringMap, checkArgument, checkProps } from './props-check';

const DOCKER_HUB = 'docker.io';
const DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
/** A registry host (with an optional port) and an optional path: `harbor.example.com:8443/dockerhub`. */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const MIRROR = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** Where images come from: mirrors of the public registries and the Secrets to pull with. */
export interface ImageRegistryOptions {
  /**
   * Mirror prefixes by upstream registry host, e.g. `{ 'docker.io': 'harbor.example.com/dockerhub', 'quay.io':
   * 'harbor.example.com/quay' }`: `docker.io/library/postgres:17` is pulled as
   * `harbor.example.com/dockerhub/library/postgres:17`. Docker Hub is `docker.io`.
   *
   * @default - none
   */
  readonly mirrors?: { [registry: string]: string };

  /**
   * The mirror of every registry that `mirrors` does not name, with the registry host kept in the path:
   * `docker.io/library/postgres:17` is pulled as `<mirrorPrefix>/docker.io/library/postgres:17`.
   *
   * @default - images of registries without a mirror are pulled from their registry
   */
  readonly mirrorPrefix?: string;

  /**
   * Existing `kubernetes.io/dockerconfigjson` Secrets, in the pods' namespace, that every pod pulls with
   * (`kplus.Secret.fromSecretName(this, 'Pull', 'registry-credentials')`).
   *
   * @default - none
   */
  readonly pullSecrets?: kplus.ISecret[];
}

/**
 * A private registry for every pod under a construct: the default images (`DefaultImages`) rewritten to mirrors,
 * and image pull Secrets on every pod spec, inside custom resources too.
 *
 * ```ts
 * ImageRegistry.of({
 *   mirrors: { 'docker.io': 'harbor.example.com/dockerhub' },
 *   mirrorPrefix: 'harbor.example.com/mirror',
 *   pullSecrets: [kplus.Secret.fromSecretName(chart, 'Pull', 'registry-credentials')],
 * }).applyTo(chart);
 * ```
 *
 * An image given to a construct is used as given. Images that operators add to the pods they render (KServe's
 * storage initializer and model server runtimes, Seldon's agent, Spark's pods without a template) come from the
 * operators' own configuration and need their mirror there.
 */
export class ImageRegistry {
  /** A registry. Its mirrors are checked here, its pull Secrets where it is applied. */
  public static of(options: ImageRegistryOptions): ImageRegistry {
    const where = 'ImageRegistry.of';
    checkProps(where, options, {}, {
      mirrors: aStringMap("{ 'docker.io': 'harbor.example.com/dockerhub' }"),
      mirrorPrefix: aString("'harbor.example.com/mirror'"),
      pullSecrets: aListOf(anImplementationOf('ISecret', ['name'], "kplus.Secret.fromSecretName(this, 'Pull', 'registry-credentials')")),
    }, 'options');
    const given = options ?? {};
    const mirrors = given.mirrors ?? {};
    for (const [registry, mirror] of Object.entries(mirrors)) {
      if (SCHEME.test(registry) || !MIRROR.test(registry) || registry.includes('/')) {
        throw new MlopsValidationError(where, `options.mirrors registry '${registry}' is invalid: must be a registry host with an optional port, `
          + "without scheme or path, e.g. 'docker.io' or 'quay.io'");
      }
      checkMirror(`options.mirrors['${registry}']`, mirror);
    }
    if (given.mirrorPrefix !== undefined) {
      checkMirror('options.mirrorPrefix', given.mirrorPrefix);
    }
    return new ImageRegistry(given);
  }

  /**
   * The fully qualified form of an image reference, as the container runtime reads it: the registry host first,
   * `docker.io` when there is none, and Docker Hub's `library/` for official images (`postgres:17` is
   * `docker.io/library/postgres:17`).
   */
  public static normalize(image: string): string {
    checkArgument('ImageRegistry.normalize', 'image', image, aString("'postgres:17'"));
    const slash = image.indexOf('/');
    const first = slash < 0 ? '' : image.slice(0, slash);
    const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
    if (hasRegistry) {
      return image;
    }
    return `${DOCKER_HUB}/${slash < 0 ? `library/${image}` : image}`;
  }

  /** The names of the pull Secrets, in the order given. */
  public readonly pullSecretNames: string[];

  private constructor(private readonly options: ImageRegistryOptions) {
    this.pullSecretNames = (options.pullSecrets ?? []).map((secret) => secret.name);
  }

  /** Where `image` is pulled from: its mirror, or the image itself when its registry has none. */
  public rewrite(image: string): string {
    checkArgument('ImageRegistry.rewrite', 'image', image, aString("'postgres:17'"));
    const normalized = ImageRegistry.normalize(image);
    const slash = normalized.indexOf('/');
    const registry = normalized.slice(0, slash);
    const repository = normalized.slice(slash + 1);
    const mirror = (this.options.mirrors ?? {})[registry];
    if (mirror !== undefined) {
      return `${mirror}/${repository}`;
    }
    return this.options.mirrorPrefix !== undefined ? `${this.options.mirrorPrefix}/${normalized}` : image;
  }

  /**
   * Uses this registry for everything under `scope` (usually a chart): every default image a construct under
   * it picks is rewritten to its mirror, and when the app synthesizes, every pod spec of its objects gets the pull
   * Secrets (merged with those of a `WorkloadPlacement`). Apply it before adding the constructs.
   */
  public applyTo(scope: IConstruct): void {
    checkArgument('ImageRegistry.applyTo', 'scope', scope, A_CONSTRUCT);
    if (REGISTRIES.has(scope)) {
      throw new MlopsValidationError(scope, 'registry is invalid: an image registry applies to this construct already; give it one registry');
    }
    const names = (this.options.pullSecrets ?? []).map((secret) => checkPullSecret(scope, secret));
    REGISTRIES.set(scope, this);
    if (names.length === 0) {
      return;
    }
    let applied = false;
    scope.node.addValidation({
      validate: () => {
        if (!applied) {
          applied = true;
          addPullSecrets(scope, names);
        }
        return [];
      },
    });
  }
}

const REGISTRIES = new WeakMap<IConstruct, ImageRegistry>();

/**
 * The image to run where a construct falls back to one of `DefaultImages`: rewritten by the nearest `ImageRegistry`
 * applied to `scope` or a construct above it. Every default image goes through this, so a mirror reaches all of them.
 */
export function defaultImage(scope: IConstruct, image: string): string {
  const registry = [...scope.node.scopes].reverse().map((construct) => REGISTRIES.get(construct)).find((found) => found !== undefined);
  return registry ? registry.rewrite(image) : image;
}

function checkMirror(what: string, mirror: string): void {
  if (SCHEME.test(mirror)) {
    throw new MlopsValidationError('ImageRegistry.of', `${what} '${mirror}' is invalid: an image reference has no scheme; `
      + `give the registry host and path alone, e.g. '${mirror.replace(SCHEME, '').replace(/\/+$/, '')}'`);
  }
  if (!MIRROR.test(mirror)) {
    throw new MlopsValidationError('ImageRegistry.of', `${what} '${mirror}' is invalid: must be a registry host with an optional port and `
      + "path of lowercase components, without a trailing '/', e.g. 'harbor.example.com/dockerhub'");
  }
}

/** The Secret's name, after checking that it can hold registry credentials when its type is known. */
function checkPullSecret(scope: IConstruct, secret: kplus.ISecret): string {
  const type = secret instanceof kplus.Secret ? ApiObject.of(secret).toJson().type ?? 'Opaque' : DOCKER_CONFIG_JSON;
  if (type !== DOCKER_CONFIG_JSON) {
    throw new MlopsValidationError(scope, `registry pullSecrets '${secret.name}' is invalid: its type is '${type}', and the kubelet `
      + `pulls only with '${DOCKER_CONFIG_JSON}' Secrets; create it with kubectl create secret docker-registry, or give an existing one `
      + "with kplus.Secret.fromSecretName(this, 'Pull', 'registry-credentials')");
  }
  const problems = dnsSubdomainProblems(secret.name);
  if (problems.length > 0) {
    throw new MlopsValidationError(scope, `registry pullSecrets '${secret.name}' is invalid: ${problems.join('; ')}; give the name of an existing Secret`);
  }
  return secret.name;
}
