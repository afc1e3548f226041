import { ApiObject, Chart, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SparkJobProps, SparkJobType } from './spark-job-props';
import { TRAINING_JOB_PROP_KINDS, TrainingJobCore, TrainingPodParts } from './training-job-core';
import { JobSubmission } from './training-job-props';
import { MlopsValidationError } from '../core/errors';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { aNamespace, aSize, aUrl, aWholeNumber } from '../core/prop-kinds';
import { aListOf, anImage, aString, aStringMap, checkProps } from '../core/props-check';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/security';
import * as spark from '../imports/spark-sparkapplication-sparkoperator.k8s.io';

/** The Spark version of `DefaultImages.SPARK`. */
const DEFAULT_SPARK_VERSION = '4.0.4';
/** The container names the spark-operator (v2.5) gives Spark for the pod templates. */
const DRIVER_CONTAINER = 'spark-kubernetes-driver';
const EXECUTOR_CONTAINER = 'spark-kubernetes-executor';
/** The verbs of the driver Role the spark-operator's chart creates (`templates/spark/rbac.yaml`). */
const DRIVER_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const URI_SCHEMES = ['local', 's3a', 'https', 'http', 'hdfs'];
const CREDENTIAL_KEY = /access\.key|secret\.key|session\.token|password|secret/i;

/**
 * A Spark application run by the spark-operator (v2.5): a `SparkApplication` in cluster mode, whose driver runs in a pod
 * of its own and starts `executorInstances` executor pods.
 *
 * ```ts
 * const features = new SparkJob(this, 'Features', {
 *   mainApplicationFile: 'local:///opt/app/features.py',
 *   image: 'registry.example.com/ml/spark-s3a:4.0.4', sparkVersion: '4.0.4',
 *   operatorJobNamespaces: ['mlops'],        // the operator's spark.jobNamespaces
 *   readBuckets: [datasets], writeBuckets: [features],
 *   sharedVolume: nfs, tracking: mlflow,
 * });
 * ```
 *
 * - The driver and executor pods are described by pod templates (`driver.template`, `executor.template`, Spark 3.0+),
 *   which Spark itself applies: Pod Security `restricted`, the placement, the shared volume, and the env vars from
 *   Secrets reach the pods without the operator's mutating webhook.
 * - The operator only handles SparkApplications in its `spark.jobNamespaces`, and ignores others silently: the job
 *   refuses a namespace that is not in `operatorJobNamespaces`.
 * - S3A: the buckets' endpoint, region and path-style access in `sparkConf` (`spark.hadoop.fs.s3a.*`), and their key
 *   pair as `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` from the grant's Secret in the driver and the executors,
 *   where S3A's default credential chain reads it. No credential is ever in `sparkConf`. The image needs `hadoop-aws`.
 * - MLflow: `MLFLOW_TRACKING_URI`, and with a shared volume `MLFLOW_DFS_TMP` on it, where `mlflow.spark.log_model`
 *   has the executors write the model's parts for the driver to read.
 * - The driver runs as its own ServiceAccount, with the Role the operator's chart gives drivers (pods, configmaps,
 *   persistentvolumeclaims and services); the executors mount no token. A NetworkPolicy lets the job's pods reach each
 *   other on any port (the executors call the driver, shuffles go between executors).
 */
export class SparkJob extends Construct {
  /** The base of the SparkApplication's name. */
  public readonly name: string;
  /** How the job runs. */
  public readonly submission: JobSubmission;
  /** The driver and executor pods, as a NetworkPolicy peer: `mlflow.allowFrom(job.pods)`. */
  public readonly pods: kplus.Pods;
  /** The SparkApplication, with `JobSubmission.MANIFEST`. */
  public readonly resource?: ApiObject;
  /** The ConfigMap whose `template.yaml` holds the SparkApplication, with `JobSubmission.TEMPLATE`. */
  public readonly template?: kplus.ConfigMap;
  /** The driver's ServiceAccount. */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The application's language. */
  public readonly type: SparkJobType;
  /** The Spark version of the image. */
  public readonly sparkVersion: string;

