import { ApiObject, ApiObjectMetadata, Chart, Duration, Lazy, Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { JobSubmission, TrainingJobProps } from './training-job-props';
import { IBucket, IObjectStore } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { MlopsValidationError } from '../core/errors';
import { specHash } from '../core/hashed-job';
import { componentLabels } from '../core/labels';
import { aDuration } from '../core/prop-kinds';
import { aListOf, AN_IBUCKET, anImplementationOf, anInstanceOf, aString, aStringMap, PropKind } from '../core/props-check';
import { TrustBundle } from '../core/trust-bundle';
import { WorkloadPlacement } from '../core/workload-placement';

// What `PyTorchDdpJob` and `SparkJob` do alike. Internal: not exported from the package.

/** The ConfigMap key of a job's template. */
export const TEMPLATE_KEY = 'template.yaml';
const DEFAULT_SHARED_MOUNT_PATH = '/shared';
const JOB_LABEL = 'mlops.cdk8s.io/training-job';
/** The base of a job's name: with `-<hash>` (10) or the 5 characters `generateName` adds, pod names stay DNS labels. */
const MAX_NAME_LENGTH = 39;

/** The kinds of the props every training job takes, for `checkProps`. */
export const TRAINING_JOB_PROP_KINDS: Record<string, PropKind> = {
  name: aString("'mnist-ddp'"),
  submission: aString('JobSubmission.TEMPLATE'),
  ttlAfterFinished: aDuration({ example: 'Duration.hours(1)', atLeast: Duration.seconds(1) }),
  sharedVolume: anImplementationOf('IStorage', ['asVolume'], "new NfsSharedVolume(this, 'Shared', { server, path })"),
  sharedMountPath: aString("'/shared'"),
  tracking: anImplementationOf('IMlflowTracking', ['trackingUri'], 'platform.mlflow'),
  experimentName: aString("'mnist'"),
  readBuckets: aListOf(AN_IBUCKET),
  writeBuckets: aListOf(AN_IBUCKET),
  env: aStringMap("{ LOG_LEVEL: 'info' }"),
  placement: anInstanceOf(WorkloadPlacement, "WorkloadPlacement.of({ nodeSelector: { 'nvidia.com/gpu.present': 'true' } })"),
};

/** An env var of a container inside a custom resource. */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: any;
}

/** The part of the pods' spec that comes from `TrainingJobProps`. */
export interface TrainingPodParts {
  /** MLflow, the buckets' S3 endpoint and key pair, the job's own env vars, then the literal `env`. */
  readonly env: EnvVar[];
  readonly volumes: Array<{ readonly name: string; readonly [source: string]: any }>;
  readonly volumeMounts: Array<{ readonly name: string; readonly mountPath: string }>;
  /** Where the shared volume is mounted, when there is one. */
  readonly sharedMountPath?: string;
  /** The store of the buckets, when there are any. */
  readonly objectStore?: IObjectStore;
  /** The names of the buckets the job may use. */
  readonly bucketNames: string[];
  /** The JVM options of the store's truststore, when a private CA signs it (`TrustBundle.podFields`). */
  readonly javaTrustOptions?: string;
}

/** The custom resource of a job, as an object of the manifests or a template. */
export interface RenderedJob {
  readonly resource?: ApiObject;
  readonly template?: kplus.ConfigMap;
}

/** A training job's name, labels and pods, the env and volumes of its pods, and how its custom resource is rendered. */
export class TrainingJobCore {
  /** The base of the custom resource's name. */
  public readonly baseName: string;
  public readonly submission: JobSubmission;
  /** The labels of the custom resource. */
  public readonly labels: Record<string, string>;
  /** The labels of every pod of the job; `pods` selects them. */
  public readonly podLabels: Record<string, string>;
  public readonly pods: kplus.Pods;

