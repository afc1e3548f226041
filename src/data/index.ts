export * from './database-attributes';
export * from './kafka';
export * from './mysql';
export * from './postgres';
export * from './redis';
export * from './redis-attributes';
export * from './sql-server';
export * from './sql-server-props';