  constructor(scope: Construct, id: string, props: SparkJobProps) {
    super(scope, id);
    const uris = aListOf(aString("'local:///opt/app/lib.jar'"));
    checkProps(this, props, { mainApplicationFile: aString("'local:///opt/app/job.py'") }, {
      ...TRAINING_JOB_PROP_KINDS,
      type: aString('SparkJobType.PYTHON'),
      mainClass: aString("'com.example.Features'"),
      arguments: aListOf(aString("'--date=2026-01-01'")),
      image: anImage("'registry.example.com/ml/spark-s3a:4.0.4'"),
      sparkVersion: aString("'4.0.4'"),
      driverCores: aWholeNumber(1, 1, 64),
      driverMemory: aSize({ example: 'Size.gibibytes(1)', atLeast: Size.mebibytes(512) }),
      executorInstances: aWholeNumber(2, 1, 1000),
      executorCores: aWholeNumber(1, 1, 64),
      executorMemory: aSize({ example: 'Size.gibibytes(2)', atLeast: Size.mebibytes(512) }),
      jars: uris,
      pyFiles: uris,
      files: uris,
      packages: aListOf(aString("'org.apache.spark:spark-avro_2.13:4.0.4'")),
      repositories: aListOf(aUrl({ schemes: ['http', 'https'], example: 'https://maven.example.com/releases' })),
      sparkConf: aStringMap("{ 'spark.sql.shuffle.partitions': '64' }"),
      retries: aWholeNumber(2, 0, 100),
      operatorJobNamespaces: aListOf(aNamespace("'mlops'")),
    });
    this.checkNamespace(props.operatorJobNamespaces ?? ['default']);
    const image = props.image ?? defaultImage(this, DefaultImages.SPARK);
    this.sparkVersion = this.version(props.image, props.sparkVersion);
    const mainApplicationFile = this.uri('mainApplicationFile', props.mainApplicationFile);
    this.type = this.applicationType(props, mainApplicationFile);
    const core = new TrainingJobCore(this, props, { name: 'spark', image });
    this.name = core.baseName;
    this.submission = core.submission;
    this.pods = core.pods;

    const parts = core.podParts((shared) => (shared ? [['MLFLOW_DFS_TMP', `${shared}/tmp/mlflow`]] : []));
    const deps = {
      jars: props.jars?.map((uri) => this.uri('jars', uri)),
      pyFiles: props.pyFiles?.map((uri) => this.uri('pyFiles', uri)),
      files: props.files?.map((uri) => this.uri('files', uri)),
      packages: props.packages,
      repositories: props.repositories,
    };
    this.checkBuckets(parts, image, [mainApplicationFile, ...deps.jars ?? [], ...deps.pyFiles ?? [], ...deps.files ?? []]);
    const sparkConf = this.sparkConf(props, parts);

    this.serviceAccount = new kplus.ServiceAccount(this, 'DriverServiceAccount', { metadata: { labels: core.labels }, automountToken: true });
    const role = new kplus.Role(this, 'DriverRole', {
      metadata: { labels: core.labels },
      rules: [{
        verbs: DRIVER_VERBS,
        resources: [kplus.ApiResource.PODS, kplus.ApiResource.CONFIG_MAPS, kplus.ApiResource.PERSISTENT_VOLUME_CLAIMS, kplus.ApiResource.SERVICES],
      }],
    });
    new kplus.RoleBinding(this, 'DriverRoleBinding', { metadata: { labels: core.labels }, role }).addSubjects(this.serviceAccount);

    const runAs = props.runAs ?? { user: 185, group: 185 };
    const podTemplate = (container: string, ownToken: boolean) => ({
      metadata: { labels: core.podLabels },
      spec: {
        ...(ownToken ? {} : { automountServiceAccountToken: false }),
        securityContext: restrictedPodSecurityContext(runAs),
        ...props.placement?.podSpecFields(this, core.podLabels),
        containers: [{
          name: container,
          env: parts.env,
          volumeMounts: parts.volumeMounts.length > 0 ? parts.volumeMounts : undefined,
          securityContext: restrictedContainerSecurityContext(),
        }],
        volumes: parts.volumes.length > 0 ? parts.volumes : undefined,
      },
    });
    const retries = props.retries ?? 0;
    const spec: spark.SparkApplicationSpec = {
      type: this.type as unknown as spark.SparkApplicationSpecType,
      mode: spark.SparkApplicationSpecMode.CLUSTER,
      sparkVersion: this.sparkVersion,
      image,
      imagePullPolicy: imagePullPolicy(image),
      mainApplicationFile,
      mainClass: props.mainClass,
      arguments: props.arguments,
      sparkConf: Object.keys(sparkConf).length > 0 ? sparkConf : undefined,
      deps: Object.values(deps).some((list) => list !== undefined) ? deps : undefined,
      restartPolicy: retries > 0 ? {
        type: spark.SparkApplicationSpecRestartPolicyType.ON_FAILURE,
        onFailureRetries: retries,
        onFailureRetryInterval: 10,
        onSubmissionFailureRetries: retries,
        onSubmissionFailureRetryInterval: 10,
      } : { type: spark.SparkApplicationSpecRestartPolicyType.NEVER },
      timeToLiveSeconds: props.ttlAfterFinished?.toSeconds(),
      driver: {
        cores: props.driverCores ?? 1,
        memory: this.memory('driverMemory', props.driverMemory ?? Size.gibibytes(1)),
        serviceAccount: this.serviceAccount.name,
        template: podTemplate(DRIVER_CONTAINER, true),
      },
      executor: {
        instances: props.executorInstances ?? 2,
        cores: props.executorCores ?? 1,
        memory: this.memory('executorMemory', props.executorMemory ?? Size.gibibytes(2)),
        template: podTemplate(EXECUTOR_CONTAINER, false),
      },
    };
    const rendered = core.render(
      (metadata) => new spark.SparkApplication(this, 'Resource', { metadata, spec }),
      (metadata) => spark.SparkApplication.manifest({ metadata, spec }),
      () => spark.toJson_SparkApplicationSpec(spec),
    );
    this.resource = rendered.resource;
    this.template = rendered.template;
  }

