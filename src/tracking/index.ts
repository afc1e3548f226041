export * from './mlflow-options';
export * from './mlflow-tracking';
