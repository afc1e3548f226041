import { ApiObject, Chart, Names, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KserveDeploymentMode, ScaleMetric } from './deployment-mode';
import { HTTP_PORT, INFERENCE_SERVICE_LABEL } from './kserve-labels';
import { KSERVE_MONITORING } from './kserve-monitoring';
import { MODEL_SERVING_MONITORING } from './model-serving-monitoring';
import { ProtocolVersion } from './protocol-version';
import { S3Credentials } from './s3-credentials';
import { MlopsValidationError } from '../core/errors';
import { gpuPodSpecFields } from '../core/gpu-scheduling';
import { imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { ModelFormat } from '../core/model-format';
import { IServedModel } from '../core/model-serving';
import { ModelSource } from '../core/model-source';
import { IMonitoringContribution } from '../core/monitoring';
import { allowIngress } from '../core/network';
import { aPercentage } from '../core/prop-kinds';
import { anInstanceOf, aString, checkProps } from '../core/props-check';
import { DEFAULT_GPU_RESOURCE, gpuLimits, quantities, quantityMap } from '../core/quantities';
import { ScrapeDiscovery, ScrapeTargetSpec } from '../core/scrape-target';
import { ImageUser, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/security';
import { assertWholeNumber } from '../core/whole-number';
import { placeWorkloads, WorkloadPlacement } from '../core/workload-placement';
import * as isvc from '../imports/kserve-inferenceservice-serving.kserve.io';

/** The URI schemes KServe's storage initializer (v0.14) downloads from, and `pvc://`, which it mounts. */
const STORAGE_URI_SCHEMES = ['s3', 'gs', 'pvc', 'https', 'http', 'hf', 'oci', 'hdfs', 'webhdfs'];
/** The gRPC ports of KServe's Python servers (8081) and of Triton and MLServer (9000). */
const GRPC_PORTS = [8081, 9000];
const ISVC_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** KServe names the transformer's Service `<name>-transformer`, which must stay a 63-character DNS label. */
const MAX_NAME_LENGTH = 51;
/** Files and version folders that live inside a Triton model repository, never at its root. */
const INSIDE_TRITON_REPOSITORY = /(^|\/)(\d+|[^/]+\.(onnx|plan|pt|pbtxt|savedmodel|graphdef|netdef))$/;

/** A transformer in front of the predictor (`spec.transformer`): your pre/post-processing image. */
export interface KserveTransformer {
  /** The image; KServe passes it `--model_name` and `--predictor_host`. */
  readonly image: string;
  /** @default - none */
  readonly args?: string[];
  /** Literal env vars. @default - none */
  readonly env?: { [name: string]: string };
  /** @default - cpu request 100m; memory request 256Mi, limit 1Gi */
  readonly resources?: kplus.ContainerResources;
  /** @default - uid/gid 1000 */
  readonly runAs?: ImageUser;
}

/** Properties of `KservePredictor`. */
export interface KservePredictorProps {
  /** Where the model is. */
  readonly model: ModelSource;
  /** The model's format; it selects the ServingRuntime unless `runtime` is given. */
  readonly modelFormat: ModelFormat;
  /**
   * The InferenceService's name: a DNS label starting with a letter, at most 51 characters.
   *
   * @default - derived from the construct path
   */
  readonly name?: string;
  /** The ServingRuntime to use, e.g. `kserve-tritonserver`. @default - KServe picks one for the format */
  readonly runtime?: string;
  /** @default - the runtime's default (v1 for KServe's own servers) */
  readonly protocolVersion?: ProtocolVersion;
  /** @default KserveDeploymentMode.RAW_DEPLOYMENT */
  readonly deploymentMode?: KserveDeploymentMode;
  /** Fewest pods; 0 (scale to zero) only in Serverless mode. @default 1 */
  readonly minReplicas?: number;
  /** Most pods. @default - KServe's default */
  readonly maxReplicas?: number;
  /**
   * What the autoscaler watches: `CPU`/`MEMORY` in RawDeployment mode (a HorizontalPodAutoscaler), `CONCURRENCY`/`RPS`
   * in Serverless mode (Knative).
   *
   * @default - KServe's default for the mode
   */
  readonly scaleMetric?: ScaleMetric;
  /** The target of `scaleMetric` per pod (percent for cpu and memory). @default - KServe's default */
  readonly scaleTarget?: number;
  /** @default - cpu request 100m; memory request 512Mi, limit 2Gi */
  readonly resources?: kplus.ContainerResources;
  /** GPUs per pod, as a limit on `gpuResourceName`, with the toleration of its taint (`<gpuResourceName>:NoSchedule`). @default 0 */
  readonly gpus?: number;
  /** @default 'nvidia.com/gpu' */
  readonly gpuResourceName?: string;
  /** @default - none */
  readonly transformer?: KserveTransformer;
  /**
   * Percent of traffic the latest revision gets; the rest stays on the last ready one. Serverless mode only.
   *
   * @default - all traffic to the latest revision
   */
  readonly canaryTrafficPercent?: number;
  /**
   * A ServiceAccount with credentials for a `ModelSource.fromUri` source. A `fromBucket` source gets its own.
   *
   * @default - the namespace's default ServiceAccount
   */
  readonly serviceAccount?: kplus.IServiceAccount;
  /** The uid/gid the model server runs as (KServe's and Triton's images use 1000). @default - uid/gid 1000 */
  readonly runAs?: ImageUser;
  /**
   * The container port of the model server's Prometheus metrics.
   *
   * @default - 8002 for Triton (`TRITON`, `ONNX`), 8082 for TorchServe (`PYTORCH`), else 8080
   */
  readonly metricsPort?: number;

  /**
   * Where the pods run and what they pull images with (node selector, tolerations, node affinity, topology spread,
   * priority class, image pull secrets), applied to every pod this construct makes.
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;
}

/**
 * A model served by KServe: an InferenceService `serving.kserve.io/v1beta1`.
 *
 * ```ts
 * new KservePredictor(this, 'Iris', {
 *   model: ModelSource.fromBucket(minio.bucket('models'), 'sklearn/iris'),
 *   modelFormat: ModelFormat.SKLEARN,
 * });
 * ```
 *
 * From a bucket, it gets read access and KServe's S3 wiring: a ServiceAccount (`predictor.serviceAccountName`) and
 * a Secret with the `serving.kserve.io/s3-endpoint` (host:port), `s3-usehttps`, `s3-region` annotations whose
 * `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` a hash-named Job fills in inside the cluster.
 *
 * Pod Security: the model container runs non-root with no capabilities, but KServe injects its storage initializer
 * without a securityContext; in a namespace that enforces `restricted`, give KServe's ClusterStorageContainer
 * `default` one (README, "KServe").
 */
export class KservePredictor extends Construct implements IServedModel {
  /** The InferenceService's name, which `serviceName` steps and KServe's Services are named after. */
  public readonly name: string;
  /** The model's name in inference requests: the InferenceService's name (`/v2/models/<name>/infer`). */
  public readonly modelName: string;
  public readonly deploymentMode: KserveDeploymentMode;
  /** The namespace, when the chart has one. */
  public readonly namespace?: string;
  /** The InferenceService. */
  public readonly resource: ApiObject;
  /** The ServiceAccount KServe's storage initializer uses, for a `fromBucket` model. */
  public readonly serviceAccount?: kplus.IServiceAccount;
  /** The metrics of the predictor pods (a PodMonitor). */
  public readonly scrapeTargets: ScrapeTargetSpec[];
  /**
   * The rules, alerts and model-serving dashboard rows of every serving backend and of KServe's runtimes, the same for
   * every predictor.
   */
  public readonly monitoring?: IMonitoringContribution[] = [MODEL_SERVING_MONITORING, KSERVE_MONITORING];

  private readonly pods: kplus.Pods;
  private readonly servingPorts: number[];
  private readonly hasTransformer: boolean;
  private readonly metricsPort: number;

  constructor(scope: Construct, id: string, props: KservePredictorProps) {
    super(scope, id);
    checkProps(this, props, {
      model: anInstanceOf(ModelSource, "ModelSource.fromBucket(minio.bucket('models'), 'sklearn/iris')"),
      modelFormat: anInstanceOf(ModelFormat, 'ModelFormat.SKLEARN'),
    }, { name: aString("'iris'"), runtime: aString("'kserve-tritonserver'"), canaryTrafficPercent: aPercentage(10) });
    this.name = props.name ?? Names.toDnsLabel(this, { maxLen: MAX_NAME_LENGTH });
    this.modelName = this.name;
    if (!ISVC_NAME.test(this.name) || this.name.length > MAX_NAME_LENGTH) {
      throw new MlopsValidationError(this, `name '${this.name}' is invalid: an InferenceService name must be lowercase letters, digits and '-', start with a letter, end with a letter or digit, and have at most ${MAX_NAME_LENGTH} characters`);
    }
    this.deploymentMode = props.deploymentMode ?? KserveDeploymentMode.RAW_DEPLOYMENT;
    this.namespace = Chart.of(this).namespace;
    this.hasTransformer = props.transformer !== undefined;
    this.checkScaling(props);
    this.checkSource(props);
    this.metricsPort = props.metricsPort ?? defaultMetricsPort(props.modelFormat);
    this.servingPorts = props.protocolVersion?.name === ProtocolVersion.GRPC_V2.name ? [HTTP_PORT, ...GRPC_PORTS] : [HTTP_PORT];
    this.pods = kplus.Pods.select(this, 'Pods', { labels: { [INFERENCE_SERVICE_LABEL]: this.name } });

    const labels = componentLabels(this, { name: 'kserve', component: 'predictor' });
    const bucket = props.model.bucket;
    if (bucket) {
      const grant = bucket.grantRead(this.pods);
      this.checkSecretNamespace(bucket.bucketName, grant.secret);
      const credentials = new S3Credentials(this, 'S3Credentials', {
        bucket,
        credentials: grant,
        inferenceServiceName: this.name,
        labels,
      });
      this.serviceAccount = credentials.serviceAccount;
    } else {
      this.serviceAccount = props.serviceAccount;
    }

    const runAs = props.runAs ?? { user: 1000, group: 1000 };
    const resources = quantities(props.resources ?? {
      cpu: { request: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(512), limit: Size.gibibytes(2) },
    }, gpuLimits(this, props.gpus, props.gpuResourceName));

    this.resource = new isvc.InferenceService(this, 'Resource', {
      metadata: {
        name: this.name,
        labels,
        annotations: {
          'serving.kserve.io/deploymentMode': this.deploymentMode.value,
          'serving.kserve.io/enable-prometheus-scraping': 'true',
        },
      },
      spec: {
        predictor: {
          serviceAccountName: this.serviceAccount?.name,
          automountServiceAccountToken: false,
          minReplicas: props.minReplicas,
          maxReplicas: props.maxReplicas,
          scaleMetric: props.scaleMetric as unknown as isvc.InferenceServiceSpecPredictorScaleMetric | undefined,
          scaleTarget: props.scaleTarget,
          canaryTrafficPercent: props.canaryTrafficPercent,
          ...gpuPodSpecFields(this, props.placement, { [INFERENCE_SERVICE_LABEL]: this.name, component: 'predictor' },
            props.gpus ?? 0, props.gpuResourceName ?? DEFAULT_GPU_RESOURCE),
          securityContext: restrictedPodSecurityContext(runAs),
          model: {
            modelFormat: { name: props.modelFormat.name, version: props.modelFormat.version },
            runtime: props.runtime,
            protocolVersion: props.protocolVersion?.name,
            storageUri: props.model.storageUri,
            resources: {
              requests: quantityMap(resources.requests, isvc.InferenceServiceSpecPredictorModelResourcesRequests.fromString),
              limits: quantityMap(resources.limits, isvc.InferenceServiceSpecPredictorModelResourcesLimits.fromString),
            },
            securityContext: restrictedContainerSecurityContext(),
          },
        },
        transformer: props.transformer ? {
          ...transformerSpec(props.transformer),
          ...props.placement?.podSpecFields(this, { [INFERENCE_SERVICE_LABEL]: this.name, component: 'transformer' }),
        } : undefined,
      },
    });

    this.scrapeTargets = [{
      name: this.name,
      discovery: ScrapeDiscovery.POD,
      namespace: this.namespace,
      selector: { [INFERENCE_SERVICE_LABEL]: this.name, component: 'predictor' },
      endpoints: [{ portNumber: this.metricsPort, path: '/metrics' }],
    }];
    placeWorkloads(this, props.placement);
  }

  /** `<name>-predictor.<namespace>.svc.<clusterDomain>`: the host of the predictor's Service in RawDeployment mode. */
  public predictorHost(clusterDomain: string = 'cluster.local'): string {
    const service = `${this.name}-predictor`;
    return this.namespace ? `${service}.${this.namespace}.svc.${clusterDomain}` : service;
  }

  /**
   * Allows `peer` to call this InferenceService on its serving ports. Once a policy selects its pods, nothing else
   * reaches them: in Serverless mode also allow Knative's activator and your ingress gateway.
   */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.pods, peer, this.servingPorts);
    if (this.hasTransformer) {
      allowIngress(this, this.pods, this.pods, this.servingPorts);
    }
  }

  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.pods, scraper, [this.metricsPort]);
  }

  private checkScaling(props: KservePredictorProps): void {
    const mode = this.deploymentMode;
    const modeName = `deploymentMode ${mode.value}`;
    if (props.canaryTrafficPercent !== undefined) {
      if (!mode.isServerless) {
        throw new MlopsValidationError(this, `canaryTrafficPercent is invalid with ${modeName}: KServe rolls out canaries only in Serverless (Knative) mode; set deploymentMode: KserveDeploymentMode.SERVERLESS or remove canaryTrafficPercent`);
      }
    }
    const minReplicas = props.minReplicas ?? 1;
    assertWholeNumber(this, 'minReplicas', minReplicas, mode.isServerless ? 0 : 1, 1000,
      mode.isServerless ? '' : '; scaling to zero needs deploymentMode Serverless');
    if (props.maxReplicas !== undefined) {
      assertWholeNumber(this, 'maxReplicas', props.maxReplicas, Math.max(minReplicas, 1), 1000, ' (at least minReplicas)');
    }
    if (props.scaleMetric !== undefined) {
      const allowed = mode.isServerless ? [ScaleMetric.CONCURRENCY, ScaleMetric.RPS] : [ScaleMetric.CPU, ScaleMetric.MEMORY];
      if (!allowed.includes(props.scaleMetric)) {
        throw new MlopsValidationError(this, `scaleMetric '${props.scaleMetric}' is invalid with ${modeName}: KServe scales ${mode.isServerless ? 'Knative revisions on concurrency or rps' : 'raw deployments with a HorizontalPodAutoscaler on cpu or memory'}; use ${allowed.map((m) => `'${m}'`).join(' or ')}`);
      }
    }
    if (props.scaleTarget !== undefined) {
      const percent = props.scaleMetric === ScaleMetric.CPU || props.scaleMetric === ScaleMetric.MEMORY;
      assertWholeNumber(this, 'scaleTarget', props.scaleTarget, 1, percent ? 100 : 100000, percent ? ' (a utilization percentage)' : '');
    }
  }

  private checkSource(props: KservePredictorProps): void {
    const source = props.model;
    const scheme = /^([a-z][a-z0-9]*):\/\/./.exec(source.storageUri)?.[1];
    if (!scheme || !STORAGE_URI_SCHEMES.includes(scheme)) {
      throw new MlopsValidationError(this, `storageUri '${source.storageUri}' is invalid: must start with one of ${STORAGE_URI_SCHEMES.map((s) => `${s}://`).join(', ')}; for a bucket of this app use ModelSource.fromBucket()`);
    }
    if (/(^|\/)\.\.?(\/|$)|\s|\/\//.test(source.path)) {
      throw new MlopsValidationError(this, `model path '${source.path}' is invalid: must be a plain folder path, without '.', '..', '//' or spaces, e.g. 'sklearn/iris'`);
    }
    if (source.bucket && props.serviceAccount) {
      throw new MlopsValidationError(this, 'serviceAccount is invalid with ModelSource.fromBucket(): the predictor creates the ServiceAccount that carries the bucket\'s credentials; remove serviceAccount, or use ModelSource.fromUri() with your own');
    }
    const triton = props.modelFormat.name === ModelFormat.TRITON.name || props.runtime === 'kserve-tritonserver';
    if (triton && INSIDE_TRITON_REPOSITORY.test(source.path)) {
      throw new MlopsValidationError(this, `model path '${source.path}' is invalid for Triton: point it at the model repository, the folder that holds <model>/config.pbtxt and <model>/1/model.onnx, not at a model file or version folder`);
    }
  }

  /** The copy Job reads the grant's Secret through env vars, which only reach Secrets of its own namespace. */
  private checkSecretNamespace(bucketName: string, secret: kplus.ISecret): void {
    if (!(secret instanceof kplus.Resource)) return;
    const theirs = secret.metadata.namespace ?? Chart.of(secret).namespace;
    if (theirs && this.namespace && theirs !== this.namespace) {
      throw new MlopsValidationError(this, `model bucket '${bucketName}' is invalid: its credentials Secret is in namespace '${theirs}' and the predictor in '${this.namespace}', whose pods cannot read it; put the predictor in '${theirs}', or import the bucket in '${this.namespace}' with MinioBucket.fromBucketAttributes() and credentials from a Secret there`);
    }
  }
}

