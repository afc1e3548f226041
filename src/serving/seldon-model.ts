import { ApiObject, Names, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RcloneCredentials } from './rclone-credentials';
import { ISeldonInferenceTarget, SeldonResourceType } from './seldon-inference-target';
import { checkReplicas, SELDON_REPLICA_KINDS } from './seldon-replicas';
import { SeldonRuntime } from './seldon-runtime';
import { SeldonServer } from './seldon-server';
import { checkCapabilities, SeldonServerConfig } from './seldon-server-config';
import { MlopsValidationError } from '../core/errors';
import { componentLabels } from '../core/labels';
import { ModelFormat } from '../core/model-format';
import { IServedModel } from '../core/model-serving';
import { ModelSource } from '../core/model-source';
import { IMonitoringContribution } from '../core/monitoring';
import { aDnsLabel, aSize } from '../core/prop-kinds';
import { aListOf, anImplementationOf, anInstanceOf, aString, checkProps } from '../core/props-check';
import { sizeQuantity } from '../core/quantities';
import { ScrapeTargetSpec } from '../core/scrape-target';
import { Model, ModelSpecMemory } from '../imports/seldon-model-mlops.seldon.io';

/** The capability each format needs (the names of the v2.6.0 ServerConfigs' `SELDON_SERVER_CAPABILITIES`). */
const FORMAT_REQUIREMENTS: Record<string, string> = {
  [ModelFormat.SKLEARN.name]: 'sklearn',
  [ModelFormat.XGBOOST.name]: 'xgboost',
  [ModelFormat.LIGHTGBM.name]: 'lightgbm',
  [ModelFormat.ONNX.name]: 'onnx',
  [ModelFormat.TRITON.name]: 'triton',
  [ModelFormat.PYTORCH.name]: 'pytorch',
  [ModelFormat.TENSORFLOW.name]: 'tensorflow',
  [ModelFormat.MLFLOW.name]: 'mlflow',
  [ModelFormat.HUGGINGFACE.name]: 'huggingface',
};

/** Properties of a `SeldonModel`. */
export interface SeldonModelProps {
  /** The runtime whose servers load the model; the Model lives in its namespace. */
  readonly runtime: SeldonRuntime;

  /**
   * Where the model is: `ModelSource.fromBucket(bucket, 'sklearn/iris')` (the folder with the model's files; for
   * Triton the model's folder, with `config.pbtxt` and `1/model.onnx`), or `ModelSource.fromUri(...)` for any rclone
   * remote, e.g. `gs://seldon-models/...`.
   */
  readonly model: ModelSource;

  /** The model's format: it decides the requirement a server must advertise, e.g. `sklearn`. */
  readonly modelFormat: ModelFormat;

  /**
   * The Model's name: what clients ask for (`/v2/models/<name>/infer`) and pipeline steps are called.
   *
   * @default - derived from the construct path
   */
  readonly name?: string;

  /**
   * The server the model must land on; its capabilities must cover the model's requirements.
   *
   * @default - any server of the runtime whose capabilities cover them
   */
  readonly server?: SeldonServer;

  /**
   * Requirements beside the format's, e.g. `['gpu']`.
   *
   * @default - only the format's
   */
  readonly extraRequirements?: string[];

  /**
   * The memory the model takes on a server, which Seldon packs models by.
   *
   * @default - Seldon's estimate from the artifact's size
   */
  readonly memory?: Size;

  /**
   * Replicas of the model (each on another server replica).
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Fewest replicas when Seldon autoscales the model.
   *
   * @default - Seldon's default (no autoscaling)
   */
  readonly minReplicas?: number;

  /**
   * Most replicas when Seldon autoscales the model.
   *
   * @default - Seldon's default (no autoscaling)
   */
  readonly maxReplicas?: number;

  /**
   * For a `ModelSource.fromUri` source: an existing Secret in the runtime's namespace holding one key, an rclone
   * remote whose `name` is the URI's scheme (`{"name": "gs", "type": "google cloud storage", "parameters": {...}}`).
   *
   * @default - a bucket source gets a Secret built inside the cluster; a URI source reads a public remote or one the
   * runtime preloads
   */
  readonly rcloneSecret?: kplus.ISecret;
}

