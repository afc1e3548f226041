import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MinioWithBuckets } from '../../src';
import { registerLibraryConstruct, setSubtreeMetadata } from '../../src/core/library-metadata';
import { workload } from '../data/fixtures';
import { objectsOfKind, testChart } from '../util';

describe('the labels of the library\'s objects', () => {
  test('an object a verb adds later carries the labels of the component that made it; the user\'s own objects none', () => {
    const chart = testChart('ml');
    const minio = new MinioWithBuckets(chart, 'Minio');
    const reader = workload(chart, 'Reader').deployment;
    minio.addBucket('models').grantRead(reader);
    const manifests = Testing.synth(chart);
    const policy = objectsOfKind(manifests, 'NetworkPolicy').find((p) => p.metadata.name.includes('allowfrom-test-reader'));
    expect(policy.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'minio',
      'app.kubernetes.io/component': 'object-store',
      'app.kubernetes.io/part-of': 'cdk8s-mlops',
      'app.kubernetes.io/managed-by': 'cdk8s',
    });
    const userDeployment = objectsOfKind(manifests, 'Deployment').find((d) => d.metadata.name === reader.name);
    expect(userDeployment.metadata.labels?.['app.kubernetes.io/part-of']).toBeUndefined();
  });

  test("an object's own labels win, and a platform's labels and annotations by kind are added under it", () => {
    const chart = testChart('ml');
    const platform = new Construct(chart, 'Platform');
    registerLibraryConstruct(platform);
    setSubtreeMetadata(platform, { labels: { 'team': 'vision', 'app.kubernetes.io/part-of': 'overridden' }, annotationsByKind: { Service: { 'example.com/internal': 'true' } } });
    const service = new kplus.Service(platform, 'Api', { ports: [{ port: 80 }], metadata: { labels: { team: 'own' } } });
    new kplus.ConfigMap(platform, 'Settings');
    const [svc] = objectsOfKind(Testing.synth(chart), 'Service');
    expect(svc.metadata.labels).toEqual({ 'team': 'own', 'app.kubernetes.io/part-of': 'cdk8s-mlops', 'app.kubernetes.io/managed-by': 'cdk8s' });
    expect(svc.metadata.annotations).toEqual({ 'example.com/internal': 'true' });
    const [configMap] = objectsOfKind(Testing.synth(chart), 'ConfigMap');
    expect(configMap.metadata.annotations).toBeUndefined();
    expect(ApiObject.of(service).metadata.getLabel('team')).toBe('own');
  });
});
