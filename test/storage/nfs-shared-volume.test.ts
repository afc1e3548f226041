import { Size, Testing } from 'cdk8s';
import { NfsSharedVolume } from '../../src/storage/nfs-shared-volume';
import { addRestrictedContainer, workload } from '../data/fixtures';
import { container, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

/** The workloads that mount the share run as Airflow's user. */
const AIRFLOW_USER = { user: 50000, group: 0, fsGroup: 50000 };

describe('NfsSharedVolume', () => {
  test('renders a PersistentVolume pointing at the export and a claim bound to it by name, with no storage class', () => {
    // GIVEN
    const chart = testChart('ml');
    // WHEN
    const nfs = new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/ml' });
    // THEN
    const manifests = synthValid(chart);
    const [pv] = objectsOfKind(manifests, 'PersistentVolume');
    const [pvc] = objectsOfKind(manifests, 'PersistentVolumeClaim');
    expect(pv.metadata.name).toBe(nfs.persistentVolume.name);
    expect(pv.metadata.namespace).toBeUndefined();
    expect(pv.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'nfs', 'app.kubernetes.io/component': 'shared-volume' });
    expect(pv.spec).toEqual({
      nfs: { server: 'nfs.example.com', path: '/exports/ml' },
      mountOptions: ['hard', 'nfsvers=4.1'],
      persistentVolumeReclaimPolicy: 'Retain',
      capacity: { storage: '10Gi' },
      accessModes: ['ReadWriteMany'],
      storageClassName: '',
      volumeMode: 'Filesystem',
      claimRef: { namespace: 'ml', name: pvc.metadata.name },
    });
    expect(pvc.metadata).toEqual({
      name: nfs.claim.name, namespace: 'ml', labels: pv.metadata.labels, annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' },
    });
    expect(pvc.spec).toEqual({
      volumeName: pv.metadata.name,
      storageClassName: '',
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: '10Gi' } },
      volumeMode: 'Filesystem',
    });
  });

  test('a Deployment mounting it passes the harness and mounts the claim, never an inline nfs volume', () => {
    // GIVEN
    const chart = testChart('ml');
    const nfs = new NfsSharedVolume(chart, 'Shared', { server: '10.0.0.5', path: '/exports/ml' });
    const { main } = workload(chart, 'Scheduler', AIRFLOW_USER);
    // WHEN
    main.mount('/shared', nfs);
    // THEN
    const manifests = synthValid(chart);
    const deployment = objectNamed(manifests, 'Deployment', 'scheduler');
    const [volume] = podSpec(deployment).volumes;
    expect(volume).toEqual({ name: volume.name, persistentVolumeClaim: { claimName: nfs.claim.name, readOnly: false } });
    expect(container(deployment, 'main').volumeMounts).toEqual([{ mountPath: '/shared', name: volume.name }]);
  });

  test('two containers of one pod can mount it: asVolume returns the same volume', () => {
    // GIVEN
    const chart = testChart('ml');
    const nfs = new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/ml' });
    const { deployment, main } = workload(chart, 'Worker', AIRFLOW_USER);
    const sidecar = addRestrictedContainer(deployment, 'sidecar', AIRFLOW_USER);
    // WHEN
    main.mount('/shared', nfs);
    sidecar.mount('/logs', nfs, { subPath: 'logs' });
    // THEN
    expect(nfs.asVolume()).toBe(nfs.asVolume());
    const manifests = synthValid(chart);
    expect(podSpec(objectNamed(manifests, 'Deployment', 'worker')).volumes).toHaveLength(1);
  });

  test('readOnly makes the volume, the claim and every mount read-only', () => {
    // GIVEN
    const chart = testChart('ml');
    const { main } = workload(chart, 'Reader', AIRFLOW_USER);
    // WHEN
    const nfs = new NfsSharedVolume(chart, 'Models', { server: 'nfs.example.com', path: '/exports/models', readOnly: true });
    main.mount('/models', nfs);
    // THEN
    const manifests = synthValid(chart);
    const [pv] = objectsOfKind(manifests, 'PersistentVolume');
    const [pvc] = objectsOfKind(manifests, 'PersistentVolumeClaim');
    expect(pv.spec.accessModes).toEqual(['ReadOnlyMany']);
    expect(pv.spec.nfs).toEqual({ server: 'nfs.example.com', path: '/exports/models', readOnly: true });
    expect(pvc.spec.accessModes).toEqual(['ReadOnlyMany']);
    expect(podSpec(objectNamed(manifests, 'Deployment', 'reader')).volumes[0].persistentVolumeClaim.readOnly).toBe(true);
  });

  test('takes the size and mount options it is given', () => {
    // GIVEN
    const chart = testChart('ml');
    // WHEN
    new NfsSharedVolume(chart, 'Shared', {
      server: 'nas01', path: '/volume1/ml', storageSize: Size.tebibytes(2), mountOptions: ['nfsvers=3', 'nolock'],
    });
    // THEN
    const manifests = synthValid(chart);
    const [pv] = objectsOfKind(manifests, 'PersistentVolume');
    const [pvc] = objectsOfKind(manifests, 'PersistentVolumeClaim');
    expect(pv.spec.mountOptions).toEqual(['nfsvers=3', 'nolock']);
    expect(pv.spec.capacity).toEqual({ storage: '2048Gi' });
    expect(pvc.spec.resources.requests).toEqual({ storage: '2048Gi' });
  });

  test('the cluster-wide volume is named after the namespace too, and reserves itself only when the namespace is known', () => {
    // GIVEN
    const dev = testChart('dev');
    const staging = testChart('staging');
    const anywhere = testChart();
    // WHEN
    for (const chart of [dev, staging, anywhere]) {
      new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/ml' });
    }
    // THEN
    const names = [dev, staging, anywhere].map((chart) => objectsOfKind(synthValid(chart), 'PersistentVolume')[0].metadata.name);
    expect(new Set(names).size).toBe(3);
    const [pv] = objectsOfKind(synthValid(anywhere), 'PersistentVolume');
    expect(pv.spec.claimRef).toBeUndefined();
    expect(objectsOfKind(synthValid(anywhere), 'PersistentVolumeClaim')[0].spec.volumeName).toBe(pv.metadata.name);
  });

  test('synthesizes byte-identical output twice', () => {
    const synth = () => {
      const chart = testChart('ml');
      const nfs = new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/ml' });
      workload(chart, 'Scheduler', AIRFLOW_USER).main.mount('/shared', nfs);
      return JSON.stringify(Testing.synth(chart));
    };
    expect(synth()).toBe(synth());
  });

  test('default output', () => {
    const chart = testChart('ml');
    new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/ml' });
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('fails when the server is empty', () => {
    const chart = testChart('ml');
    expect(() => new NfsSharedVolume(chart, 'Shared', { server: '', path: '/exports/ml' })).toThrow(
      "NfsSharedVolume 'test/Shared': server is invalid: expected a host name, got ''; give e.g. 'nfs.example.com'");
  });

  test.each(['nfs://nfs.example.com', 'nfs.example.com:/exports', '10.0.0.256', 'nfs_server'])('fails when the server is %s', (server) => {
    const chart = testChart('ml');
    expect(() => new NfsSharedVolume(chart, 'Shared', { server, path: '/exports/ml' })).toThrow(
      `NfsSharedVolume 'test/Shared': server '${server}' is invalid: must be a DNS name or an IP address, without a scheme, credentials, port, path or whitespace, e.g. 'nfs.example.com'`);
  });

  test('accepts IPv6 addresses and single-label host names', () => {
    const chart = testChart('ml');
    expect(() => new NfsSharedVolume(chart, 'A', { server: 'fd00::5', path: '/a' })).not.toThrow();
    expect(() => new NfsSharedVolume(chart, 'B', { server: 'nas01', path: '/b' })).not.toThrow();
  });

  test('fails when the path is relative', () => {
    const chart = testChart('ml');
    expect(() => new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: 'exports/ml' })).toThrow(
      "NfsSharedVolume 'test/Shared': NFS export path 'exports/ml' is invalid: must be absolute; start it with '/', e.g. '/exports/mlops'");
  });

  test('fails when the path climbs with ..', () => {
    const chart = testChart('ml');
    expect(() => new NfsSharedVolume(chart, 'Shared', { server: 'nfs.example.com', path: '/exports/../etc' })).toThrow(
      "NfsSharedVolume 'test/Shared': NFS export path '/exports/../etc' is invalid: must not contain '..' segments; give the export's real path");
  });

  test('fails when the size is not a whole number of gibibytes', () => {
    const chart = testChart('ml');
    expect(() => new NfsSharedVolume(chart, 'Shared', {
      server: 'nfs.example.com', path: '/exports/ml', storageSize: Size.mebibytes(500),
    })).toThrow("NfsSharedVolume 'test/Shared': storageSize '500Mi' is invalid: must be a whole number of gibibytes, at least 1Gi; e.g. Size.gibibytes(10)");
  });

  test('fails when a mount option holds several options', () => {
    const chart = testChart('ml');
    expect(() => new NfsSharedVolume(chart, 'Shared', {
      server: 'nfs.example.com', path: '/exports/ml', mountOptions: ['hard,nfsvers=4.1'],
    })).toThrow("NfsSharedVolume 'test/Shared': mount option 'hard,nfsvers=4.1' is invalid: must be one option without spaces or commas; "
      + "give each option as its own item, e.g. ['hard', 'nfsvers=4.1']");
  });
});