  /** The operator ignores SparkApplications outside its `spark.jobNamespaces`, so the chart's namespace must be one. */
  private checkNamespace(watched: string[]): void {
    const namespace = Chart.of(this).namespace;
    if (namespace === undefined || !watched.includes(namespace)) {
      const where = namespace === undefined ? "the chart has no namespace, so the job's is unknown" : `namespace '${namespace}' is not among them`;
      throw new MlopsValidationError(this, `operatorJobNamespaces [${watched.join(', ')}] is invalid: the spark-operator only handles SparkApplications `
        + `in its spark.jobNamespaces and ignores others silently, and ${where}; add the namespace to the operator's spark.jobNamespaces `
        + `(a value of its Helm install) and list it here, e.g. operatorJobNamespaces: ['${namespace ?? 'mlops'}'], in a chart with that namespace`);
    }
  }

  private version(image: string | undefined, sparkVersion: string | undefined): string {
    if (sparkVersion === undefined) {
      if (image !== undefined) {
        throw new MlopsValidationError(this, `sparkVersion is missing: give the Spark version of image '${image}', e.g. '4.0.4'`);
      }
      return DEFAULT_SPARK_VERSION;
    }
    const parts = /^(\d+)\.(\d+)\.(\d+)$/.exec(sparkVersion);
    if (!parts || Number(parts[1]) < 3) {
      throw new MlopsValidationError(this, `sparkVersion '${sparkVersion}' is invalid: must be a release version of 3.0.0 or later, e.g. '4.0.4' `
        + '(the pods are configured through pod templates, which Spark 3.0 introduced)');
    }
    return sparkVersion;
  }

