import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Credentials, DagSource, MinioBucket, MultiClusterPlatform, MultiClusterPlatformProps, PlatformProfile, Postgres, PrimaryClusterOptions,
  SecretSource, ServiceEndpoint, ServingCluster, ServingClusterOptions,
} from '../../src';
import { container, envOf, objectNamed, objectsOfKind, testChart, validManifests } from '../util';
import { existingSecrets } from './mlops-core-fixtures';

const dags = DagSource.fromGit({ repository: 'https://github.com/example/dags.git', subPath: 'dags' });
const minioEndpoint = ServiceEndpoint.fromHost('minio.example.com', 9000);
/** Nothing is written there: a test that synthesizes to it by mistake fails. */
const OUTDIR = '/nonexistent';
const PLATFORM = "MultiClusterPlatform 'nonexistent': ";
const PRIMARY = "PrimaryCluster 'primary': ";
/** The primary's egress addresses, and a serving cluster's (documentation ranges). */
const PRIMARY_EGRESS = '198.51.100.0/24';
const SERVING_EGRESS = '203.0.113.0/24';

function newPlatform(props: Partial<MultiClusterPlatformProps> = {}): MultiClusterPlatform {
  return new MultiClusterPlatform({ outdir: OUTDIR, ...props });
}

/** A platform with the primary `primary` and its platform: the shared MinIO at `minioEndpoint`. */
function multiCluster(primary: Partial<PrimaryClusterOptions> = {}, props: Partial<MultiClusterPlatformProps> = {}): MultiClusterPlatform {
  const platform = newPlatform(props);
  platform.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: minioEndpoint, egressCidr: PRIMARY_EGRESS, ...primary }).addPlatform({ dags });
  return platform;
}

