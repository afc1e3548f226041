import { isIP, isIPv4 } from 'node:net';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RedisAttributes } from './redis';
import { Credentials } from '../core/credentials';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { IKeyValueStore, KeyValueStoreBinding, KeyValueStoreBindOptions } from '../core/key-value-store';

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A Redis server outside this app: `bind` only hands over the address and the password (no NetworkPolicy). */
export class ExternalRedis extends Construct implements IKeyValueStore {
  public readonly endpoint: ServiceEndpoint;
  public readonly credentials: Credentials;

  constructor(scope: Construct, id: string, attrs: RedisAttributes) {
    super(scope, id);
    const port = attrs.port ?? 6379;
    const hostValid = /^[0-9.]+$/.test(attrs.host) ? isIPv4(attrs.host) : isIP(attrs.host) !== 0 || HOST_NAME.test(attrs.host);
    if (!hostValid) {
      throw new MlopsValidationError(this, `Redis host '${attrs.host}' is invalid: must be a host name or an IP address; `
        + "give the host only, without a scheme, port or path, e.g. 'redis.example.com'");
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new MlopsValidationError(this, `Redis port '${port}' is invalid: must be a whole number from 1 to 65535; leave it out for 6379`);
    }
    this.endpoint = ServiceEndpoint.fromHost(attrs.host, port, 'redis');
    this.credentials = attrs.credentials;
  }

  public bind(_workload: kplus.INetworkPolicyPeer, container: kplus.Container, options: KeyValueStoreBindOptions = {}): KeyValueStoreBinding {
    return bindKeyValueStore(this, container, options);
  }
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
  const database = options.database ?? 0;
  if (!Number.isInteger(database) || database < 0 || (databases !== undefined && database >= databases)) {
    const range = databases !== undefined ? `from 0 to ${databases - 1}` : 'from 0 up';
    throw new MlopsValidationError(store, `Redis database '${database}' is invalid: must be a whole number ${range}; leave it out for 0`);
  }
  const passwordEnv = options.passwordEnv ?? 'REDIS_PASSWORD';
  addNewVariable(store, container, passwordEnv, store.credentials.envValue(Credentials.PASSWORD), 'passwordEnv');
  const url = `${store.endpoint.scheme}://:$(${passwordEnv})@${store.endpoint.hostPort}/${database}`;
  if (options.urlEnv) {
    addNewVariable(store, container, options.urlEnv, kplus.EnvValue.fromValue(url), 'urlEnv');
  }
  return { passwordEnv, url };
}

function addNewVariable(store: IKeyValueStore, container: kplus.Container, name: string, value: kplus.EnvValue, option: string): void {
  if (container.env.variables[name] !== undefined) {
    throw new MlopsValidationError(store, `env var '${name}' is invalid: container '${container.name}' already has it; give another name with ${option}`);
  }
  container.env.addVariable(name, value);
}
