import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KubeflowGatewayOptions, KubeflowProfileOptions } from './platform-kubeflow-options';
import { IBucket } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { MlopsValidationError } from '../core/errors';
import { componentLabels } from '../core/labels';
import { dnsLabelProblems, dnsSubdomainProblems } from '../core/names';
import { aHost, aNamespace, anObjectName } from '../core/prop-kinds';
import { aBoolean, aListOf, AN_IBUCKET, aString, checkProps } from '../core/props-check';
import { SecretSource } from '../core/secret-source';
import { leafCertificateSpec } from '../core/server-certificate';
import { ServerTls } from '../core/tls';
import { Certificate, CertificateSpecUsages } from '../imports/certmanager-certificate-cert-manager.io';
import { DestinationRule, DestinationRuleSpecTrafficPolicyTlsMode } from '../imports/istio-destinationrule-networking.istio.io';
import { VirtualService } from '../imports/istio-virtualservice-networking.istio.io';
import { PlatformTls } from '../security/platform-tls';
import { MinioBucket } from '../storage/minio-bucket';
import { MinioWithBuckets } from '../storage/minio-with-buckets';
import { NfsSharedVolume, NfsSharedVolumeProps } from '../storage/nfs-shared-volume';
import { MlflowTracking } from '../tracking/mlflow-tracking';
import { KubeflowPodDefaults } from '../workspaces/kubeflow-pod-defaults';

const MLFLOW_PORT = 5000;

/** What of `MlopsCore` a Kubeflow profile uses. */
export interface PlatformKubeflowContext {
  readonly scope: Construct;
  readonly mlflow: MlflowTracking;
  readonly minio?: MinioWithBuckets;
  readonly defaultBuckets: IBucket[];
  readonly sharedVolume?: NfsSharedVolumeProps;
  /** The platform's TLS: its CA bundle is published into the profile namespace. */
  readonly tls?: PlatformTls;
}

/** Checks `options` where `MlopsCore` takes them, before MLflow is made with the host and prefix. */
export function checkKubeflowGateway(scope: Construct, options: KubeflowGatewayOptions): void {
  checkProps(scope, options, { host: aHost('kubeflow.example.com', false) }, {
    gateway: aString("'kubeflow/kubeflow-gateway'"), gatewayNamespace: aNamespace("'istio-system'"), clusterDomain: aHost('cluster.local', false),
  }, 'props.kubeflowGateway');
  const gateway = options.gateway ?? 'kubeflow/kubeflow-gateway';
  const [namespace, name, ...rest] = gateway.split('/');
  if (rest.length > 0 || name === undefined || dnsLabelProblems(namespace).length > 0 || dnsSubdomainProblems(name).length > 0) {
    throw new MlopsValidationError(scope, `kubeflowGateway gateway '${gateway}' is invalid: give the Istio Gateway as '<namespace>/<name>', e.g. 'kubeflow/kubeflow-gateway'`);
  }
}

/**
 * MLflow under `path` of Kubeflow's Istio gateway: a VirtualService routing the prefix to the MLflow Service (which
 * serves it with `--static-prefix`), and a NetworkPolicy letting the gateway's pods in. An MLflow that serves https
 * (`tls`) gets a DestinationRule too: the gateway's Envoy speaks plain HTTP to a destination unless one originates
 * TLS, and it verifies MLflow against the `ca.crt` of a Secret in its own namespace (`credentialName`), which a
 * Certificate of the platform's issuer fills there.
 */
export function exposeMlflowThroughKubeflowGateway(
  scope: Construct, mlflow: MlflowTracking, path: string, options: KubeflowGatewayOptions, tls?: ServerTls,
): VirtualService {
  // Istio's registry knows services by their fully qualified names; a name with dots is never completed.
  const host = `${mlflow.endpoint.host}.${options.clusterDomain ?? 'cluster.local'}`;
  const service = new VirtualService(scope, 'MlflowVirtualService', {
    metadata: { labels: componentLabels(scope, { name: 'mlflow', component: 'kubeflow-gateway-route' }) },
    spec: {
      hosts: ['*'],
      gateways: [options.gateway ?? 'kubeflow/kubeflow-gateway'],
      http: [{
        name: 'mlflow',
        match: [{ uri: { prefix: `${path}/` } }],
        route: [{ destination: { host, port: { number: MLFLOW_PORT } } }],
      }],
    },
  });
  const gatewayNamespace = options.gatewayNamespace ?? 'istio-system';
  mlflow.allowFrom(kplus.Namespaces.select(scope, 'KubeflowGatewayNamespace', { names: [gatewayNamespace] }));
  if (tls && mlflow.endpoint.tls) {
    originateTls(scope, mlflow, host, gatewayNamespace, tls);
  }
  return service;
}

