export * from './mlops-core';
export * from './mlops-core-props';
export * from './platform-access';
export * from './platform-profile';
