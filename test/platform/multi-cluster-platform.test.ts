import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Credentials, DagSource, ExternalBucket, MultiClusterPlatform, MultiClusterPlatformProps, PrimaryClusterOptions,
  ServiceEndpoint, ServingClusterOptions,
} from '../../src';
import { objectNamed, objectsOfKind, validManifests } from '../util';

const dags = DagSource.fromGit({ repository: 'https://github.com/example/dags.git', subPath: 'dags' });
const minioEndpoint = ServiceEndpoint.fromHost('minio.example.com', 9000);

function multiCluster(primary: Partial<PrimaryClusterOptions> = {}, props: Partial<MultiClusterPlatformProps> = {}): MultiClusterPlatform {
  return new MultiClusterPlatform({
    outdir: '/nonexistent',
    primary: { clusterName: 'primary', platform: { dags }, sharedStorageEndpoint: minioEndpoint, ...primary },
    ...props,
  });
}

function serving(clusterName: string, options: Partial<ServingClusterOptions> = {}): ServingClusterOptions {
  return { clusterName, prometheusEndpoint: ServiceEndpoint.fromHost(`prometheus.${clusterName}.example.com`, 9090), ...options };
}

describe('MultiClusterPlatform', () => {
  test("each serving cluster gets its own MinIO user on the primary, admitted from the cluster's egress addresses", () => {
    const platform = multiCluster({ egressCidr: '10.1.0.0/16' });
    platform.addServingCluster(serving('eu', { egressCidr: '10.2.0.0/16' }));
    const manifests = validManifests(Testing.synth(platform.primaryChart));
    const credentials = platform.primaryCredentialsFor('eu');
    const secret = objectNamed(manifests, 'Secret', credentials.secret.name);
    expect(secret.metadata.annotations['mlops.cdk8s.io/generated-keys']).toBe('password,username');
    expect(credentials.secretKey(Credentials.USERNAME)).toBe('username');
    const policy = objectNamed(manifests, 'NetworkPolicy', 'allowfrom-primary-servingclusters-eu');
    expect(policy.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '10.2.0.0/16' } }], ports: [{ port: 9000, protocol: 'TCP' }] }]);
    const [grant] = objectsOfKind(manifests, 'Job')
      .filter((job) => job.metadata.name.includes('models-grant') && JSON.stringify(job).includes(credentials.secret.name));
    expect(JSON.stringify(grant.spec.template.spec.containers[0].env)).toContain('s3:GetObject');
    expect(JSON.stringify(grant.spec.template.spec.containers[0].env)).not.toContain('s3:PutObject');

    const secondary = validManifests(Testing.synth(platform.chartOf('eu')), [{ kind: 'Secret', name: 'primary-models-credentials', namespace: 'mlops' }]);
    const federation = objectNamed(secondary, 'NetworkPolicy', 'federatedfrom');
    expect(federation.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: [{ port: 9090, protocol: 'TCP' }] }]);
  });

  test('NodePort exposure uses the endpoint ports as node ports and keeps the caller address', () => {
    const platform = multiCluster({
      sharedStorageEndpoint: ServiceEndpoint.fromHost('10.0.0.5', 30900),
      sharedStorageServiceType: kplus.ServiceType.NODE_PORT,
    });
    platform.addServingCluster(serving('eu', {
      prometheusEndpoint: ServiceEndpoint.fromHost('10.9.0.5', 30990),
      prometheusServiceType: kplus.ServiceType.NODE_PORT,
    }));
    const shared = objectNamed(Testing.synth(platform.primaryChart), 'Service', 'sharedstorage');
    expect(shared.spec).toMatchObject({ type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 30900, targetPort: 9000, nodePort: 30900 }] });
    const prometheus = objectNamed(Testing.synth(platform.chartOf('eu')), 'Service', 'prometheus');
    expect(prometheus.spec).toMatchObject({ type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 9090, nodePort: 30990 }] });
  });

  test('with its own models bucket, the primary exposes nothing and the serving clusters use that bucket', () => {
    // Imports synthesize nothing: any scope will do.
    const chart = Testing.chart();
    const bucket = ExternalBucket.fromBucketAttributes(chart, 'S3', {
      bucketName: 'team-models',
      endpoint: ServiceEndpoint.fromHost('s3.eu-west-1.amazonaws.com', 443, 'https'),
      region: 'eu-west-1',
      credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'S3Keys', 's3-keys')),
    });
    const platform = new MultiClusterPlatform({ outdir: '/nonexistent', primary: { clusterName: 'main', platform: { dags, modelsBucket: bucket } } });
    const eu = platform.addServingCluster(serving('eu'));
    expect(eu.modelsBucket.bucketName).toBe('team-models');
    expect(eu.modelsBucket.objectStore.endpoint.url()).toBe('https://s3.eu-west-1.amazonaws.com:443');
    expect(eu.modelsBucket.objectStore.region).toBe('eu-west-1');
    expect(objectsOfKind(Testing.synth(platform.primaryChart), 'Service').filter((s) => s.metadata.name.includes('sharedstorage'))).toEqual([]);
    expect(() => platform.primaryCredentialsFor('eu')).toThrow(
      "MultiClusterPlatform: primaryCredentialsFor('eu'): no MinIO user for that cluster (serving clusters with one: none); users exist only for serving clusters added with addServingCluster while the primary runs its own MinIO");
  });
});

