export * from './core';
export * from './data';
export * from './storage';
export * from './testing';
