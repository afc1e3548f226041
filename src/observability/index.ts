export * from './alert-route';
export * from './dashboard-options';
export * from './federated-prometheus';
export * from './federated-prometheus-props';
export * from './federation';
export * from './grafana';
export * from './grafana-props';
