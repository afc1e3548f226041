import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IObjectStore } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { MlopsValidationError } from '../core/errors';
import { aBoolean, anImplementationOf, anInstanceOf, aString, checkProps } from '../core/props-check';
import { IMlflowTracking } from '../core/tracking';
import { TrustBundle, TrustBundlePodFields } from '../core/trust-bundle';
import {
  PodDefault, PodDefaultSpec, PodDefaultSpecVolumeMounts, PodDefaultSpecVolumes,
} from '../imports/kubeflow-poddefault-kubeflow.org';

/** The label the PodDefault webhook looks for on a namespace (its MutatingWebhookConfiguration's namespaceSelector). */
const KUBEFLOW_PROFILE_LABEL = 'app.kubernetes.io/part-of';
const KUBEFLOW_PROFILE_VALUE = 'kubeflow-profile';
/** Where Kubeflow Pipelines' SDK looks for the projected token (`KF_PIPELINES_SA_TOKEN_PATH`). */
const PIPELINES_TOKEN_DIR = '/var/run/secrets/kubeflow/pipelines';
const PIPELINES_AUDIENCE = 'pipelines.kubeflow.org';
const PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

/** Properties of `KubeflowPodDefaults`. */
export interface KubeflowPodDefaultsProps {
  /**
   * The MLflow server: PodDefault `access-mlflow` sets `MLFLOW_TRACKING_URI`. The server must let the namespace in.
   *
   * @default - no MLflow PodDefault
   */
  readonly tracking?: IMlflowTracking;

  /**
   * The S3 store of the platform's buckets: PodDefault `access-s3` sets `AWS_ENDPOINT_URL` and `AWS_DEFAULT_REGION`,
   * and the key pair from `s3Credentials`.
   *
   * @default - no S3 PodDefault
   */
  readonly objectStore?: IObjectStore;

  /**
   * The key pair of the namespace's S3 user, from a Secret in the profile namespace (`Credentials.USERNAME` is the
   * access key id, `Credentials.PASSWORD` the secret key). Required with `objectStore`.
   *
   * @default - none
   */
  readonly s3Credentials?: Credentials;

  /**
   * A volume of the profile namespace (e.g. the claim of an `NfsSharedVolume` in that namespace): PodDefault
   * `access-shared-volume` mounts it at `sharedMountPath`.
   *
   * @default - no shared volume PodDefault
   */
  readonly sharedVolume?: kplus.IStorage;

  /**
   * Where `sharedVolume` is mounted.
   *
   * @default '/shared'
   */
  readonly sharedMountPath?: string;

  /**
   * PodDefault `access-ml-pipeline`, Kubeflow's own way to let a notebook call the Pipelines API: a ServiceAccount
   * token projected for the audience `pipelines.kubeflow.org` at `/var/run/secrets/kubeflow/pipelines/token`, named
   * by `KF_PIPELINES_SA_TOKEN_PATH`.
   *
   * @default true
   */
  readonly pipelineAccess?: boolean;

  /**
   * Whether to emit the Namespace itself, labelled `app.kubernetes.io/part-of: kubeflow-profile` so that the
   * PodDefault webhook acts in it. A Profile's namespace is its controller's, which sets that label: leave it off there,
   * or deleting these manifests would delete the namespace.
   *
   * @default false
   */
  readonly createNamespace?: boolean;
}

/**
 * Kubeflow PodDefaults in a profile namespace (the chart's), which Kubeflow's notebook form lists by their `desc`
 * and its webhook applies to every pod carrying their selector label: `access-mlflow: "true"` sets the tracking URI,
 * `access-s3` the bucket credentials, `access-shared-volume` mounts the platform's share, and `access-ml-pipeline`
 * the Pipelines API token. Needs Kubeflow v1.10's admission webhook.
 *
 * Profile namespaces run Istio sidecars whose `istio-init` container needs `NET_ADMIN` unless Istio CNI is installed,
 * so they get no Pod Security `restricted` and no default-deny policy here: either would stop every notebook from
 * starting or from reaching the mesh.
 */
export class KubeflowPodDefaults extends Construct {
  /** The profile namespace. */
  public readonly profileNamespace: string;
  /** The PodDefaults, by name (`access-mlflow`, `access-s3`, `access-shared-volume`, `access-ml-pipeline`). */
  public readonly podDefaults: { [name: string]: ApiObject } = {};

