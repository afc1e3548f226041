export * from './jaeger-trace-store';
export * from './log-output';
export * from './loki-log-store';
export * from './node-log-shipper';
export * from './otel-collector';
export * from './retrain-trigger';
