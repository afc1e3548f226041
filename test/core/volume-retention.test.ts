import { Kafka, MinioWithBuckets, Mysql, NfsSharedVolume, Postgres, Redis, VolumeRetention } from '../../src';
import { NAMESPACE, platform } from '../platform/mlops-core-fixtures';
import { objectsOfKind, synthValid, testChart } from '../util';

const KEEP = { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };

/** The annotations of every PersistentVolumeClaim and PersistentVolume, by kind and name. */
function claimAnnotations(manifests: any[]): Array<[string, Record<string, string> | undefined]> {
  return [...objectsOfKind(manifests, 'PersistentVolumeClaim'), ...objectsOfKind(manifests, 'PersistentVolume')]
    .map((claim) => [`${claim.kind}/${claim.metadata.name.replace(/-[0-9a-f]{8}$/, '')}`, claim.metadata.annotations]);
}

describe('VolumeRetention', () => {
  test('every store keeps its claim by default, for Argo CD', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    new Postgres(chart, 'Postgres');
    new Mysql(chart, 'Mysql');
    new Redis(chart, 'Redis', { persistence: true });
    new MinioWithBuckets(chart, 'Minio');
    new Kafka(chart, 'Kafka');
    const nfs = new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/mlops' });
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    expect(claimAnnotations(manifests)).toEqual([
      ['PersistentVolumeClaim/test-postgres-data', KEEP],
      ['PersistentVolumeClaim/test-mysql-data', KEEP],
      ['PersistentVolumeClaim/test-redis-data', KEEP],
      ['PersistentVolumeClaim/test-minio-data', KEEP],
      ['PersistentVolumeClaim/test-kafka-data', KEEP],
      ['PersistentVolumeClaim/test-shared-claim', KEEP],
      ['PersistentVolume/test-shared-mlops', KEEP],
    ]);
    expect(objectsOfKind(manifests, 'PersistentVolume')[0].spec.persistentVolumeReclaimPolicy).toBe('Retain');
    expect(nfs.persistentVolume).toBeDefined();
  });

  test('VolumeRetention.DELETE lets each claim go with the app; the NFS volume still retains its files', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    const volumeRetention = VolumeRetention.DELETE;
    new Postgres(chart, 'Postgres', { volumeRetention });
    new Mysql(chart, 'Mysql', { volumeRetention });
    new Redis(chart, 'Redis', { persistence: true, volumeRetention });
    new MinioWithBuckets(chart, 'Minio', { volumeRetention });
    new Kafka(chart, 'Kafka', { volumeRetention });
    new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/mlops', volumeRetention });
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    expect(claimAnnotations(manifests).filter(([, annotations]) => annotations !== undefined)).toEqual([]);
    expect(objectsOfKind(manifests, 'PersistentVolume')[0].spec.persistentVolumeReclaimPolicy).toBe('Retain');
  });

  test('MlopsCore: settings.volumeRetention is the one switch for every store and the share', () => {
    // GIVEN
    const kept = testChart(NAMESPACE);
    platform({ sharedVolume: { server: 'nfs.example.com', path: '/exports/mlops' }, settings: { redis: { storageClassName: 'fast' } } }, kept);
    const deleted = testChart(NAMESPACE);
    platform({
      sharedVolume: { server: 'nfs.example.com', path: '/exports/mlops' },
      settings: { redis: { storageClassName: 'fast' }, volumeRetention: VolumeRetention.DELETE },
    }, deleted);
    // WHEN
    const keptClaims = claimAnnotations(synthValid(kept));
    const deletedClaims = claimAnnotations(synthValid(deleted));
    // THEN
    expect(keptClaims.map(([name]) => name)).toEqual(expect.arrayContaining([
      'PersistentVolumeClaim/test-platform-postgres-data', 'PersistentVolumeClaim/test-platform-minio-data',
      'PersistentVolumeClaim/test-platform-redis-data', 'PersistentVolumeClaim/test-platform-sharedvolume-claim',
      'PersistentVolume/test-platform-sharedvolume-mlops',
    ]));
    expect(keptClaims.filter(([, annotations]) => annotations?.['argocd.argoproj.io/sync-options'] !== KEEP['argocd.argoproj.io/sync-options'])).toEqual([]);
    expect(deletedClaims.filter(([, annotations]) => annotations?.['argocd.argoproj.io/sync-options'] !== undefined)).toEqual([]);
  });

  test('refuses a value that is not a VolumeRetention', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    // THEN
    expect(() => new Postgres(chart, 'Postgres', { volumeRetention: 'Delete' as any }))
      .toThrow(/Postgres 'test\/Postgres': props.volumeRetention is invalid: expected a VolumeRetention, got a string \("Delete"\); give e\.g\. VolumeRetention\.DELETE/);
    expect(() => platform({ settings: { volumeRetention: 'Delete' as any } }))
      .toThrow(/settings\.volumeRetention is invalid: expected a VolumeRetention, got a string \("Delete"\); give e\.g\. VolumeRetention\.DELETE/);
  });
});
