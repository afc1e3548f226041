export * from './notebook-workspace';
export * from './notebook-workspace-props';
export * from './team';
export * from './team-props';
export * from './kubeflow-pod-defaults';
