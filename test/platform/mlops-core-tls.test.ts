import * as kplus from 'cdk8s-plus-28';
import { parse } from 'yaml';
import { existingSecrets, NAMESPACE, platform } from './mlops-core-fixtures';
import {
  CertificateIssuer, Credentials, MinioBucket, MinioConsoleRoute, ModelFormat, ModelSource, PlatformAccess, PlatformProfile, ServiceEndpoint,
} from '../../src';
import { container, envOf, objectNamed, objectsOfKind, podSpec, synthValid, testChart } from '../util';

const CA_FILE = '/etc/mlops/ca/ca.crt';

function tlsPlatform() {
  const chart = testChart(NAMESPACE);
  const core = platform({ tls: true }, chart);
  return { chart, core };
}

/** The env of `containerName` in the workload of `kind` named *`name`*. */
function envIn(manifests: any[], kind: string, name: string, containerName: string): Record<string, any> {
  return envOf(container(objectNamed(manifests, kind, name), containerName));
}

function trustsBundle(manifests: any[], kind: string, name: string, containerName: string): void {
  const workload = objectNamed(manifests, kind, name);
  const env = envOf(container(workload, containerName));
  for (const variable of ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'AWS_CA_BUNDLE']) {
    expect({ [variable]: env[variable] }).toEqual({ [variable]: { value: CA_FILE } });
  }
  expect(container(workload, containerName).volumeMounts).toContainEqual({ name: 'ca-bundle', mountPath: '/etc/mlops/ca', readOnly: true });
  expect(podSpec(workload).volumes).toContainEqual(expect.objectContaining({ name: 'ca-bundle', configMap: expect.objectContaining({ name: 'test-platform-tls-ca-bundle' }) }));
}