/**
 * A model served by Seldon Core v2: a `Model` (`mlops.seldon.io/v1alpha1`) that Seldon's scheduler loads onto a
 * server whose capabilities cover its requirements (derived from `modelFormat`).
 *
 * ```ts
 * new SeldonModel(this, 'Iris', {
 *   runtime, server: mlserver,
 *   model: ModelSource.fromBucket(minio.bucket('models'), 'sklearn/iris'),
 *   modelFormat: ModelFormat.SKLEARN,
 * });
 * ```
 *
 * - From a bucket, the servers get read access (one MinIO user for the runtime), and a hash-named Job writes the
 *   bucket's rclone remote into a one-key Secret in the runtime's namespace (`secretName`), from the grant's Secret:
 *   no key in the manifests. A model from the runtime's `modelsBucket` uses the remote every server preloads.
 * - MLflow models load in the server's own Python environment: MLServer does not install the model's
 *   `requirements.txt` or `conda.yaml`. A model pinned to an MLServer server therefore needs one with an `image`
 *   that holds the model's requirements (README, "Seldon Core v2").
 * - Inference goes through the runtime's Envoy (`seldon-mesh`): `allowFrom` opens it; the agents' metrics are the
 *   runtime's scrape targets.
 */
export class SeldonModel extends Construct implements IServedModel, ISeldonInferenceTarget {
  /** The Model's name. */
  public readonly name: string;
  /** The name clients ask for: the Model's name. */
  public readonly modelName: string;
  /** `SeldonResourceType.MODEL`. */
  public readonly resourceType: SeldonResourceType = SeldonResourceType.MODEL;
  /** Its runtime. */
  public readonly runtime: SeldonRuntime;
  /** What a server must advertise to load the model (`spec.requirements`). */
  public readonly requirements: string[];
  /** The server it must land on, if given. */
  public readonly server?: SeldonServer;
  /** The Secret the agent reads the model store's rclone remote from (`spec.secretName`), if any. */
  public readonly secretName?: string;
  /** The Model. */
  public readonly resource: ApiObject;
  /** The runtime's scrape targets: a model's metrics are the agents' of the servers it is loaded on. */
  public readonly scrapeTargets: ScrapeTargetSpec[];
  /** The runtime's contributions. */
  public readonly monitoring?: IMonitoringContribution[];

  constructor(scope: Construct, id: string, props: SeldonModelProps) {
    super(scope, id);
    checkProps(this, props, {
      runtime: anInstanceOf(SeldonRuntime, "new SeldonRuntime(this, 'Seldon')"),
      model: anInstanceOf(ModelSource, "ModelSource.fromBucket(minio.bucket('models'), 'sklearn/iris')"),
      modelFormat: anInstanceOf(ModelFormat, 'ModelFormat.SKLEARN'),
    }, {
      name: aDnsLabel("'iris'"),
      server: anInstanceOf(SeldonServer, "new SeldonServer(this, 'Mlserver', { runtime })"),
      extraRequirements: aListOf(aString("'gpu'")),
      memory: aSize({ example: 'Size.mebibytes(200)', atLeast: Size.mebibytes(1) }),
      ...SELDON_REPLICA_KINDS,
      rcloneSecret: anImplementationOf('ISecret', ['name'], "kplus.Secret.fromSecretName(this, 'Gcs', 'gcs-models')"),
    });
    this.runtime = props.runtime;
    this.server = props.server;
    this.name = props.name ?? Names.toDnsLabel(this);
    this.modelName = this.name;
    checkCapabilities(this, 'extraRequirements', props.extraRequirements ?? []);
    const formatRequirement = FORMAT_REQUIREMENTS[props.modelFormat.name] ?? props.modelFormat.name;
    checkCapabilities(this, 'modelFormat', [formatRequirement]);
    this.requirements = [...new Set([formatRequirement, ...props.extraRequirements ?? []])];
    checkReplicas(this, props);
    this.checkSource(props);
    this.checkServer(props);

    const bucket = props.model.bucket;
    if (props.rcloneSecret) {
      this.secretName = props.rcloneSecret.name;
    } else if (bucket && bucket !== props.runtime.modelsBucket) {
      const credentials = new RcloneCredentials(this, 'RcloneCredentials', {
        bucket,
        credentials: bucket.grantRead(props.runtime._modelDownloaders),
        labels: componentLabels(this, { name: 'seldon', component: 'model-store-credentials' }),
      });
      this.secretName = credentials.secret.name;
    }

    this.resource = new Model(this, 'Resource', {
      metadata: { name: this.name, labels: componentLabels(this, { name: 'seldon', component: 'model' }) },
      spec: {
        storageUri: props.model.storageUri,
        requirements: this.requirements,
        secretName: this.secretName,
        server: props.server?.name,
        memory: props.memory ? ModelSpecMemory.fromString(sizeQuantity(props.memory)) : undefined,
        replicas: props.replicas,
        minReplicas: props.minReplicas,
        maxReplicas: props.maxReplicas,
      },
    });
    this.scrapeTargets = props.runtime.scrapeTargets;
    this.monitoring = props.runtime.monitoring;
  }

