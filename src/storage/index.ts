export * from './bucket-attributes';
export * from './minio-bucket';
export * from './minio-with-buckets';
export * from './nfs-shared-volume';