function serving(clusterName: string, options: Partial<ServingClusterOptions> = {}): ServingClusterOptions {
  return { clusterName, prometheusEndpoint: ServiceEndpoint.fromHost(`prometheus.${clusterName}.example.com`, 9090), egressCidr: SERVING_EGRESS, ...options };
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
    const scrape = objectNamed(manifests, 'ScrapeConfig', 'federate-eu');
    expect(scrape.spec.staticConfigs[0].targets).toEqual(['prometheus.eu.example.com:9090']);
    expect(platform.clusters).toEqual(['primary', 'eu']);
  });

  test("a production primary gives each serving cluster's MinIO user the keys of an existing Secret, and generates nothing", () => {
    const platform = newPlatform();
    const primary = platform.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: minioEndpoint, egressCidr: PRIMARY_EGRESS });
    const { secrets, externals } = existingSecrets(primary);
    primary.addPlatform({ dags, profile: PlatformProfile.PRODUCTION, secrets, tls: false });
    const euKeys = SecretSource.fromSecret(kplus.Secret.fromSecretName(primary, 'EuKeys', 'serving-eu-s3'));
    platform.addServingCluster(serving('eu', { modelsUserCredentials: euKeys }));
    const manifests = validManifests(Testing.synth(primary), [...externals, { kind: 'Secret', name: 'serving-eu-s3', namespace: 'mlops', keys: ['password'] }]);
    expect(objectsOfKind(manifests, 'Secret').filter((s) => s.metadata.annotations?.['mlops.cdk8s.io/generated-keys'])).toEqual([]);
    expect(platform.primaryCredentialsFor('eu').secret.name).toBe('serving-eu-s3');
    const grants = objectsOfKind(manifests, 'Job').filter((job) => job.metadata.name.includes('models-grant'))
      .map((job) => envOf(container(job, 'mc')).USER_SECRET_KEY.valueFrom.secretKeyRef.name);
    expect(grants.sort()).toEqual(['airflow-s3', 'serving-eu-s3']);
  });

  test('a production primary refuses a serving cluster without modelsUserCredentials', () => {
    const platform = newPlatform();
    const primary = platform.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: minioEndpoint, egressCidr: PRIMARY_EGRESS });
    primary.addPlatform({ dags, profile: PlatformProfile.PRODUCTION, secrets: existingSecrets(primary).secrets, tls: false });
    expect(() => platform.addServingCluster(serving('eu'))).toThrow(`${PRIMARY}serving cluster 'eu': profile production refuses credentials `
      + 'generated in the cluster: modelsUserCredentials (its MinIO user on the models bucket) is missing; '
      + "give it an existing Secret in the primary's namespace with SecretSource.fromSecret(...)");
  });

  test("objects created in the primary's chart before its platform are written to the primary's folder and used by the platform", () => {
    const outdir = mkdtempSync(join(tmpdir(), 'multicluster-'));
    try {
      const platform = newPlatform({ outdir });
      const primary = platform.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: minioEndpoint, egressCidr: PRIMARY_EGRESS });
      // A Postgres of the team's and an existing Secret, in the primary's scope, passed into the platform's props.
      const postgres = new Postgres(primary, 'TeamPostgres', { databases: ['airflow', 'mlflow'] });
      const adminPassword = SecretSource.fromSecret(kplus.Secret.fromSecretName(primary, 'AirflowAdmin', 'airflow-admin'));
      const core = primary.addPlatform({
        dags,
        airflowDatabase: postgres.database('airflow'),
        mlflowDatabase: postgres.database('mlflow'),
        secrets: { airflowAdminPassword: adminPassword },
      });
      platform.addServingCluster(serving('eu'));
      platform.synth();

      expect(core.postgres).toBeUndefined();
      const manifests = validManifests(Yaml.load(join(outdir, 'primary', 'primary.k8s.yaml')), [
        { kind: 'Secret', name: 'airflow-admin', namespace: 'mlops', keys: ['password'] },
      ]);
      const statefulSet = objectNamed(manifests, 'StatefulSet', 'postgres');
      expect(statefulSet.metadata.name).toMatch(/^primary-teampostgres-/);
      const service = objectNamed(manifests, 'Service', 'teampostgres-service').metadata.name;
      const scheduler = container(objectNamed(manifests, 'Deployment', 'airflow-scheduler'), 'scheduler');
      expect(envOf(scheduler).AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD.value).toContain(`"@${service}.mlops.svc:5432/airflow"`);
      const createAdmin = container(objectNamed(manifests, 'Job', 'createadmin'), 'create-admin');
      expect(envOf(createAdmin).ADMIN_PASSWORD).toEqual({ valueFrom: { secretKeyRef: { name: 'airflow-admin', key: 'password' } } });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
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
    const platform = newPlatform();
    const primary = platform.addPrimary({ clusterName: 'main', egressCidr: PRIMARY_EGRESS });
    const bucket = MinioBucket.fromBucketAttributes(primary, 'S3', {
      bucketName: 'team-models',
      endpoint: ServiceEndpoint.fromHost('s3.eu-west-1.amazonaws.com', 443, 'https'),
      region: 'eu-west-1',
      credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(primary, 'S3Keys', 's3-keys')),
    });
    primary.addPlatform({ dags, modelsBucket: bucket });
    const eu = platform.addServingCluster(serving('eu'));
    expect(eu.modelsBucket.bucketName).toBe('team-models');
    expect(eu.modelsBucket.objectStore.endpoint.url()).toBe('https://s3.eu-west-1.amazonaws.com:443');
    expect(eu.modelsBucket.objectStore.region).toBe('eu-west-1');
    expect(objectsOfKind(Testing.synth(platform.primaryChart), 'Service').filter((s) => s.metadata.name.includes('sharedstorage'))).toEqual([]);
    expect(() => platform.primaryCredentialsFor('eu')).toThrow(
      `${PLATFORM}primaryCredentialsFor('eu'): no MinIO user for that cluster (serving clusters with one: none); users exist only for serving clusters added with addServingCluster while the primary runs its own MinIO`);
  });
});