  /** A `local://`, `s3a://`, `http(s)://` or `hdfs://` URI; an absolute path becomes `local://<path>`. */
  private uri(what: string, value: string): string {
    if (/^\/\S*$/.test(value) && !value.split('/').includes('..')) {
      return `local://${value}`;
    }
    const scheme = /^([a-z][a-z0-9+.-]*):\/\/\S+$/.exec(value)?.[1];
    if (scheme && URI_SCHEMES.includes(scheme)) {
      return value;
    }
    const hint = scheme === 's3' ? "; Hadoop reads buckets through S3A: write 's3a://' instead of 's3://'" : '';
    throw new MlopsValidationError(this, `${what} '${value}' is invalid: must be an absolute path (in the image or on the shared volume) or a URI `
      + `of ${URI_SCHEMES.map((s) => `${s}://`).join(', ')}, e.g. 'local:///opt/app/job.py'${hint}`);
  }

  private applicationType(props: SparkJobProps, mainApplicationFile: string): SparkJobType {
    const extension = /\.([A-Za-z]+)$/.exec(mainApplicationFile)?.[1];
    const byExtension: Record<string, SparkJobType> = { py: SparkJobType.PYTHON, R: SparkJobType.R, r: SparkJobType.R, jar: SparkJobType.SCALA };
    const type = props.type ?? (extension !== undefined ? byExtension[extension] : undefined);
    if (type === undefined || !Object.values(SparkJobType).includes(type)) {
      throw new MlopsValidationError(this, `type ${props.type === undefined ? 'is missing' : `'${props.type}' is invalid`}: the language of `
        + `'${props.mainApplicationFile}' is not known from its extension (.py, .R, .jar); give e.g. type: SparkJobType.PYTHON`);
    }
    const jar = type === SparkJobType.SCALA || type === SparkJobType.JAVA;
    if (jar && props.mainClass === undefined) {
      throw new MlopsValidationError(this, `mainClass is missing: a ${type} application starts at the main class of its jar; give e.g. mainClass: 'com.example.Features'`);
    }
    if (!jar && props.mainClass !== undefined) {
      throw new MlopsValidationError(this, `mainClass is invalid with a ${type} application: only jars have one; remove it`);
    }
    return type;
  }

  /** Every `s3a://` bucket the job names must be one of its buckets, and S3A needs `hadoop-aws` in the image. */
  private checkBuckets(parts: TrainingPodParts, image: string, uris: string[]): void {
    for (const uri of uris.filter((u) => u.startsWith('s3a://'))) {
      const bucket = uri.slice('s3a://'.length).split('/')[0];
      if (!parts.bucketNames.includes(bucket)) {
        throw new MlopsValidationError(this, `'${uri}' is invalid: the job has no credentials for bucket '${bucket}'; add the bucket to readBuckets `
          + '(or writeBuckets), whose grant gives the job its key pair');
      }
    }
    if (parts.objectStore && image === defaultImage(this, DefaultImages.SPARK)) {
      throw new MlopsValidationError(this, `image is invalid with buckets: the default image (${image}) has neither the hadoop-aws jar `
        + 'nor the AWS SDK bundle S3A needs, and downloading them when the job starts fails in an air-gapped cluster; build an image from it '
        + 'with both (of the Hadoop version Spark ships) and give it as image, with its sparkVersion');
    }
  }

  /** The user's `sparkConf` (never credentials), S3A's endpoint for the buckets, and a writable ivy directory for `packages`. */
  private sparkConf(props: SparkJobProps, parts: TrainingPodParts): Record<string, string> {
    const own: Record<string, string> = {};
    const store = parts.objectStore;
    if (store) {
      own['spark.hadoop.fs.s3a.endpoint'] = store.endpoint.url();
      own['spark.hadoop.fs.s3a.endpoint.region'] = store.region;
      own['spark.hadoop.fs.s3a.path.style.access'] = String(store.pathStyle);
      own['spark.hadoop.fs.s3a.connection.ssl.enabled'] = String(store.endpoint.scheme === 'https');
    }
    // S3A runs in the JVM, which reads no PEM bundle: the driver and executors verify the store with the truststore.
    const java: Record<string, string> = {};
    for (const key of parts.javaTrustOptions ? ['spark.driver.extraJavaOptions', 'spark.executor.extraJavaOptions'] : []) {
      java[key] = [parts.javaTrustOptions, props.sparkConf?.[key]].filter((part) => part !== undefined).join(' ');
    }
    if (props.packages && props.packages.length > 0) {
      own['spark.jars.ivy'] = '/tmp/.ivy2';
    }
    for (const key of Object.keys(props.sparkConf ?? {})) {
      if (CREDENTIAL_KEY.test(key)) {
        throw new MlopsValidationError(this, `sparkConf '${key}' is invalid: a credential in sparkConf is plain text in the manifests; the S3 key `
          + "pair comes from the buckets' grants (readBuckets, writeBuckets) as env vars read from their Secret");
      }
      if (key in own) {
        throw new MlopsValidationError(this, `sparkConf '${key}' is invalid: the job sets it from its buckets or packages; remove it`);
      }
    }
    return { ...props.sparkConf, ...own, ...java };
  }

  /** Spark's own notation, `<mebibytes>m`. */
  private memory(what: string, size: Size): string {
    const mebibytes = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    if (!Number.isInteger(mebibytes)) {
      throw new MlopsValidationError(this, `${what} '${size.asString()}' is invalid: must be a whole number of mebibytes, e.g. Size.gibibytes(2)`);
    }
    return `${mebibytes}m`;
  }
}
