import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MlopsValidationError } from '../core/errors';
import { IEventBus } from '../core/event-bus';
import { isHostOrIp, isPort } from '../core/names';
import { aListOf, aString, checkArgument } from '../core/props-check';

/**
 * A Kafka outside this app: it hands out its bootstrap servers and opens no NetworkPolicy. Internal: users get one,
 * as an `IEventBus`, from `Kafka.fromBootstrapServers()`.
 */
export class ExternalKafka extends Construct implements IEventBus {
  public readonly bootstrapServers: string[];

  constructor(scope: Construct, id: string, bootstrapServers: string[]) {
    super(scope, id);
    checkArgument(this, 'bootstrapServers', bootstrapServers, aListOf(aString("'kafka.example.internal:9092'")));
    if (bootstrapServers.length === 0) {
      throw new MlopsValidationError(this, 'bootstrapServers is invalid: the list is empty; give at least one broker, '
        + "e.g. ['kafka-0.kafka.example.internal:9092']");
    }
    for (const server of bootstrapServers) {
      const colon = server.lastIndexOf(':');
      const host = server.slice(0, colon);
      const port = Number(server.slice(colon + 1));
      if (colon < 0 || !isHostOrIp(host) || !/^\d+$/.test(server.slice(colon + 1)) || !isPort(port)) {
        throw new MlopsValidationError(this, `bootstrap server '${server}' is invalid: must be host:port, a DNS name or an IP address and a `
          + "port from 1 to 65535, without a scheme or path, e.g. 'kafka-0.kafka.example.internal:9092'");
      }
    }
    this.bootstrapServers = [...bootstrapServers];
  }

  public allowFrom(_client: kplus.INetworkPolicyPeer): void {
    // The brokers are outside this app: their own network rules decide who reaches them.
  }
}
