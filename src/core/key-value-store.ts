import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { Credentials } from './credentials';
import { ServiceEndpoint } from './endpoint';
import { addEnvVariable } from './env-vars';
import { checkKplusObject } from './kplus-compat';
import { anEnvVarName, aWholeNumber } from './prop-kinds';
import { checkProps } from './props-check';

/** How a consumer wants a key-value store handed to its container. */
export interface KeyValueStoreBindOptions {
  /**
   * Name of the env var that receives the password, read from the store's Secret.
   *
   * @default 'REDIS_PASSWORD'
   */
  readonly passwordEnv?: string;

  /**
   * Name of an env var that receives the full URL, `redis://:$(REDIS_PASSWORD)@host:6379/<database>`. It is added
   * after the password var, so Kubernetes expands the reference.
   *
   * @default - no URL env var; use `KeyValueStoreBinding.url`
   */
  readonly urlEnv?: string;

  /**
   * The logical database number in the URL.
   *
   * @default 0
   */
  readonly database?: number;
}

/** What `IKeyValueStore.bind` gave the container. */
export interface KeyValueStoreBinding {
  /** The env var holding the password. */
  readonly passwordEnv: string;
  /** The URL with a `$(VAR)` reference in place of the password; expanded by Kubernetes in the same container. */
  readonly url: string;
}

/**
 * A Redis-protocol store workloads exchange values through: one created by `Redis`, or an external one imported
 * with `Redis.fromRedisAttributes()`.
 */
export interface IKeyValueStore extends IConstruct {
  /** The server. */
  readonly endpoint: ServiceEndpoint;
  /** The password (`Credentials.PASSWORD`). */
  readonly credentials: Credentials;

  /**
   * Hands the store to `container` of `workload`: adds the password env var (and the URL var when asked), and allows
   * the workload's traffic to the server when the server is in this app.
   */
  bind(workload: kplus.INetworkPolicyPeer, container: kplus.Container, options?: KeyValueStoreBindOptions): KeyValueStoreBinding;
}

/**
 * The env half of `IKeyValueStore.bind`: the password var first, then the URL var that refers to it.
 * `databases` is how many logical databases the server has, when known.
 */
export function bindKeyValueStore(
  store: IKeyValueStore,
  container: kplus.Container,
  options: KeyValueStoreBindOptions,
  databases?: number,
): KeyValueStoreBinding {
  checkProps(store, options, {}, {
    passwordEnv: anEnvVarName('REDIS_PASSWORD'),
    urlEnv: anEnvVarName('CELERY_BROKER_URL'),
    database: aWholeNumber(0, 0, databases === undefined ? Infinity : databases - 1, '; leave it out for 0'),
  }, 'bind: options');
  checkKplusObject(store, 'the container', container);
  const database = options.database ?? 0;
  const passwordEnv = options.passwordEnv ?? 'REDIS_PASSWORD';
  addEnvVariable(store, container, passwordEnv, store.credentials.envValue(Credentials.PASSWORD), 'passwordEnv');
  const url = `${store.endpoint.scheme}://:$(${passwordEnv})@${store.endpoint.hostPort}/${database}`;
  if (options.urlEnv) {
    addEnvVariable(store, container, options.urlEnv, kplus.EnvValue.fromValue(url), 'urlEnv');
  }
  return { passwordEnv, url };
}