describe('MultiClusterPlatform bad input', () => {
  test('duplicate cluster names', () => {
    const platform = multiCluster();
    platform.addServingCluster(serving('eu'));
    expect(() => platform.addServingCluster(serving('eu'))).toThrow(
      "MultiClusterPlatform: clusterName 'eu' is invalid: another cluster has it, and it names the cluster's folder, Application and Prometheus label; give each cluster its own");
    expect(() => platform.addServingCluster(serving('primary'))).toThrow("MultiClusterPlatform: clusterName 'primary' is invalid: another cluster has it");
  });

  test('invalid and reserved cluster names', () => {
    expect(() => multiCluster({ clusterName: 'Primary_1' })).toThrow("MultiClusterPlatform: clusterName 'Primary_1' is invalid: ");
    expect(() => multiCluster().addServingCluster(serving('argocd'))).toThrow(
      "MultiClusterPlatform: clusterName 'argocd' is invalid: the folder 'argocd' holds the Argo CD Applications; give the cluster another name");
  });

  test('no serving cluster', () => {
    expect(() => multiCluster().synth()).toThrow(
      'MultiClusterPlatform: no serving cluster: add at least one with addServingCluster(...), or use MlopsCore alone for a single cluster');
  });

  test('platform props the multi-cluster platform sets', () => {
    expect(() => multiCluster({ platform: { dags, monitoring: false } })).toThrow(
      'MultiClusterPlatform: primary.platform.monitoring is invalid: the multi-cluster platform sets it (the cluster name is primary.clusterName, and the primary runs the federating Prometheus); remove it');
  });

  test('no endpoint for the shared MinIO', () => {
    expect(() => multiCluster({ sharedStorageEndpoint: undefined })).toThrow(
      "MultiClusterPlatform: primary.sharedStorageEndpoint is missing: the serving clusters read models from the primary's MinIO, and need the address they reach it at; give it, e.g. ServiceEndpoint.fromHost('minio.mlops.example.com', 9000)");
  });

  test('a Service type other clusters cannot reach, and a NodePort out of range', () => {
    expect(() => multiCluster({ sharedStorageServiceType: kplus.ServiceType.CLUSTER_IP })).toThrow(
      "Chart 'primary': primary.sharedStorageServiceType 'ClusterIP' is invalid: other clusters cannot reach a ClusterIP Service; use kplus.ServiceType.LOAD_BALANCER or kplus.ServiceType.NODE_PORT");
    expect(() => multiCluster().addServingCluster(serving('eu', { prometheusServiceType: kplus.ServiceType.NODE_PORT }))).toThrow(
      "ServingCluster 'eu/Serving': prometheusServiceType NodePort with endpoint port '9090' is invalid: the endpoint's port is the NodePort, a whole number from 30000 to 32767");
  });

  test('egress addresses that are not a CIDR', () => {
    expect(() => multiCluster().addServingCluster(serving('eu', { egressCidr: '10.2.0.0' }))).toThrow(
      "Chart 'eu': egressCidr '10.2.0.0' is invalid: give an IPv4 CIDR, e.g. '10.20.0.0/16' (or '0.0.0.0/0' for anywhere)");
  });
});