function transformerSpec(transformer: KserveTransformer): isvc.InferenceServiceSpecTransformer {
  const resources = quantities(transformer.resources ?? {
    cpu: { request: kplus.Cpu.millis(100) },
    memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
  });
  return {
    automountServiceAccountToken: false,
    securityContext: restrictedPodSecurityContext(transformer.runAs ?? { user: 1000, group: 1000 }),
    containers: [{
      name: 'kserve-container',
      image: transformer.image,
      imagePullPolicy: imagePullPolicy(transformer.image),
      args: transformer.args,
      env: transformer.env ? Object.entries(transformer.env).map(([name, value]) => ({ name, value })) : undefined,
      resources: {
        requests: quantityMap(resources.requests, isvc.InferenceServiceSpecTransformerContainersResourcesRequests.fromString),
        limits: quantityMap(resources.limits, isvc.InferenceServiceSpecTransformerContainersResourcesLimits.fromString),
      },
      securityContext: restrictedContainerSecurityContext(),
    }],
  };
}

function defaultMetricsPort(format: ModelFormat): number {
  if (format.name === ModelFormat.TRITON.name || format.name === ModelFormat.ONNX.name) return 8002;
  if (format.name === ModelFormat.PYTORCH.name) return 8082;
  return 8080;
}