describe('MlopsCore with TLS', () => {
  test('bootstraps the CA, publishes the bundle into its namespace and passes the harness', () => {
    // GIVEN
    const { chart, core } = tlsPlatform();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    expect(core.tls).toBeDefined();
    const [bundle] = objectsOfKind(manifests, 'Bundle');
    expect(bundle.spec.target.namespaceSelector.matchExpressions[0].values).toEqual([NAMESPACE]);
    expect(objectsOfKind(manifests, 'ClusterIssuer').map((i) => i.metadata.name)).toEqual(['test-platform-tls-selfsigned', 'test-platform-tls-ca']);
  });

  test('MinIO serves https and every client of it gets the https URL and the CA', () => {
    // GIVEN
    const { chart, core } = tlsPlatform();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const minioUrl = core.minio!.endpoint.url();
    expect(minioUrl).toBe(`https://${core.minio!.service.name}.${NAMESPACE}.svc:9000`);
    expect(envIn(manifests, 'Deployment', 'platform-mlflow', 'mlflow').MLFLOW_S3_ENDPOINT_URL).toEqual({ value: minioUrl });
    trustsBundle(manifests, 'Deployment', 'platform-mlflow', 'mlflow');
    for (const [deployment, component] of [['airflow-scheduler', 'scheduler'], ['airflow-apiserver', 'api-server']]) {
      const env = envIn(manifests, 'Deployment', deployment, component);
      expect(JSON.parse(env.AIRFLOW_CONN_DATASETS_S3.value).extra.endpoint_url).toBe(minioUrl);
      trustsBundle(manifests, 'Deployment', deployment, component);
    }
  });

  test('Postgres serves TLS and Airflow, MLflow and their Jobs connect with verify-full', () => {
    // GIVEN
    const { chart, core } = tlsPlatform();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    expect(core.postgres!.endpoint.trustBundle).toBe(core.tls!.trustBundle);
    expect(container(objectNamed(manifests, 'StatefulSet', 'postgres'), 'postgres').args).toContain('ssl=on');
    const clients: Array<[string, string, string]> = [
      ['Deployment', 'airflow-scheduler', 'scheduler'],
      ['Deployment', 'airflow-scheduler', 'wait-for-migrations'],
      ['Deployment', 'platform-mlflow', 'mlflow'],
      ['Deployment', 'platform-mlflow', 'wait-for-schema'],
    ];
    for (const [kind, name, containerName] of clients) {
      const env = envIn(manifests, kind, name, containerName);
      expect({ [containerName]: env.PGSSLMODE }).toEqual({ [containerName]: { value: 'verify-full' } });
      expect({ [containerName]: env.PGSSLROOTCERT }).toEqual({ [containerName]: { value: CA_FILE } });
    }
    for (const job of objectsOfKind(manifests, 'Job').filter((j) => /migrate|upgrade|setup/.test(j.metadata.name))) {
      const main = podSpec(job).containers[0];
      expect({ [job.metadata.name]: envOf(main).PGSSLMODE }).toEqual({ [job.metadata.name]: { value: 'verify-full' } });
    }
  });

  test("Redis serves TLS, and Airflow's Redis connection verifies it", () => {
    // GIVEN
    const { chart, core } = tlsPlatform();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    expect(core.redis!.endpoint.scheme).toBe('rediss');
    const env = envIn(manifests, 'Deployment', 'airflow-scheduler', 'scheduler');
    expect(JSON.parse(env.AIRFLOW_CONN_TASK_VALUES.value)).toEqual({
      conn_type: 'redis',
      host: core.redis!.endpoint.host,
      port: 6379,
      password: '$(CONN_TASK_VALUES_PASSWORD)',
      extra: { db: 0, ssl: true, ssl_cert_reqs: 'required', ssl_check_hostname: true, ssl_ca_certs: CA_FILE },
    });
  });

  test('Airflow task pods trust the CA too', () => {
    // GIVEN
    const { chart } = tlsPlatform();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const template = objectsOfKind(manifests, 'ConfigMap').find((c) => c.data?.['pod_template_file.yaml']);
    const pod = parse(template.data['pod_template_file.yaml']);
    const base = pod.spec.containers.find((c: any) => c.name === 'base');
    expect(envOf(base).AWS_CA_BUNDLE).toEqual({ value: CA_FILE });
    expect(pod.spec.volumes).toContainEqual(expect.objectContaining({ name: 'ca-bundle' }));
  });

  test('training jobs on the platform\'s buckets trust the CA: PEM variables for Python, the truststore for Spark\'s JVM', () => {
    // GIVEN
    const { chart, core } = tlsPlatform();
    // WHEN
    core.addPyTorchDdpJob('Mnist', { image: 'registry.example.com/ml/mnist-ddp:1.0', script: '/workspace/train.py', readBuckets: [core.datasetsBucket] });
    core.addSparkJob('Features', {
      mainApplicationFile: 'local:///opt/app/features.py',
      image: 'registry.example.com/ml/spark-s3a:4.0.4',
      sparkVersion: '4.0.4',
      operatorJobNamespaces: [NAMESPACE],
      readBuckets: [core.datasetsBucket],
      sparkConf: { 'spark.driver.extraJavaOptions': '-Dlog4j.configuration=file:/opt/log4j.properties' },
    });
    const manifests = synthValid(chart);
    // THEN
    const worker = objectsOfKind(manifests, 'PyTorchJob')[0].spec.pytorchReplicaSpecs.Worker.template.spec;
    expect(envOf(worker.containers[0]).AWS_ENDPOINT_URL).toEqual({ value: core.minio!.endpoint.url() });
    expect(envOf(worker.containers[0]).AWS_CA_BUNDLE).toEqual({ value: CA_FILE });
    expect(worker.containers[0].volumeMounts).toContainEqual({ name: 'ca-bundle', mountPath: '/etc/mlops/ca', readOnly: true });
    expect(worker.volumes).toContainEqual(expect.objectContaining({ name: 'ca-bundle', configMap: expect.objectContaining({ name: 'test-platform-tls-ca-bundle' }) }));
    const spark = objectsOfKind(manifests, 'SparkApplication')[0].spec;
    const truststore = '-Djavax.net.ssl.trustStore=/etc/mlops/ca/truststore.p12 -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit';
    expect(spark.sparkConf['spark.hadoop.fs.s3a.connection.ssl.enabled']).toBe('true');
    expect(spark.sparkConf['spark.driver.extraJavaOptions']).toBe(`${truststore} -Dlog4j.configuration=file:/opt/log4j.properties`);
    expect(spark.sparkConf['spark.executor.extraJavaOptions']).toBe(truststore);
  });

  test('Prometheus scrapes MinIO over https against the bundle', () => {
    // GIVEN
    const { chart, core } = tlsPlatform();
    // WHEN
    const manifests = synthValid(chart);
    // THEN
    const monitor = objectsOfKind(manifests, 'ServiceMonitor').find((m) => m.spec.endpoints[0].path === '/minio/v2/metrics/cluster');
    expect(monitor.spec.endpoints[0]).toMatchObject({
      scheme: 'https',
      tlsConfig: {
        ca: { configMap: { name: 'test-platform-tls-ca-bundle', key: 'ca.crt' } },
        serverName: `${core.minio!.service.name}.${NAMESPACE}.svc`,
      },
    });
  });

  test('a KServe predictor on the models bucket downloads over https with the CA bundle', () => {
    // GIVEN
    const { chart, core } = tlsPlatform();
    // WHEN
    core.addPredictor('Iris', { model: ModelSource.fromBucket(core.modelsBucket, 'sklearn/iris'), modelFormat: ModelFormat.SKLEARN });
    const manifests = synthValid(chart);
    // THEN
    const secret = objectsOfKind(manifests, 'Secret').find((s) => s.metadata.annotations?.['serving.kserve.io/s3-endpoint']);
    expect(secret.metadata.annotations).toMatchObject({
      'serving.kserve.io/s3-endpoint': core.minio!.endpoint.hostPort,
      'serving.kserve.io/s3-usehttps': '1',
      'serving.kserve.io/s3-cabundle-configmap': 'test-platform-tls-ca-bundle',
      'serving.kserve.io/s3-cabundle': '/etc/ssl/custom-certs/ca.crt',
    });
  });

  test("Grafana's database connection verifies Postgres through Grafana's own settings", () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    const { secrets, externals } = existingSecrets(chart);
    // WHEN
    platform({ profile: PlatformProfile.PRODUCTION, secrets }, chart);
    const manifests = synthValid(chart, externals);
    // THEN
    const grafana = envIn(manifests, 'Deployment', 'platform-grafana', 'grafana');
    expect(grafana.GF_DATABASE_SSL_MODE).toEqual({ value: 'verify-full' });
    expect(grafana.GF_DATABASE_CA_CERT_PATH).toEqual({ value: CA_FILE });
  });

  test('production turns TLS on by default, dev leaves it off', () => {
    // GIVEN
    const prodChart = testChart(NAMESPACE);
    const { secrets, externals } = existingSecrets(prodChart);
    // WHEN
    const prod = platform({ profile: PlatformProfile.PRODUCTION, secrets }, prodChart);
    const dev = platform();
    // THEN
    expect(prod.tls).toBeDefined();
    expect(prod.minio!.endpoint.scheme).toBe('https');
    synthValid(prodChart, externals);
    expect(dev.tls).toBeUndefined();
    expect(dev.minio!.endpoint.scheme).toBe('http');
    expect(platform({ profile: PlatformProfile.PRODUCTION, secrets: existingSecrets(testChart(NAMESPACE)).secrets, tls: false }, undefined).tls)
      .toBeUndefined();
  });

  test("uses the user's ClusterIssuer when given", () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    // WHEN
    const core = platform({
      tls: true,
      tlsOptions: { issuer: CertificateIssuer.clusterIssuer('corporate-ca'), issuerCaSecret: 'corporate-ca', namespaces: ['serving'] },
    }, chart);
    const manifests = synthValid(chart);
    // THEN
    expect(objectsOfKind(manifests, 'ClusterIssuer')).toEqual([]);
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.metadata.namespace === NAMESPACE);
    expect(certificate.spec.issuerRef).toEqual({ name: 'corporate-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(core.tls!.namespaces).toEqual([NAMESPACE, 'serving']);
  });
});

