import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { ServiceEndpoint } from './endpoint';

/**
 * Where spans go: an OpenTelemetry Collector (or anything that speaks OTLP) that components with an OTel SDK export
 * to, e.g. `OtelCollector`. Airflow (`GitSyncAirflow.useTracing`) and Seldon (`SeldonRuntime`'s `tracing`) take it.
 */
export interface ITraceCollector extends IConstruct {
  /** OTLP over gRPC, e.g. `http://otel-collector.mlops.svc:4317`. */
  readonly otlpGrpcEndpoint: ServiceEndpoint;

  /** OTLP over HTTP (`/v1/traces` below it), e.g. `http://otel-collector.mlops.svc:4318`. */
  readonly otlpHttpEndpoint: ServiceEndpoint;

  /** The collector's pods, for the egress rules of a client. */
  readonly collectorPods: kplus.INetworkPolicyPeer;

  /** Lets `peer` send spans on both OTLP ports. */
  allowFrom(peer: kplus.INetworkPolicyPeer): void;
}