/** The DestinationRule that has the gateway speak TLS to MLflow, and the Secret of the CA it verifies MLflow with. */
function originateTls(scope: Construct, mlflow: MlflowTracking, host: string, gatewayNamespace: string, tls: ServerTls): void {
  const secretName = `${mlflow.service.name}-gateway-ca`;
  // cert-manager writes the signing CA into the Secret as ca.crt; the gateway presents no client certificate in SIMPLE mode.
  new Certificate(scope, 'MlflowGatewayCaCertificate', {
    metadata: { namespace: gatewayNamespace },
    spec: {
      secretName,
      commonName: 'kubeflow-gateway',
      duration: `${tls.duration.toHours()}h`,
      ...leafCertificateSpec(tls.issuer, CertificateSpecUsages.CLIENT_AUTH),
    },
  });
  new DestinationRule(scope, 'MlflowDestinationRule', {
    metadata: { labels: componentLabels(scope, { name: 'mlflow', component: 'kubeflow-gateway-route' }) },
    spec: {
      host,
      trafficPolicy: {
        tls: {
          mode: DestinationRuleSpecTrafficPolicyTlsMode.SIMPLE,
          credentialName: secretName,
          sni: mlflow.endpoint.host,
          subjectAltNames: [mlflow.endpoint.host],
        },
      },
    },
  });
}

/**
 * The PodDefaults of the profile namespace of `chart`: MLflow (which lets the namespace in), the buckets through the
 * profile's MinIO user made from `s3CredentialsSecretName`, the platform's share (a PersistentVolume and claim of the
 * same export in the profile namespace) and pipeline access.
 */
export function addKubeflowProfile(context: PlatformKubeflowContext, chart: Chart, options: KubeflowProfileOptions): KubeflowPodDefaults {
  const where = 'addKubeflowProfile';
  checkProps(context.scope, options, {}, {
    s3CredentialsSecretName: anObjectName("'team-a-s3-credentials'"), buckets: aListOf(AN_IBUCKET), pipelineAccess: aBoolean(),
  }, `${where}: options`);
  const namespace = chart?.namespace;
  if (!(chart instanceof Chart) || namespace === undefined) {
    throw new MlopsValidationError(context.scope, `${where}: chart is invalid: give the chart of the profile namespace, e.g. `
      + "new Chart(app, 'team-a', { namespace: 'team-a' })");
  }
  if (namespace === Chart.of(context.scope).namespace) {
    throw new MlopsValidationError(context.scope, `${where}: namespace '${namespace}' is invalid: it is the platform's, which enforces Pod Security `
      + "restricted; give the chart of a Kubeflow profile's namespace");
  }
  const secretName = options.s3CredentialsSecretName ?? `${namespace}-s3-credentials`;
  const peer = kplus.Namespaces.select(context.scope, `KubeflowProfile-${namespace}`, { names: [namespace] });
  context.mlflow.allowFrom(peer);
  context.tls?.addNamespace(namespace);
  const buckets = options.buckets ?? context.defaultBuckets;
  const platformUser = SecretSource.fromSecret(kplus.Secret.fromSecretName(context.scope, `KubeflowProfileS3-${namespace}`, secretName));
  for (const bucket of buckets) {
    if (context.minio && bucket instanceof MinioBucket && bucket.node.scope === context.minio) {
      bucket.withUserCredentials(platformUser).grantReadWrite(peer);
    }
  }
  const store = buckets[0]?.objectStore;
  const other = buckets.find((bucket) => bucket.objectStore !== store);
  if (other) {
    throw new MlopsValidationError(context.scope, `${where}: buckets '${buckets[0].bucketName}' and '${other.bucketName}' are invalid together: they are on `
      + 'different stores, and the S3 PodDefault hands one endpoint and key pair to the AWS SDKs; give buckets of one store');
  }
  return new KubeflowPodDefaults(chart, 'KubeflowPodDefaults', {
    tracking: context.mlflow,
    objectStore: store,
    s3Credentials: store ? Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'S3Credentials', secretName)) : undefined,
    sharedVolume: context.sharedVolume ? new NfsSharedVolume(chart, 'SharedVolume', context.sharedVolume) : undefined,
    pipelineAccess: options.pipelineAccess,
  });
}
