import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ArgoCdSyncWaves } from './argo-cd-sync-waves';
import { assertExternalServiceType, DEFAULT_CLUSTER_NAMESPACE, limitSourceRanges, preserveClientAddress, requireCidr } from './cross-cluster-access';
import { MlopsCore } from './mlops-core';
import { MlopsCoreProps } from './mlops-core-props';
import { PrimaryClusterProps } from './multi-cluster-platform-props';
import { checkUserCredentials, withUserCredentials } from './platform-credentials';
import { IBucket } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { ownerLabels } from '../core/labels';
import { clusterNameOf } from '../core/names';
import { SecretSource } from '../core/secret-source';
import { TrustBundle } from '../core/trust-bundle';
import { PrometheusRole } from '../observability/federated-prometheus-props';
import { PlatformTls } from '../security/platform-tls';
import { MinioBucket } from '../storage/minio-bucket';
import { MinioWithBuckets } from '../storage/minio-with-buckets';

const MINIO_API_PORT = 9000;
/** The `MlopsCore` props a primary cluster sets itself. */
const PRIMARY_SETS = ['clusterName', 'prometheusRole', 'monitoring'] as const;

/**
 * The primary cluster of a `MultiClusterPlatform`, a chart of its own (`MultiClusterPlatform.addPrimary` makes it):
 * create in it what its platform refers to (an existing Secret, a database), then the platform with `addPlatform`.
 *
 * - The platform is an `MlopsCore` whose Prometheus is the federating primary.
 * - When the models bucket is in the platform's MinIO, MinIO's S3 API is exposed to the serving clusters (a
 *   LoadBalancer or NodePort Service that keeps the caller's address), to each serving cluster's `egressCidr` only.
 * - `egressCidr`, the primary's own egress addresses, is required: the serving clusters admit only them.
 * - Every object of the chart carries its Argo CD sync wave (`ArgoCdSyncWaves`).
 */
export class PrimaryCluster extends Chart {
  /** The cluster's name: the chart's id, its folder and its Prometheus `cluster` label. */
  public readonly clusterName: string;

  /** @internal Where the primary's traffic to the serving clusters comes from. */
  public readonly _egressCidr: string;

  private readonly props: PrimaryClusterProps;
  private core?: MlopsCore;
  private sharedStorageEndpoint?: ServiceEndpoint;
  private sharedMinio?: MinioWithBuckets;
  private grantees?: Construct;
  private federationClientSecret?: string;
  private sharedStorage?: { readonly service: kplus.Service; readonly type: kplus.ServiceType };

  constructor(scope: Construct, id: string, props: PrimaryClusterProps = {}) {
    super(scope, id, { namespace: props.namespace ?? DEFAULT_CLUSTER_NAMESPACE });
    this.clusterName = clusterNameOf(this, id);
    this._egressCidr = requireCidr(this, 'egressCidr', props.egressCidr, "each serving cluster admits only the primary's egress addresses "
      + 'to its federation endpoint (its Prometheus, or the FederationProxy with TLS)');
    this.props = props;
    ArgoCdSyncWaves.applyTo(this);
  }

  /** The cluster's platform, once `addPlatform` has made it. */
  public get platform(): MlopsCore {
    return this._requirePlatform('platform');
  }

  /**
   * Creates the cluster's platform, an `MlopsCore` named after the cluster whose Prometheus federates the serving
   * clusters, and exposes its MinIO to them when it holds the models bucket. Call it once, after creating in this
   * chart what `props` refers to.
   */
  public addPlatform(props: MlopsCoreProps): MlopsCore {
    if (this.core) {
      throw new MlopsValidationError(this, 'addPlatform was called before: a primary cluster has one platform; pass all its props in one call');
    }
    for (const prop of PRIMARY_SETS) {
      if (props[prop] !== undefined) {
        throw new MlopsValidationError(this, `addPlatform: ${prop} is invalid: the primary cluster sets it (the cluster name is the primary's `
          + 'clusterName, and the primary runs the federating Prometheus); remove it');
      }
    }
    this.core = new MlopsCore(this, 'Platform', { ...props, clusterName: this.clusterName, prometheusRole: PrometheusRole.PRIMARY });
    this.grantees = new Construct(this, 'ServingClusters');

    const { sharedStorageEndpoint, sharedStorageServiceType } = this.props;
    const models = this.core.modelsBucket;
    if (this.core.minio && models.objectStore === this.core.minio) {
      if (!sharedStorageEndpoint) {
        throw new MlopsValidationError(this, "sharedStorageEndpoint is missing: the serving clusters read models from the primary's MinIO, and need the address "
          + `they reach it at; give it to addPrimary, e.g. ServiceEndpoint.fromHost('minio.mlops.example.com', ${MINIO_API_PORT})`);
      }
      this.sharedMinio = this.core.minio;
      this.sharedStorageEndpoint = sharedStorageEndpoint;
      if (this.core.tls) {
        if (sharedStorageEndpoint.scheme !== 'https') {
          throw new MlopsValidationError(this, `sharedStorageEndpoint '${sharedStorageEndpoint.url()}' is invalid with TLS on: MinIO serves https, `
            + `and the serving clusters reach it through the Service as it is; give e.g. ServiceEndpoint.fromHost('${sharedStorageEndpoint.host}', ${sharedStorageEndpoint.port}, 'https')`);
        }
        this.sharedMinio.addTlsHosts(sharedStorageEndpoint.host);
      }
      const type = sharedStorageServiceType ?? kplus.ServiceType.LOAD_BALANCER;
      // PlatformAccess.nodePorts() exposes the S3 API to anyone already: a NodePort on that port is the same one.
      const accessPort = props.access?._nodePorts?.minioApi;
      if (!(type === kplus.ServiceType.NODE_PORT && accessPort === sharedStorageEndpoint.port)) {
        this.exposeMinio(this.sharedMinio, type, sharedStorageEndpoint);
      }
    } else {
      if (sharedStorageServiceType !== undefined) {
        throw new MlopsValidationError(this, "sharedStorageServiceType is invalid: the models bucket is not in the primary's MinIO, so there is nothing to expose; remove it");
      }
      this.sharedStorageEndpoint = sharedStorageEndpoint ?? models.objectStore.endpoint;
    }
    return this.core;
  }