  constructor(private readonly scope: Construct, private readonly props: TrainingJobProps, labels: { name: string; image: string }) {
    this.baseName = props.name ?? Names.toDnsLabel(scope, { maxLen: MAX_NAME_LENGTH });
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(this.baseName) || this.baseName.length > MAX_NAME_LENGTH) {
      throw new MlopsValidationError(scope, `name '${this.baseName}' is invalid: must be at most ${MAX_NAME_LENGTH} lowercase letters, digits `
        + "and '-', starting with a letter and ending with a letter or digit (the operator names pods and Services after it), e.g. 'mnist-ddp'");
    }
    this.submission = props.submission ?? JobSubmission.MANIFEST;
    if (!Object.values(JobSubmission).includes(this.submission)) {
      throw new MlopsValidationError(scope, `submission '${this.submission}' is invalid: give JobSubmission.MANIFEST or JobSubmission.TEMPLATE`);
    }
    if (props.ttlAfterFinished !== undefined && this.submission === JobSubmission.MANIFEST) {
      throw new MlopsValidationError(scope, 'ttlAfterFinished is invalid with JobSubmission.MANIFEST: the operator would delete the finished job, '
        + 'and the next apply (or Argo CD\'s self-heal) would create it again and train again; remove it, or use JobSubmission.TEMPLATE');
    }
    this.labels = componentLabels(scope, { name: labels.name, component: 'training', image: labels.image });
    this.podLabels = { ...this.labels, [JOB_LABEL]: Names.toLabelValue(scope) };
    this.pods = kplus.Pods.select(scope, 'Pods', { labels: { [JOB_LABEL]: Names.toLabelValue(scope) } });
    // Ranks rendezvous and exchange gradients, a driver and its executors shuffle: on any port, in both directions.
    new kplus.NetworkPolicy(scope, 'AllowWithinJob', { selector: this.pods, ingress: { rules: [{ peer: this.pods }] } });
  }

  /**
   * The env and volumes of the pods: MLflow, the buckets' grants (one store, one key pair), the shared volume, then
   * `ownEnv` (the job's own variables, which may refer to the shared mount) and the literal `env`.
   */
  public podParts(ownEnv: (sharedMountPath: string | undefined) => Array<[string, string]>): TrainingPodParts {
    const props = this.props;
    const env: EnvVar[] = [];
    if (props.tracking) {
      env.push({ name: 'MLFLOW_TRACKING_URI', value: props.tracking.trackingUri });
    }
    if (props.experimentName !== undefined) {
      if (props.experimentName.trim() === '') {
        throw new MlopsValidationError(this.scope, "experimentName '' is invalid: give an MLflow experiment's name, e.g. 'mnist', or leave it out");
      }
      env.push({ name: 'MLFLOW_EXPERIMENT_NAME', value: props.experimentName });
    }
    const s3 = this.grantBuckets();
    if (s3) {
      env.push(envVar('AWS_ACCESS_KEY_ID', s3.credentials.envValue(Credentials.USERNAME)));
      env.push(envVar('AWS_SECRET_ACCESS_KEY', s3.credentials.envValue(Credentials.PASSWORD)));
      env.push({ name: 'AWS_ENDPOINT_URL', value: s3.store.endpoint.url() });
      env.push({ name: 'AWS_DEFAULT_REGION', value: s3.store.region });
    }
    const volumes: Array<{ name: string; [source: string]: any }> = [];
    const volumeMounts: Array<{ name: string; mountPath: string }> = [];
    const trust = this.trustBundle(s3?.store)?.podFields();
    if (trust) {
      env.push(...trust.env.map((entry) => ({ name: entry.name, value: entry.value })));
      volumes.push(trust.volume as { name: string });
      volumeMounts.push(trust.volumeMount as { name: string; mountPath: string });
    }
    let sharedMountPath: string | undefined;
    if (props.sharedVolume) {
      sharedMountPath = props.sharedMountPath ?? DEFAULT_SHARED_MOUNT_PATH;
      if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(sharedMountPath) || ['/tmp', '/dev/shm'].includes(sharedMountPath)) {
        throw new MlopsValidationError(this.scope, `sharedMountPath '${sharedMountPath}' is invalid: must be an absolute path other than /tmp and `
          + "/dev/shm, of letters, digits, '.', '_', '~' and '-' segments, e.g. '/shared'");
      }
      const volume = kplus.k8s.toJson_Volume(props.sharedVolume.asVolume()._toKube()) as { name: string };
      volumes.push(volume);
      volumeMounts.push({ name: volume.name, mountPath: sharedMountPath });
    } else if (props.sharedMountPath !== undefined) {
      throw new MlopsValidationError(this.scope, 'sharedMountPath is invalid without sharedVolume: there is nothing to mount; give sharedVolume or remove it');
    }
    for (const [name, value] of ownEnv(sharedMountPath)) {
      env.push({ name, value });
    }
    for (const [name, value] of Object.entries(props.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || env.some((entry) => entry.name === name)) {
        const problem = env.some((entry) => entry.name === name) ? 'the job sets it itself' : "must start with a letter or '_' and hold only letters, digits and '_'";
        throw new MlopsValidationError(this.scope, `env '${name}' is invalid: ${problem}; give another name`);
      }
      env.push({ name, value });
    }
    return {
      env,
      volumes,
      volumeMounts,
      sharedMountPath,
      objectStore: s3?.store,
      javaTrustOptions: trust?.javaOptions || undefined,
      bucketNames: [...props.readBuckets ?? [], ...props.writeBuckets ?? []].map((bucket) => bucket.bucketName),
    };
  }

  /**
   * The custom resource: as an object of the manifests named `<base>-<hash of its spec>`, or as the `template.yaml` of
   * a ConfigMap with `generateName: <base>-`. `make` creates the object, `manifest` renders it, `specJson` is the spec
   * in Kubernetes' field names.
   */
  public render(
    make: (metadata: ApiObjectMetadata) => ApiObject,
    manifest: (metadata: ApiObjectMetadata) => Record<string, any>,
    specJson: () => unknown,
  ): RenderedJob {
    if (this.submission === JobSubmission.MANIFEST) {
      const self: { resource?: ApiObject } = {};
      const name = Lazy.any({ produce: () => `${this.baseName}-${specHash(self.resource!, specJson())}` }) as unknown as string;
      self.resource = make({ name, labels: this.labels });
      return { resource: self.resource };
    }
    const namespace = Chart.of(this.scope).namespace;
    const template = new kplus.ConfigMap(this.scope, 'Template', { metadata: { labels: this.labels } });
    template.addData(TEMPLATE_KEY, Lazy.any({
      produce: () => {
        const object = manifest({ namespace, labels: this.labels });
        return stringify({ ...object, metadata: { generateName: `${this.baseName}-`, ...object.metadata } }, { aliasDuplicateObjects: false });
      },
    }) as unknown as string);
    return { template };
  }

  /** The CA bundle of the store and of MLflow, which the pods mount at one path: the same bundle, or only one. */
  private trustBundle(store: IObjectStore | undefined): TrustBundle | undefined {
    const bundles = [store?.endpoint.trustBundle, this.props.tracking?.trustBundle].filter((b): b is TrustBundle => b !== undefined);
    if (bundles.length === 2 && bundles[0].configMapName !== bundles[1].configMapName) {
      throw new MlopsValidationError(this.scope, `tracking is invalid with these buckets: MLflow is verified with the CA bundle '${bundles[1].configMapName}' `
        + `and the buckets' store with '${bundles[0].configMapName}', and a pod trusts one bundle; publish both CAs in one bundle (PlatformTls)`);
    }
    return bundles[0];
  }

  /** Grants every bucket to the pods; all must be on one store and come with one key pair. */
  private grantBuckets(): { store: IObjectStore; credentials: Credentials } | undefined {
    const grants: Array<[IBucket, Credentials]> = [
      ...(this.props.readBuckets ?? []).map((bucket): [IBucket, Credentials] => [bucket, bucket.grantRead(this.pods)]),
      ...(this.props.writeBuckets ?? []).map((bucket): [IBucket, Credentials] => [bucket, bucket.grantReadWrite(this.pods)]),
    ];
    if (grants.length === 0) {
      return undefined;
    }
    const [[first, credentials]] = grants;
    for (const [bucket, other] of grants.slice(1)) {
      if (storeOf(bucket) !== storeOf(first) || keyPairOf(other) !== keyPairOf(credentials)) {
        throw new MlopsValidationError(this.scope, `buckets '${first.bucketName}' and '${bucket.bucketName}' are invalid together: they are `
          + `${storeOf(bucket) !== storeOf(first) ? 'on different stores' : 'read with different key pairs'}, and the job's S3 clients (boto3, `
          + 'S3A) take one endpoint and key pair from the environment; give buckets of one store that grant the same user, or run one job per store');
      }
    }
    return { store: first.objectStore, credentials };
  }
}

function envVar(name: string, value: kplus.EnvValue): EnvVar {
  return value.valueFrom ? { name, valueFrom: kplus.k8s.toJson_EnvVarSource(value.valueFrom) } : { name, value: value.value };
}

function storeOf(bucket: IBucket): string {
  const store = bucket.objectStore;
  return `${store.endpoint.url()} ${store.region} ${store.pathStyle}`;
}

/** Where a key pair comes from: the Secret and its keys, or the literal value of the access key id. */
function keyPairOf(credentials: Credentials): string {
  const user = credentials.envValue(Credentials.USERNAME);
  return `${credentials.secret.name} ${user.valueFrom ? credentials.secretKey(Credentials.USERNAME) : `=${user.value}`} ${credentials.secretKey(Credentials.PASSWORD)}`;
}
