import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Credentials, DagSource, MinioBucket, MultiClusterPlatform, PrimaryClusterOptions, ServiceEndpoint, ServingCluster, ServingClusterOptions,
} from '../../src';
import { objectsOfKind, testChart, validManifests } from '../util';

const dags = DagSource.fromGit({ repository: 'https://github.com/example/dags.git', subPath: 'dags' });
const PRIMARY_EGRESS = '198.51.100.0/24';
const EU_EGRESS = '203.0.113.0/24';
const ANYWHERE = '0.0.0.0/0';
const MODELS_SECRET = { kind: 'Secret', name: 'primary-models-credentials', namespace: 'mlops' };

interface Variant {
  readonly tls: boolean;
  readonly serviceType: kplus.ServiceType;
}

function platformOf(variant: Variant, primary: Partial<PrimaryClusterOptions> = {}, eu: Partial<ServingClusterOptions> = {}) {
  const scheme = variant.tls ? 'https' : 'http';
  const nodePort = variant.serviceType === kplus.ServiceType.NODE_PORT;
  const platform = new MultiClusterPlatform({ outdir: '/nonexistent' });
  const primaryChart = platform.addPrimary({
    clusterName: 'primary',
    sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', nodePort ? 30900 : 9000, scheme),
    sharedStorageServiceType: variant.serviceType,
    egressCidr: PRIMARY_EGRESS,
    ...primary,
  });
  primaryChart.addPlatform({ dags, tls: variant.tls });
  const serving = platform.addServingCluster({
    clusterName: 'eu',
    prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', nodePort ? 30990 : 443, scheme),
    prometheusServiceType: variant.serviceType,
    egressCidr: EU_EGRESS,
    ...eu,
  });
  return { platform, primary: validManifests(Testing.synth(primaryChart)), eu: validManifests(Testing.synth(Chart.of(serving)), [MODELS_SECRET]) };
}

/** Every CIDR a NetworkPolicy or a Service admits. */
function admittedCidrs(manifests: any[]): string[] {
  const fromPolicies = objectsOfKind(manifests, 'NetworkPolicy')
    .flatMap((policy) => policy.spec.ingress ?? [])
    .flatMap((rule: any) => rule.from ?? [])
    .filter((peer: any) => peer.ipBlock)
    .map((peer: any) => peer.ipBlock.cidr);
  const fromServices = objectsOfKind(manifests, 'Service').flatMap((service) => service.spec.loadBalancerSourceRanges ?? []);
  return [...new Set([...fromPolicies, ...fromServices])].sort();
}

const VARIANTS: Array<[string, Variant]> = [
  ['plain HTTP behind LoadBalancers', { tls: false, serviceType: kplus.ServiceType.LOAD_BALANCER }],
  ['plain HTTP behind NodePorts', { tls: false, serviceType: kplus.ServiceType.NODE_PORT }],
  ['TLS behind LoadBalancers', { tls: true, serviceType: kplus.ServiceType.LOAD_BALANCER }],
  ['TLS behind NodePorts', { tls: true, serviceType: kplus.ServiceType.NODE_PORT }],
];

