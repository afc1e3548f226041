export * from './external-database';
export * from './mysql';
export * from './postgres';
export * from './redis';
export * from './sql-server-props';