describe('MultiClusterPlatform bad input', () => {
  test('duplicate cluster names', () => {
    const platform = multiCluster();
    platform.addServingCluster(serving('eu'));
    expect(() => platform.addServingCluster(serving('eu'))).toThrow(
      `${PLATFORM}clusterName 'eu' is invalid: another cluster has it, and it names the cluster's folder, Application and Prometheus label; give each cluster its own`);
    expect(() => platform.addServingCluster(serving('primary'))).toThrow(`${PLATFORM}clusterName 'primary' is invalid: another cluster has it`);
    expect(platform.clusters).toEqual(['primary', 'eu']);
  });

  test('invalid and reserved cluster names', () => {
    expect(() => newPlatform().addPrimary({ clusterName: 'Primary_1' })).toThrow(
      `${PLATFORM}addPrimary: clusterName 'Primary_1' is invalid: must contain only lowercase letters, digits and '-'`);
    expect(() => multiCluster().addServingCluster(serving('argocd'))).toThrow(
      `${PLATFORM}clusterName 'argocd' is invalid: the folder 'argocd' holds the Argo CD Applications; give the cluster another name`);
  });

  test("a ServingCluster's clusterName, given or defaulting to its id, that is not a DNS label", () => {
    const chart = testChart('mlops');
    const props = {
      modelsBucket: MinioBucket.fromBucketAttributes(chart, 'Models', {
        bucketName: 'models', endpoint: minioEndpoint, credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'Keys', 'keys')),
      }),
      prometheusEndpoint: ServiceEndpoint.fromHost('prometheus.eu.example.com', 9090),
      federatedFrom: PRIMARY_EGRESS,
    };
    expect(() => new ServingCluster(chart, 'Serving_EU', props)).toThrow(
      "ServingCluster 'test/Serving_EU': clusterName 'serving_eu' is invalid: must contain only lowercase letters, digits and '-' (it defaults to the construct's id, lower-cased); give clusterName");
    expect(() => new ServingCluster(chart, 'Eu', { ...props, clusterName: '-eu' })).toThrow(
      "ServingCluster 'test/Eu': clusterName '-eu' is invalid: must start and end with a letter or digit");
  });

  test('a serving cluster before the primary, or before its platform', () => {
    const platform = newPlatform();
    expect(() => platform.addServingCluster(serving('eu'))).toThrow(
      `${PLATFORM}addServingCluster('eu'): there is no primary cluster yet: serving clusters read its models bucket and its Prometheus federates them; call addPrimary({ clusterName, ... }) and primary.addPlatform({ dags, ... }) first`);
    platform.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: minioEndpoint, egressCidr: PRIMARY_EGRESS });
    expect(() => platform.addServingCluster(serving('eu'))).toThrow(
      `${PRIMARY}addServingCluster('eu'): the primary has no platform yet; call addPlatform({ dags, ... }) on it first`);
    expect(platform.clusters).toEqual(['primary']);
  });

  test('a second primary, and a second platform on the primary', () => {
    const platform = multiCluster();
    expect(() => platform.addPrimary({ clusterName: 'other' })).toThrow(
      `${PLATFORM}addPrimary('other'): the platform has a primary already, 'primary'; a platform has one primary: add the other clusters with addServingCluster(...)`);
    expect(() => platform.primaryChart.addPlatform({ dags })).toThrow(
      `${PRIMARY}addPlatform was called before: a primary cluster has one platform; pass all its props in one call`);
  });

  test('synth without a primary, without its platform, or without a serving cluster', () => {
    const platform = newPlatform();
    expect(() => platform.synth()).toThrow(
      `${PLATFORM}synth(): there is no primary cluster: add it with addPrimary({ clusterName, ... }) and its platform with primary.addPlatform({ dags, ... })`);
    expect(() => platform.primaryChart).toThrow(`${PLATFORM}primaryChart: there is no primary cluster yet; add it with addPrimary({ clusterName, ... })`);
    const primary = platform.addPrimary({ clusterName: 'primary', sharedStorageEndpoint: minioEndpoint, egressCidr: PRIMARY_EGRESS });
    expect(() => platform.synth()).toThrow(`${PRIMARY}synth(): the primary has no platform yet; call addPlatform({ dags, ... }) on it first`);
    expect(() => primary.platform).toThrow(`${PRIMARY}platform: the primary has no platform yet; call addPlatform({ dags, ... }) on it first`);
    primary.addPlatform({ dags });
    expect(() => platform.synth()).toThrow(
      `${PLATFORM}synth(): there is no serving cluster: add at least one with addServingCluster(...), or use MlopsCore alone for a single cluster`);
  });

  test('platform props the primary sets', () => {
    const primary = newPlatform().addPrimary({ clusterName: 'primary', sharedStorageEndpoint: minioEndpoint, egressCidr: PRIMARY_EGRESS });
    expect(() => primary.addPlatform({ dags, monitoring: false })).toThrow(
      `${PRIMARY}addPlatform: monitoring is invalid: the primary cluster sets it (the cluster name is the primary's clusterName, and the primary runs the federating Prometheus); remove it`);
    expect(() => primary.addPlatform({ dags, clusterName: 'main' })).toThrow(`${PRIMARY}addPlatform: clusterName is invalid: the primary cluster sets it`);
  });

  test('no endpoint for the shared MinIO, or a Service type for a MinIO the primary does not run', () => {
    expect(() => multiCluster({ sharedStorageEndpoint: undefined })).toThrow(
      `${PRIMARY}sharedStorageEndpoint is missing: the serving clusters read models from the primary's MinIO, and need the address they reach it at; give it to addPrimary, e.g. ServiceEndpoint.fromHost('minio.mlops.example.com', 9000)`);
    const primary = newPlatform().addPrimary({ clusterName: 'primary', sharedStorageServiceType: kplus.ServiceType.NODE_PORT, egressCidr: PRIMARY_EGRESS });
    const modelsBucket = MinioBucket.fromBucketAttributes(primary, 'S3', {
      bucketName: 'team-models',
      endpoint: ServiceEndpoint.fromHost('s3.example.com', 443, 'https'),
      credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(primary, 'S3Keys', 's3-keys')),
    });
    expect(() => primary.addPlatform({ dags, modelsBucket })).toThrow(
      `${PRIMARY}sharedStorageServiceType is invalid: the models bucket is not in the primary's MinIO, so there is nothing to expose; remove it`);
  });

  test('a Service type other clusters cannot reach, and a NodePort out of range', () => {
    expect(() => multiCluster({ sharedStorageServiceType: kplus.ServiceType.CLUSTER_IP })).toThrow(
      `${PRIMARY}sharedStorageServiceType 'ClusterIP' is invalid: other clusters cannot reach a ClusterIP Service; use kplus.ServiceType.LOAD_BALANCER or kplus.ServiceType.NODE_PORT`);
    expect(() => multiCluster().addServingCluster(serving('eu', { prometheusServiceType: kplus.ServiceType.NODE_PORT }))).toThrow(
      "ServingCluster 'eu/Serving': prometheusServiceType NodePort with endpoint port '9090' is invalid: the endpoint's port is the NodePort, a whole number from 30000 to 32767");
  });

  test('egress addresses that are not a CIDR', () => {
    expect(() => multiCluster({ egressCidr: '10.1.0.0/33' })).toThrow(
      `${PLATFORM}addPrimary: egressCidr '10.1.0.0/33' is invalid: give an IPv4 CIDR, e.g. '198.51.100.0/24' (or '0.0.0.0/0' for anywhere)`);
    expect(() => multiCluster().addServingCluster(serving('eu', { egressCidr: '10.2.0.0' }))).toThrow(
      `${PLATFORM}addServingCluster: egressCidr '10.2.0.0' is invalid: give an IPv4 CIDR, e.g. '198.51.100.0/24' (or '0.0.0.0/0' for anywhere)`);
  });
});
