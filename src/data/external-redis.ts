import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RedisAttributes } from './redis-attributes';
import { Credentials } from '../core/credentials';
import { ServiceEndpoint } from '../core/endpoint';
import { bindKeyValueStore, IKeyValueStore, KeyValueStoreBinding, KeyValueStoreBindOptions } from '../core/key-value-store';
import { aHost, aPort } from '../core/prop-kinds';
import { anInstanceOf, checkProps } from '../core/props-check';

/**
 * A Redis server outside this app: `bind` only hands over the address and the password (no NetworkPolicy).
 * Internal: users get one, as an `IKeyValueStore`, from `Redis.fromRedisAttributes()`.
 */
export class ExternalRedis extends Construct implements IKeyValueStore {
  public readonly endpoint: ServiceEndpoint;
  public readonly credentials: Credentials;

  constructor(scope: Construct, id: string, attrs: RedisAttributes) {
    super(scope, id);
    checkProps(this, attrs, {
      host: aHost('redis.example.internal'),
      credentials: anInstanceOf(Credentials, "Credentials.fromSecret(kplus.Secret.fromSecretName(this, 'Redis', 'redis-password'))"),
    }, { port: aPort(6379) }, 'attributes');
    const port = attrs.port ?? 6379;
    this.endpoint = ServiceEndpoint.fromHost(attrs.host, port, 'redis');
    this.credentials = attrs.credentials;
  }

  public bind(_workload: kplus.INetworkPolicyPeer, container: kplus.Container, options: KeyValueStoreBindOptions = {}): KeyValueStoreBinding {
    return bindKeyValueStore(this, container, options);
  }
}