describe('MlopsCore Ingress TLS from an issuer', () => {
  test("a Certificate from the user's ClusterIssuer holds the TLS Secret of every Ingress, and the URLs are https", () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    // WHEN
    const core = platform({
      tls: true,
      access: PlatformAccess.ingress({
        host: 'mlops.example.com',
        certificateIssuer: CertificateIssuer.clusterIssuer('letsencrypt'),
        minioConsole: MinioConsoleRoute.ownHost('minio.mlops.example.com'),
      }),
    }, chart);
    const manifests = synthValid(chart);
    // THEN
    const certificate = objectsOfKind(manifests, 'Certificate').find((c) => c.spec.issuerRef.name === 'letsencrypt');
    expect(certificate.spec).toMatchObject({
      secretName: 'test-platform-ingress-tls',
      dnsNames: ['mlops.example.com', 'minio.mlops.example.com'],
      issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    });
    const ingresses = objectsOfKind(manifests, 'Ingress');
    expect(ingresses.length).toBeGreaterThanOrEqual(3);
    for (const ingress of ingresses) {
      expect({ [ingress.metadata.name]: ingress.spec.tls[0].secretName }).toEqual({ [ingress.metadata.name]: 'test-platform-ingress-tls' });
    }
    const consoleIngress = ingresses.find((i) => i.spec.rules[0].host === 'minio.mlops.example.com');
    const minioService = objectsOfKind(manifests, 'Service').find((s) => s.metadata.name.includes('minio') && s.spec.ports.some((p: any) => p.port === 9001));
    expect(consoleIngress.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'nginx.ingress.kubernetes.io/proxy-ssl-secret': `mlops/${minioService.metadata.name}-tls`,
      'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-name': `${minioService.metadata.name}.mlops.svc`,
      'nginx.ingress.kubernetes.io/proxy-ssl-server-name': 'on',
    });
    expect(objectsOfKind(manifests, 'Certificate').map((c) => c.spec.secretName)).toContain(`${minioService.metadata.name}-tls`);
    expect(consoleIngress.spec.rules[0].http.paths[0].backend.service.port.number).toBe(9001);
    expect(envOf(container(objectNamed(manifests, 'StatefulSet', 'minio'), 'minio')).MINIO_BROWSER_REDIRECT_URL).toEqual({ value: 'https://minio.mlops.example.com' });
    // Every UI serves https on an Ingress of its own: the platform's Ingress is MLflow's.
    expect(core.ingress!.node.path).toBe('test/Platform/MlflowIngress');
  });

  test('certificateIssuer with tlsSecret is refused', () => {
    const chart = testChart(NAMESPACE);
    expect(() => platform({
      access: PlatformAccess.ingress({
        host: 'mlops.example.com',
        certificateIssuer: CertificateIssuer.clusterIssuer('letsencrypt'),
        tlsSecret: kplus.Secret.fromSecretName(chart, 'Tls', 'mlops-tls'),
      }),
    }, chart)).toThrow("MlopsCore 'test/Platform': ingress certificateIssuer is invalid with tlsSecret: the issuer would make a second TLS Secret for the same host; give one of them");
  });
});

