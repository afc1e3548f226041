import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { fixture } from './fixtures';
import { Credentials, MinioBucket, PyTorchDdpJob, PyTorchDdpJobProps, ServiceEndpoint, SparkJob, SparkJobProps, SparkJobType } from '../../src';
import { testChart } from '../util';

const DDP = "PyTorchDdpJob 'test/Mnist': ";
const SPARK = "SparkJob 'test/Features': ";
const IMAGE = 'registry.example.com/ml/spark-s3a:4.0.4';

function ddp(props: Partial<PyTorchDdpJobProps>, f = fixture()): () => void {
  return () => new PyTorchDdpJob(f.chart, 'Mnist', { image: 'registry.example.com/ml/mnist-ddp:1.0', script: '/workspace/train.py', ...props });
}

function spark(props: Partial<SparkJobProps>, f = fixture()): () => void {
  return () => new SparkJob(f.chart, 'Features', { mainApplicationFile: 'local:///opt/app/features.py', operatorJobNamespaces: ['mlops'], ...props });
}

describe('PyTorchDdpJob bad input', () => {
  test('no Workers', () => {
    expect(ddp({ workers: 0 })).toThrow(`${DDP}workers '0' is invalid: must be a whole number from 1 to 99 (a PyTorchJob runs one Master and at least one Worker), e.g. 3`);
  });

  test('GPUs without a vendor resource name', () => {
    expect(ddp({ gpus: 2, gpuResourceName: 'gpu' })).toThrow(`${DDP}gpuResourceName 'gpu' is invalid: must be a vendor's extended resource, `
      + "a domain, '/' and a name, as its device plugin registers it, e.g. 'nvidia.com/gpu' or 'amd.com/gpu'");
  });

  test('more processes per pod than GPUs', () => {
    expect(ddp({ gpus: 2, nprocPerNode: 4 })).toThrow(`${DDP}nprocPerNode '4' is invalid with gpus 2: each process drives one GPU of its pod; `
      + 'give at most 2, or leave it out for one process per GPU');
  });

  test('an interpreter and arguments in the script', () => {
    expect(ddp({ script: 'python train.py --epochs 3' })).toThrow(`${DDP}script 'python train.py --epochs 3' is invalid: must be one path `
      + "without spaces, e.g. '/workspace/train.py'; give the script's arguments in args, and no interpreter: torchrun or python runs it");
  });

  test('an elastic range that does not hold the starting Workers', () => {
    expect(ddp({ workers: 5, elastic: { minReplicas: 1, maxReplicas: 4 } })).toThrow(`${DDP}elastic is invalid with workers 5: the Workers start `
      + 'at workers and may range from minReplicas 1 to maxReplicas 4; give minReplicas <= workers <= maxReplicas');
  });

  test('a /dev/shm as large as the memory limit', () => {
    expect(ddp({ sharedMemorySize: Size.gibibytes(4) })).toThrow(`${DDP}sharedMemorySize '4Gi' is invalid with a memory limit of 4Gi: `
      + '/dev/shm is memory and counts against the limit; give a smaller sharedMemorySize or a larger resources.memory.limit');
  });

  test('a TTL on a job of the manifests, which GitOps would re-create and run again', () => {
    expect(ddp({ ttlAfterFinished: Duration.hours(1) })).toThrow(`${DDP}ttlAfterFinished is invalid with JobSubmission.MANIFEST: the operator `
      + "would delete the finished job, and the next apply (or Argo CD's self-heal) would create it again and train again; remove it, or use JobSubmission.TEMPLATE");
  });

  test('a name the operator cannot name pods after', () => {
    expect(ddp({ name: 'MNIST_ddp' })).toThrow(`${DDP}name 'MNIST_ddp' is invalid: must be at most 39 lowercase letters, digits and '-', `
      + "starting with a letter and ending with a letter or digit (the operator names pods and Services after it), e.g. 'mnist-ddp'");
  });

  test('buckets of one job read with different key pairs', () => {
    const f = fixture();
    const external = MinioBucket.fromBucketAttributes(f.chart, 'Lake', {
      bucketName: 'lake',
      endpoint: f.minio.endpoint,
      credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(f.chart, 'LakeKeys', 'lake-keys')),
    });
    expect(ddp({ readBuckets: [f.minio.bucket('datasets'), external] }, f)).toThrow(`${DDP}buckets 'datasets' and 'lake' are invalid together: they `
      + "are read with different key pairs, and the job's S3 clients (boto3, S3A) take one endpoint and key pair from the environment; give buckets "
      + 'of one store that grant the same user, or run one job per store');
  });

  test('a literal env var the job sets itself', () => {
    expect(ddp({ env: { HOME: '/home/me' } })).toThrow(`${DDP}env 'HOME' is invalid: the job sets it itself; give another name`);
  });
});

