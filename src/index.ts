export * from './core';
export * from './data';
export * from './observability';
export * from './orchestration';
export * from './storage';
export * from './testing';
export * from './tracking';
export * from './serving';