  /** Lets `peer` call the model (and the runtime's other models) through the runtime's Envoy. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    this.runtime.allowInferenceFrom(peer);
  }

  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    this.runtime.allowScrapeFrom(scraper);
  }

  private checkSource(props: SeldonModelProps): void {
    const source = props.model;
    const scheme = /^([a-z][a-z0-9+.-]*):\/\/./.exec(source.storageUri)?.[1];
    if (!scheme || scheme === 'pvc') {
      throw new MlopsValidationError(this, `storageUri '${source.storageUri}' is invalid: Seldon's agent downloads models with rclone, `
        + "from a URI whose scheme names an rclone remote (e.g. 's3://', 'gs://'), and has no pvc://; use ModelSource.fromBucket() or ModelSource.fromUri()");
    }
    if (/(^|\/)\.\.?(\/|$)|\s|\/\//.test(source.path)) {
      throw new MlopsValidationError(this, `model path '${source.path}' is invalid: must be a plain folder path, without '.', '..', '//' or spaces, e.g. 'sklearn/iris'`);
    }
    if (source.bucket && props.rcloneSecret) {
      throw new MlopsValidationError(this, 'rcloneSecret is invalid with ModelSource.fromBucket(): the model gets a Secret built from the '
        + "bucket's grant; remove rcloneSecret, or use ModelSource.fromUri() with your own");
    }
  }

  private checkServer(props: SeldonModelProps): void {
    const server = props.server;
    if (!server) return;
    if (server.runtime !== props.runtime) {
      throw new MlopsValidationError(this, `server '${server.name}' is invalid: it belongs to runtime '${server.runtime.node.path}', and the model `
        + `to '${props.runtime.node.path}'; give a server of the model's runtime`);
    }
    const missing = this.requirements.filter((requirement) => !server.capabilities.includes(requirement));
    if (missing.length > 0) {
      throw new MlopsValidationError(this, `requirements ${missing.map((r) => `'${r}'`).join(', ')} are invalid on server '${server.name}': `
        + `its capabilities are ${server.capabilities.join(', ')}, so Seldon would never load the model; pick a server that lists them `
        + '(sklearn, xgboost, lightgbm, mlflow on SeldonServerConfig.MLSERVER; onnx, pytorch, tensorflow, tensorrt on SeldonServerConfig.TRITON), '
        + 'or give the server extraCapabilities if its image serves them');
    }
    if (props.modelFormat.name === ModelFormat.MLFLOW.name && server.serverConfig === SeldonServerConfig.MLSERVER && server.image === undefined) {
      throw new MlopsValidationError(this, `server '${server.name}' is invalid for an MLflow model: MLServer loads it in the server's own Python `
        + "environment and ignores the model's requirements.txt and conda.yaml, and the v2.6.0 ServerConfig's image is MLServer 1.3.5; "
        + "give the server an image built with the model's requirements (README, \"Seldon Core v2\"), e.g. image: 'registry.example.com/mlserver-iris:1.7.1'");
    }
  }
}