  /** @internal The platform, or an error naming `caller`, which needs it. */
  public _requirePlatform(caller: string): MlopsCore {
    if (!this.core) {
      throw new MlopsValidationError(this, `${caller}: the primary has no platform yet; call addPlatform({ dags, ... }) on it first`);
    }
    return this.core;
  }

  /** @internal The platform's TLS, when it runs TLS. */
  public get _tls(): PlatformTls | undefined {
    return this.core?.tls;
  }

  /**
   * @internal The Secret of the client certificate the primary Prometheus presents to the serving clusters'
   * federation proxies, issued once.
   */
  public _federationClientSecret(commonName: string): string {
    const core = this._requirePlatform('federation');
    this.federationClientSecret ??= core.tls!.addClientCertificate(core.prometheus!, 'Federation', commonName);
    return this.federationClientSecret;
  }

  /**
   * @internal The models bucket as a serving cluster's chart, `scope`, reaches it with `credentials`, verified with
   * `trustBundle` (that cluster's copy of the platform's bundle) over https.
   */
  public _modelsBucketFor(scope: Construct, credentials: Credentials, trustBundle?: TrustBundle): IBucket {
    const models = this._requirePlatform('the models bucket').modelsBucket;
    const shared = this.sharedStorageEndpoint!;
    return MinioBucket.fromBucketAttributes(scope, 'PrimaryModels', {
      bucketName: models.bucketName,
      endpoint: trustBundle && shared.scheme === 'https' ? ServiceEndpoint.fromHost(shared.host, shared.port, 'https', trustBundle) : shared,
      region: models.objectStore.region,
      pathStyle: models.objectStore.pathStyle,
      credentials,
    });
  }

  /**
   * @internal Whether the primary's MinIO, holding the models bucket, is exposed to the serving clusters.
   */
  public get _sharesStorage(): boolean {
    return this.sharedMinio !== undefined;
  }

  /**
   * @internal A MinIO user of `clusterName` (from `credentials`, or generated) that reads the models bucket from
   * `egressCidr` (given whenever `_sharesStorage`), when the primary's MinIO holds it.
   */
  public _admit(clusterName: string, egressCidr: string | undefined, credentials?: SecretSource): Credentials | undefined {
    if (!this.core || !this.sharedMinio) {
      if (credentials) {
        throw new MlopsValidationError(this, `serving cluster '${clusterName}': modelsUserCredentials is invalid: the models bucket is not in the `
          + "primary's MinIO, so there is no MinIO user to create; remove it");
      }
      return undefined;
    }
    checkUserCredentials(this, this.core.profile, credentials, {
      context: `serving cluster '${clusterName}'`,
      what: 'modelsUserCredentials (its MinIO user on the models bucket)',
      where: " in the primary's namespace",
    });
    const peer = kplus.NetworkPolicyIpBlock.ipv4(this.grantees!, clusterName, egressCidr!);
    if (this.sharedStorage) {
      limitSourceRanges(this.sharedStorage.service, this.sharedStorage.type, egressCidr!);
    }
    return withUserCredentials(this.core.modelsBucket, credentials).grantRead(peer);
  }

  private exposeMinio(minio: MinioWithBuckets, type: kplus.ServiceType, endpoint: ServiceEndpoint): void {
    assertExternalServiceType(this, 'sharedStorageServiceType', type, endpoint.port);
    // In the primary's chart, beside the user's objects; it is MinIO's, so it carries MinIO's labels.
    const service = new kplus.Service(this, 'SharedStorage', {
      metadata: { labels: ownerLabels(minio) },
      type,
      ports: [{ name: 'api', port: endpoint.port, targetPort: MINIO_API_PORT }],
    });
    service.select(minio.statefulSet);
    preserveClientAddress(service, type, endpoint.port);
    this.sharedStorage = { service, type };
  }
}