describe('SparkJob bad input', () => {
  test('a main file that is neither a URI nor an absolute path', () => {
    expect(spark({ mainApplicationFile: 'features.py' })).toThrow(`${SPARK}mainApplicationFile 'features.py' is invalid: must be an absolute path `
      + "(in the image or on the shared volume) or a URI of local://, s3a://, https://, http://, hdfs://, e.g. 'local:///opt/app/job.py'");
  });

  test('an s3:// URI, which Hadoop does not read', () => {
    expect(spark({ mainApplicationFile: 's3://code/features.py' })).toThrow(`${SPARK}mainApplicationFile 's3://code/features.py' is invalid: must be `
      + "an absolute path (in the image or on the shared volume) or a URI of local://, s3a://, https://, http://, hdfs://, e.g. 'local:///opt/app/job.py'; "
      + "Hadoop reads buckets through S3A: write 's3a://' instead of 's3://'");
  });

  test('an S3 bucket without credentials', () => {
    expect(spark({ image: IMAGE, sparkVersion: '4.0.4', mainApplicationFile: 's3a://code/features.py' })).toThrow(`${SPARK}'s3a://code/features.py' `
      + "is invalid: the job has no credentials for bucket 'code'; add the bucket to readBuckets (or writeBuckets), whose grant gives the job its key pair");
  });

  test('S3A on the default image, which has no hadoop-aws', () => {
    const f = fixture();
    expect(spark({ readBuckets: [f.minio.bucket('datasets')] }, f)).toThrow(`${SPARK}image is invalid with buckets: the default image `
      + '(docker.io/apache/spark:4.0.4) has neither the hadoop-aws jar nor the AWS SDK bundle S3A needs, and downloading them when the job starts '
      + 'fails in an air-gapped cluster; build an image from it with both (of the Hadoop version Spark ships) and give it as image, with its sparkVersion');
  });

  test('a credential in sparkConf', () => {
    expect(spark({ sparkConf: { 'spark.hadoop.fs.s3a.secret.key': 'xyz' } })).toThrow(`${SPARK}sparkConf 'spark.hadoop.fs.s3a.secret.key' is invalid: `
      + "a credential in sparkConf is plain text in the manifests; the S3 key pair comes from the buckets' grants (readBuckets, writeBuckets) as env vars read from their Secret");
  });

  test('a namespace the spark-operator does not watch', () => {
    expect(spark({ operatorJobNamespaces: undefined })).toThrow(`${SPARK}operatorJobNamespaces [default] is invalid: the spark-operator only handles `
      + "SparkApplications in its spark.jobNamespaces and ignores others silently, and namespace 'mlops' is not among them; add the namespace to the "
      + "operator's spark.jobNamespaces (a value of its Helm install) and list it here, e.g. operatorJobNamespaces: ['mlops'], in a chart with that namespace");
  });

  test('a chart without a namespace', () => {
    const chart = testChart();
    expect(() => new SparkJob(chart, 'Features', { mainApplicationFile: '/opt/app/features.py' })).toThrow(`${SPARK}operatorJobNamespaces [default] `
      + 'is invalid: the spark-operator only handles SparkApplications in its spark.jobNamespaces and ignores others silently, and the chart has no '
      + "namespace, so the job's is unknown; add the namespace to the operator's spark.jobNamespaces (a value of its Helm install) and list it here, "
      + "e.g. operatorJobNamespaces: ['mlops'], in a chart with that namespace");
  });

  test('another image without its Spark version', () => {
    expect(spark({ image: IMAGE })).toThrow(`${SPARK}sparkVersion is missing: give the Spark version of image '${IMAGE}', e.g. '4.0.4'`);
  });

  test('a Spark version without pod templates', () => {
    expect(spark({ image: IMAGE, sparkVersion: '2.4.8' })).toThrow(`${SPARK}sparkVersion '2.4.8' is invalid: must be a release version of 3.0.0 or `
      + "later, e.g. '4.0.4' (the pods are configured through pod templates, which Spark 3.0 introduced)");
  });

  test('a jar without its main class', () => {
    expect(spark({ mainApplicationFile: 'local:///opt/app/features.jar' })).toThrow(`${SPARK}mainClass is missing: a Scala application starts `
      + "at the main class of its jar; give e.g. mainClass: 'com.example.Features'");
  });

  test('a main file whose language is not known', () => {
    expect(spark({ mainApplicationFile: 'local:///opt/app/features' })).toThrow(`${SPARK}type is missing: the language of `
      + "'local:///opt/app/features' is not known from its extension (.py, .R, .jar); give e.g. type: SparkJobType.PYTHON");
  });

  test('buckets on two stores', () => {
    const f = fixture();
    const lake = MinioBucket.fromBucketAttributes(f.chart, 'Lake', {
      bucketName: 'lake',
      endpoint: ServiceEndpoint.fromHost('s3.example.com', 443, 'https'),
      credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(f.chart, 'LakeKeys', 'lake-keys')),
    });
    expect(spark({ image: IMAGE, sparkVersion: '4.0.4', type: SparkJobType.PYTHON, readBuckets: [lake], writeBuckets: [f.minio.bucket('models')] }, f))
      .toThrow(`${SPARK}buckets 'lake' and 'models' are invalid together: they are on different stores, and the job's S3 clients (boto3, S3A) take `
        + 'one endpoint and key pair from the environment; give buckets of one store that grant the same user, or run one job per store');
  });
});
