export * from './deployment-mode';
export * from './inference-graph-step';
export * from './kserve-inference-graph';
export * from './kserve-predictor';
export * from './kserve-traffic-mirror';
export * from './model-format';
export * from './model-source';
export * from './protocol-version';