describe('MlopsCore TLS bad input', () => {
  test('an external bucket over plain http is refused with TLS on', () => {
    // GIVEN
    const chart = testChart(NAMESPACE);
    const bucket = MinioBucket.fromBucketAttributes(chart, 'Models', {
      bucketName: 'models',
      endpoint: ServiceEndpoint.fromHost('minio.example.com', 9000),
      credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'S3', 's3')),
    });
    // THEN
    expect(() => platform({ tls: true, modelsBucket: bucket }, chart)).toThrow(
      "MlopsCore 'test/Platform': modelsBucket is invalid with TLS on: its store is reached at 'http://minio.example.com:9000', over plain HTTP, "
      + "so its clients would send credentials in the clear; import it with an https endpoint, e.g. ServiceEndpoint.fromHost('minio.example.com', 443, 'https'), "
      + 'or turn TLS off with tls: false');
  });

  test('tlsOptions with TLS off is refused', () => {
    expect(() => platform({ tlsOptions: { name: 'platform' } })).toThrow(
      "MlopsCore 'test/Platform': tlsOptions is invalid with TLS off (tls: the dev profile's default, false): nothing would use them; give tls: true, or remove tlsOptions");
    expect(() => platform({ tls: false, tlsOptions: { name: 'platform' } })).toThrow(
      "MlopsCore 'test/Platform': tlsOptions is invalid with TLS off (tls: false): nothing would use them; give tls: true, or remove tlsOptions");
  });

  test('tls that is not a boolean is refused', () => {
    expect(() => platform({ tls: 'yes' as any })).toThrow(
      "MlopsCore 'test/Platform': props.tls is invalid: expected true or false, got a string (\"yes\"); give e.g. true");
  });
});