  constructor(scope: Construct, id: string, props: KubeflowPodDefaultsProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, {
      tracking: anImplementationOf('IMlflowTracking', ['trackingUri'], 'mlflow'),
      objectStore: anImplementationOf('IObjectStore', ['endpoint', 'region'], 'minio'),
      s3Credentials: anInstanceOf(Credentials, "Credentials.fromSecret(kplus.Secret.fromSecretName(this, 'S3', 'team-a-s3'))"),
      sharedVolume: anImplementationOf('IStorage', ['asVolume'], 'nfs'),
      sharedMountPath: aString("'/shared'"),
      pipelineAccess: aBoolean(),
      createNamespace: aBoolean(),
    });
    const namespace = Chart.of(this).namespace;
    if (!namespace) {
      throw new MlopsValidationError(this, 'the chart has no namespace: PodDefaults act in the profile namespace they are in; give the chart '
        + "the profile's namespace, e.g. new Chart(app, 'team-a', { namespace: 'team-a' })");
    }
    this.profileNamespace = namespace;
    if ((props.objectStore === undefined) !== (props.s3Credentials === undefined)) {
      throw new MlopsValidationError(this, 'objectStore and s3Credentials are invalid one without the other: the S3 PodDefault needs the store '
        + "and the namespace's key pair; give both, e.g. s3Credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(this, 'S3', 'team-a-s3'))");
    }
    if (props.sharedMountPath !== undefined && !props.sharedVolume) {
      throw new MlopsValidationError(this, 'sharedMountPath is invalid without sharedVolume: there is nothing to mount; give sharedVolume or remove it');
    }
    const sharedMountPath = props.sharedMountPath ?? '/shared';
    if (!PATH.test(sharedMountPath) || sharedMountPath === '/tmp') {
      throw new MlopsValidationError(this, `sharedMountPath '${sharedMountPath}' is invalid: must be an absolute path other than /tmp, of letters, `
        + "digits, '.', '_', '~' and '-' segments, e.g. '/shared'");
    }

    if (props.createNamespace) {
      const ns = new kplus.Namespace(this, 'Namespace', {
        metadata: { name: namespace, labels: { [KUBEFLOW_PROFILE_LABEL]: KUBEFLOW_PROFILE_VALUE } },
      });
      ApiObject.of(ns).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    if (props.tracking) {
      const bundle = props.tracking.trustBundle;
      this.addPodDefault('access-mlflow', 'Log to MLflow (MLFLOW_TRACKING_URI)', {
        env: [
          { name: 'MLFLOW_TRACKING_URI', value: props.tracking.trackingUri },
          ...(bundle ? [{ name: 'MLFLOW_TRACKING_SERVER_CERT_PATH', value: bundle.pemPath }] : []),
        ],
        ...trusting(bundle),
      });
    }
    if (props.objectStore && props.s3Credentials) {
      const credentials = props.s3Credentials;
      const fromSecret = (name: string, key: string) => {
        const value = credentials.envValue(key);
        return value.valueFrom
          ? { name, valueFrom: { secretKeyRef: { name: credentials.secret.name, key: credentials.secretKey(key) } } }
          : { name, value: value.value };
      };
      this.addPodDefault('access-s3', "Read and write the platform's buckets (AWS_* variables)", {
        env: [
          fromSecret('AWS_ACCESS_KEY_ID', Credentials.USERNAME),
          fromSecret('AWS_SECRET_ACCESS_KEY', Credentials.PASSWORD),
          { name: 'AWS_ENDPOINT_URL', value: props.objectStore.endpoint.url() },
          { name: 'AWS_DEFAULT_REGION', value: props.objectStore.region },
        ],
        ...trusting(props.objectStore.endpoint.trustBundle),
      });
    }
    if (props.sharedVolume) {
      // A Volume in Kubernetes' field names, which the PodDefault's volume type shares.
      const volume = kplus.k8s.toJson_Volume(props.sharedVolume.asVolume()._toKube()) as PodDefaultSpecVolumes;
      this.addPodDefault('access-shared-volume', `Mount the platform's shared volume at ${sharedMountPath}`, {
        volumes: [volume],
        volumeMounts: [{ name: volume.name, mountPath: sharedMountPath }],
      });
    }
    if (props.pipelineAccess ?? true) {
      this.addPodDefault('access-ml-pipeline', 'Allow access to Kubeflow Pipelines', {
        env: [{ name: 'KF_PIPELINES_SA_TOKEN_PATH', value: `${PIPELINES_TOKEN_DIR}/token` }],
        volumes: [{
          name: 'volume-kf-pipeline-token',
          projected: { sources: [{ serviceAccountToken: { audience: PIPELINES_AUDIENCE, expirationSeconds: 7200, path: 'token' } }] },
        }],
        volumeMounts: [{ name: 'volume-kf-pipeline-token', mountPath: PIPELINES_TOKEN_DIR, readOnly: true }],
      });
    }
  }

  /** A PodDefault `name` that applies to pods labelled `<name>: "true"`, listed in the notebook form as `desc`. */
  private addPodDefault(name: string, desc: string, spec: Omit<PodDefaultSpec, 'selector' | 'desc'> & { trust?: TrustBundlePodFields }): void {
    const { trust, ...rest } = spec;
    this.podDefaults[name] = new PodDefault(this, name, {
      metadata: { name },
      spec: {
        ...rest,
        env: [...rest.env ?? [], ...(trust?.env ?? []).map((variable) => ({ name: variable.name, value: variable.value }))],
        ...(trust ? {
          volumes: [...rest.volumes ?? [], trust.volume as PodDefaultSpecVolumes],
          volumeMounts: [...rest.volumeMounts ?? [], trust.volumeMount as PodDefaultSpecVolumeMounts],
        } : {}),
        desc,
        selector: { matchLabels: { [name]: 'true' } },
      },
    });
  }
}

/**
 * The CA bundle's volume, mount and variables (`TrustBundle.podFields`), for a PodDefault whose server runs TLS. Two
 * PodDefaults on one pod may both bring it: the webhook merges identical volumes and variables.
 */
function trusting(bundle: TrustBundle | undefined): { trust?: TrustBundlePodFields } {
  return bundle ? { trust: bundle.podFields() } : {};
}
