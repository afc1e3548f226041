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
export function checkKubeflowGateway(scope: Construct, options: KubeflowGatewayOptions, tls: boolean): void {
  checkProps(scope, options, { host: aHost('kubeflow.example.com', false) }, {
    gateway: aString("'kubeflow/kubeflow-gateway'"), gatewayNamespace: aNamespace("'istio-system'"),
  }, 'props.kubeflowGateway');
  const gateway = options.gateway ?? 'kubeflow/kubeflow-gateway';
  const [namespace, name, ...rest] = gateway.split('/');
  if (rest.length > 0 || name === undefined || dnsLabelProblems(namespace).length > 0 || dnsSubdomainProblems(name).length > 0) {
    throw new MlopsValidationError(scope, `kubeflowGateway gateway '${gateway}' is invalid: give the Istio Gateway as '<namespace>/<name>', e.g. 'kubeflow/kubeflow-gateway'`);
  }
  if (tls) {
    // The gateway's Envoy speaks plain HTTP to a route's destination unless a DestinationRule originates TLS.
    throw new MlopsValidationError(scope, 'kubeflowGateway is invalid with TLS on: MLflow serves https, and Istio\'s gateway reaches it only through '
      + 'a DestinationRule that originates TLS (tls.mode SIMPLE with the CA), which the platform does not make; turn TLS off with tls: false, '
      + 'or serve MLflow through PlatformAccess.ingress({ host }) instead');
  }
}

/**
 * MLflow under `path` of Kubeflow's Istio gateway: a VirtualService routing the prefix to the MLflow Service (which
 * serves it with `--static-prefix`), and a NetworkPolicy letting the gateway's pods in.
 */
export function exposeMlflowThroughKubeflowGateway(
  scope: Construct, mlflow: MlflowTracking, path: string, options: KubeflowGatewayOptions,
): VirtualService {
  const service = new VirtualService(scope, 'MlflowVirtualService', {
    metadata: { labels: componentLabels(scope, { name: 'mlflow', component: 'kubeflow-gateway-route' }) },
    spec: {
      hosts: ['*'],
      gateways: [options.gateway ?? 'kubeflow/kubeflow-gateway'],
      http: [{
        name: 'mlflow',
        match: [{ uri: { prefix: `${path}/` } }],
        route: [{ destination: { host: mlflow.endpoint.host, port: { number: MLFLOW_PORT } } }],
      }],
    },
  });
  mlflow.allowFrom(kplus.Namespaces.select(scope, 'KubeflowGatewayNamespace', { names: [options.gatewayNamespace ?? 'istio-system'] }));
  return service;
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
