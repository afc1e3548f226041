export * from './deployment-mode';
export * from './inference-graph-step';
export * from './kserve-inference-graph';
export * from './kserve-predictor';
export * from './kserve-traffic-mirror';
export * from './kserve-model-deployment';
export * from './protocol-version';
