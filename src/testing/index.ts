export * from './external-object';
export * from './manifest-validator';
export * from './validation-finding';
