import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Credentials, ServiceEndpoint } from '../../src';
import { BucketAttributes, MinioBucket } from '../../src/storage';
import { testChart } from '../util';

function attributes(chart: any, overrides: Partial<BucketAttributes> = {}): BucketAttributes {
  const secret = kplus.Secret.fromSecretName(chart, 'S3Keys', 's3-keys');
  return {
    bucketName: 'ml-artifacts',
    endpoint: ServiceEndpoint.fromHost('s3.eu-west-1.amazonaws.com', 443, 'https'),
    credentials: Credentials.fromSecret(secret, { keys: { username: 'AWS_ACCESS_KEY_ID', password: 'AWS_SECRET_ACCESS_KEY' } }),
    ...overrides,
  };
}

describe('MinioBucket.fromBucketAttributes', () => {
  test('imports a bucket with its store\'s endpoint, region us-east-1 and path style by default', () => {
    // GIVEN
    const chart = testChart('tracking');
    // WHEN
    const bucket = MinioBucket.fromBucketAttributes(chart, 'Artifacts', attributes(chart));
    // THEN
    expect(bucket.bucketName).toBe('ml-artifacts');
    expect(bucket.objectStore.endpoint.url()).toBe('https://s3.eu-west-1.amazonaws.com:443');
    expect(bucket.objectStore.region).toBe('us-east-1');
    expect(bucket.objectStore.pathStyle).toBe(true);
    expect(bucket.s3Uri()).toBe('s3://ml-artifacts');
    expect(bucket.s3Uri('models/1')).toBe('s3://ml-artifacts/models/1');
  });

  test('region and path style as given', () => {
    const chart = testChart();
    const bucket = MinioBucket.fromBucketAttributes(chart, 'Artifacts', attributes(chart, { region: 'eu-west-1', pathStyle: false }));
    expect(bucket.objectStore.region).toBe('eu-west-1');
    expect(bucket.objectStore.pathStyle).toBe(false);
  });

  test('grants return the given credentials and add nothing to the manifests', () => {
    // GIVEN
    const chart = testChart('tracking');
    const attrs = attributes(chart);
    const bucket = MinioBucket.fromBucketAttributes(chart, 'Artifacts', attrs);
    const app = kplus.Pods.select(chart, 'App', { labels: { app: 'mlflow' } });
    // WHEN
    const read = bucket.grantRead(app);
    const readWrite = bucket.grantReadWrite(app);
    // THEN
    expect(read).toBe(attrs.credentials);
    expect(readWrite).toBe(attrs.credentials);
    expect(read.envValue(Credentials.USERNAME).valueFrom).toEqual({ secretKeyRef: { name: 's3-keys', key: 'AWS_ACCESS_KEY_ID' } });
    expect(Testing.synth(chart)).toEqual([]);
  });

  test('fails on a bucket name with upper case and an underscore', () => {
    const chart = testChart();
    expect(() => MinioBucket.fromBucketAttributes(chart, 'Artifacts', attributes(chart, { bucketName: 'My_Bucket' }))).toThrow(
      "ExternalBucket 'test/Artifacts': bucket name 'My_Bucket' is invalid: must contain only lowercase letters, digits, '.' and '-'");
  });

  test('fails on a bucket name that is too short', () => {
    const chart = testChart();
    expect(() => MinioBucket.fromBucketAttributes(chart, 'Artifacts', attributes(chart, { bucketName: 'ab' }))).toThrow(
      "ExternalBucket 'test/Artifacts': bucket name 'ab' is invalid: must be 3-63 characters long (has 2)");
  });

  test('fails on a bucket name with adjacent periods', () => {
    const chart = testChart();
    expect(() => MinioBucket.fromBucketAttributes(chart, 'Artifacts', attributes(chart, { bucketName: 'a..b' }))).toThrow(
      "ExternalBucket 'test/Artifacts': bucket name 'a..b' is invalid: must not contain two adjacent periods '..'");
  });

  test('fails on an empty region', () => {
    const chart = testChart();
    expect(() => MinioBucket.fromBucketAttributes(chart, 'Artifacts', attributes(chart, { region: '' }))).toThrow(
      "ExternalBucket 'test/Artifacts': region '' is invalid: must be non-empty without spaces; give the store's region, e.g. 'us-east-1'");
  });
});
