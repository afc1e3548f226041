import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkHostPort } from '../core/address';
import { MlopsValidationError } from '../core/errors';
import { IEventBus } from '../core/event-bus';
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
    bootstrapServers.forEach((server, index) => checkHostPort(this, `bootstrapServers[${index}]`, server, 'kafka-0.kafka.example.internal:9092'));
    this.bootstrapServers = [...bootstrapServers];
  }

  public allowFrom(_client: kplus.INetworkPolicyPeer): void {
    // The brokers are outside this app: their own network rules decide who reaches them.
  }
}
