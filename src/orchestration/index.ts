export * from './dag-source';
export * from './git-auth';
export * from './git-sync-airflow';
export * from './git-sync-airflow-props';
export * from './task-permission';
export * from './task-service-account';
