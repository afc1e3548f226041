import { Size } from 'cdk8s';
import { TrainingJobProps } from './training-job-props';

/** The language of a Spark application (`spec.type`). */
export enum SparkJobType {
  /** A Python file, `.py`. */
  PYTHON = 'Python',
  /** A jar with a `mainClass` (Scala and Java are submitted alike). */
  SCALA = 'Scala',
  /** A jar with a `mainClass`. */
  JAVA = 'Java',
  /** An R script, `.R`. */
  R = 'R',
}

/** Properties of a `SparkJob`. */
export interface SparkJobProps extends TrainingJobProps {
  /**
   * The application: `local:///opt/app/job.py` (in the image), an absolute path (in the image or on `sharedVolume`,
   * made `local://`), `s3a://<bucket>/...` of one of the job's buckets, or `https://...`.
   */
  readonly mainApplicationFile: string;

  /**
   * The application's language.
   *
   * @default - from the file's extension: `.py` Python, `.R` R, `.jar` Scala
   */
  readonly type?: SparkJobType;

  /**
   * The main class of a jar application.
   *
   * @default - none; required for a jar
   */
  readonly mainClass?: string;

  /**
   * The application's arguments.
   *
   * @default - none
   */
  readonly arguments?: string[];

  /**
   * The image of the driver and the executors. S3A needs the `hadoop-aws` jar and the AWS SDK bundle in it (the
   * official image has neither), and third-party Python or Java packages belong in it too.
   *
   * @default DefaultImages.SPARK
   */
  readonly image?: string;

  /**
   * The Spark version of `image`, at least 3.0.0 (the pods are configured through pod templates).
   *
   * @default - the version of `DefaultImages.SPARK`; required with another `image`
   */
  readonly sparkVersion?: string;

  /** @default 1 */
  readonly driverCores?: number;

  /** The driver's JVM heap; Spark adds its memory overhead to the pod's request and limit. @default Size.gibibytes(1) */
  readonly driverMemory?: Size;

  /** @default 2 */
  readonly executorInstances?: number;

  /** @default 1 */
  readonly executorCores?: number;

  /** Each executor's JVM heap; Spark adds its memory overhead. @default Size.gibibytes(2) */
  readonly executorMemory?: Size;

  /**
   * Jars on the driver's and executors' classpath (`deps.jars`): `local://` paths in the image, or URIs.
   *
   * @default - none
   */
  readonly jars?: string[];

  /**
   * Python files, zips or eggs on the `PYTHONPATH` (`deps.pyFiles`).
   *
   * @default - none
   */
  readonly pyFiles?: string[];

  /**
   * Files put into each pod's working directory (`deps.files`).
   *
   * @default - none
   */
  readonly files?: string[];

  /**
   * Maven coordinates (`group:artifact:version`) downloaded when the driver starts (`deps.packages`). That needs the
   * repositories to be reachable, which an air-gapped cluster's are not: build the jars into the image instead.
   *
   * @default - none: nothing is downloaded
   */
  readonly packages?: string[];

  /**
   * Maven repositories `packages` come from (`deps.repositories`), e.g. a mirror inside your network.
   *
   * @default - Maven Central
   */
  readonly repositories?: string[];

  /**
   * More Spark configuration (`sparkConf`). Credentials do not belong here: the buckets' key pair comes from their
   * grant's Secret.
   *
   * @default - none
   */
  readonly sparkConf?: { [key: string]: string };

  /**
   * How many times a failed run is retried (`restartPolicy` `OnFailure`), 10 seconds apart.
   *
   * @default 0 - `Never`
   */
  readonly retries?: number;

  /**
   * The namespaces the spark-operator handles (its Helm value `spark.jobNamespaces`). The operator ignores a
   * SparkApplication anywhere else, without an error, so the job's namespace must be one of them: add it to the
   * operator's install and list it here.
   *
   * @default ['default'] - the value the operator's chart ships with
   */
  readonly operatorJobNamespaces?: string[];
}
