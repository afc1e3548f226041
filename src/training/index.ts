export * from './training-job-props';
export * from './pytorch-ddp-job-props';
export * from './pytorch-ddp-job';
export * from './spark-job-props';
export * from './spark-job';
