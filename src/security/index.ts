export * from './platform-tls';
export * from './federation-proxy';
