import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';

/**
 * A Kafka-protocol event bus that components stream through (Seldon Core v2 pipelines move every tensor through
 * Kafka topics): one created by `Kafka`, or one outside this app imported with `Kafka.fromBootstrapServers()`.
 *
 * Clients connect in plaintext, without SASL: the bus is reachable only by the workloads `allowFrom` lets in.
 */
export interface IEventBus extends IConstruct {
  /** The brokers clients bootstrap from, each `host:port`, e.g. `kafka.mlops.svc:9092`. */
  readonly bootstrapServers: string[];

  /**
   * Lets `client` produce and consume: allows its traffic to the brokers when they are in this app (an ingress
   * NetworkPolicy); nothing for brokers outside it.
   */
  allowFrom(client: kplus.INetworkPolicyPeer): void;
}