describe('cross-cluster exposure is limited to the CIDRs given', () => {
  test.each(VARIANTS)('%s: each side admits only the other side\'s egress CIDR, never 0.0.0.0/0', (_name, variant) => {
    const { primary, eu } = platformOf(variant);
    expect(admittedCidrs(primary)).toEqual([EU_EGRESS]);
    expect(admittedCidrs(eu)).toEqual([PRIMARY_EGRESS]);
  });

  test('a LoadBalancer admits the CIDRs at the load balancer too; the MinIO Service one per serving cluster', () => {
    const platform = new MultiClusterPlatform({ outdir: '/nonexistent' });
    platform.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000), egressCidr: PRIMARY_EGRESS })
      .addPlatform({ dags });
    const prometheusEndpoint = (cluster: string) => ServiceEndpoint.fromHost(`prometheus.${cluster}.example.com`, 9090);
    const eu = platform.addServingCluster({ clusterName: 'eu', prometheusEndpoint: prometheusEndpoint('eu'), egressCidr: EU_EGRESS });
    platform.addServingCluster({ clusterName: 'us', prometheusEndpoint: prometheusEndpoint('us'), egressCidr: '192.0.2.0/24' });
    platform.addServingCluster({ clusterName: 'ap', prometheusEndpoint: prometheusEndpoint('ap'), egressCidr: EU_EGRESS });
    const shared = objectsOfKind(Testing.synth(platform.primaryChart), 'Service').filter((s) => s.spec.type === 'LoadBalancer');
    expect(shared.map((s) => s.spec.loadBalancerSourceRanges)).toEqual([[EU_EGRESS, '192.0.2.0/24']]);
    const prometheus = objectsOfKind(Testing.synth(Chart.of(eu)), 'Service').filter((s) => s.spec.type === 'LoadBalancer');
    expect(prometheus.map((s) => [s.spec.externalTrafficPolicy, s.spec.loadBalancerSourceRanges])).toEqual([['Local', [PRIMARY_EGRESS]]]);
  });

  test.each(VARIANTS)('%s: 0.0.0.0/0 given explicitly is what is admitted', (_name, variant) => {
    const { primary, eu } = platformOf(variant, { egressCidr: ANYWHERE }, { egressCidr: ANYWHERE });
    expect(admittedCidrs(primary)).toEqual([ANYWHERE]);
    expect(admittedCidrs(eu)).toEqual([ANYWHERE]);
  });

  test("a serving cluster's egressCidr is not needed when the models bucket is not in the primary's MinIO", () => {
    const platform = new MultiClusterPlatform({ outdir: '/nonexistent' });
    const primary = platform.addPrimary({ clusterName: 'primary', egressCidr: PRIMARY_EGRESS });
    const modelsBucket = MinioBucket.fromBucketAttributes(primary, 'S3', {
      bucketName: 'team-models',
      endpoint: ServiceEndpoint.fromHost('s3.eu-west-1.amazonaws.com', 443, 'https'),
      credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(primary, 'S3Keys', 's3-keys')),
    });
    primary.addPlatform({ dags, modelsBucket });
    const eu = platform.addServingCluster({ clusterName: 'eu', prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090) });
    expect(admittedCidrs(Testing.synth(Chart.of(eu)))).toEqual([PRIMARY_EGRESS]);
  });
});

describe('a missing CIDR is refused, naming the cluster and the prop', () => {
  const suffix = "; give them as an IPv4 CIDR, e.g. '198.51.100.0/24', or '0.0.0.0/0' explicitly to admit any address";

  test("the primary's egressCidr", () => {
    const platform = new MultiClusterPlatform({ outdir: '/nonexistent' });
    expect(() => platform.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000) })).toThrow(
      "PrimaryCluster 'primary': egressCidr is missing: each serving cluster admits only the primary's egress addresses to its federation endpoint "
      + `(its Prometheus, or the FederationProxy with TLS)${suffix}`);
  });

  test("a serving cluster's egressCidr, when the primary's MinIO holds the models bucket", () => {
    const platform = new MultiClusterPlatform({ outdir: '/nonexistent' });
    platform.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: ServiceEndpoint.fromHost('minio.example.com', 9000), egressCidr: PRIMARY_EGRESS })
      .addPlatform({ dags });
    expect(() => platform.addServingCluster({ clusterName: 'eu', prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090) })).toThrow(
      `Chart 'eu': egressCidr is missing: the primary admits only this cluster's egress addresses to its MinIO as the cluster's models user${suffix}`);
  });

  test("a ServingCluster's federatedFrom", () => {
    const chart = testChart('mlops');
    const modelsBucket = MinioBucket.fromBucketAttributes(chart, 'Models', {
      bucketName: 'models',
      endpoint: ServiceEndpoint.fromHost('minio.example.com', 9000),
      credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'Keys', 'keys')),
    });
    expect(() => new ServingCluster(chart, 'Eu', { modelsBucket, prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090) })).toThrow(
      "ServingCluster 'test/Eu': federatedFrom is missing: cluster 'eu' admits only the primary's egress addresses to its federation endpoint "
      + `(its Prometheus, without authentication)${suffix}`);
  });
});
