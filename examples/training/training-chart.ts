import { Chart, ChartProps, Duration } from 'cdk8s';
import {
  DagSource, JobSubmission, KservePredictor, MlopsCore, ModelFormat, ModelSource, PlatformAccess, PyTorchDdpJob, SparkJob,
  TaskPermission, TaskServiceAccount,
} from 'cdk8s-mlops';
import { Construct } from 'constructs';

/** The namespace the platform, and the spark-operator's `spark.jobNamespaces`, share. */
const NAMESPACE = 'mlops';
/** Your images: PyTorch with the training code, and Spark with `hadoop-aws`, the AWS SDK bundle and the job. */
const TRAINING_IMAGE = 'registry.example.com/ml/mnist-ddp:1.0';
const SPARK_IMAGE = 'registry.example.com/ml/spark-s3a:4.0.4';

/**
 * One cluster that trains: MlopsCore with an NFS share mounted in every Airflow task and every training job, a PyTorch
 * DDP job and a Spark job each as a manifest (run by applying the manifests) and as a template (run by a DAG), Airflow
 * tasks allowed, through ServiceAccounts of their own, to submit those templates and to deploy a predictor, and the
 * predictor serving the trained model.
 */
export class TrainingChart extends Chart {
  public readonly platform: MlopsCore;
  public readonly ddp: PyTorchDdpJob;
  public readonly ddpTemplate: PyTorchDdpJob;
  public readonly features: SparkJob;
  public readonly featuresTemplate: SparkJob;
  public readonly trainer: TaskServiceAccount;
  public readonly deployer: TaskServiceAccount;
  public readonly mnist: KservePredictor;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: NAMESPACE, ...props });

    this.platform = new MlopsCore(this, 'Platform', {
      // Your DAG repository; examples/training/dags/ holds a DAG that submits the templates below.
      dags: DagSource.fromGit({ repository: 'https://github.com/example/ml-dags.git', subPath: 'dags' }),
      access: PlatformAccess.nodePorts(),
      clusterName: 'training',
      // At /shared in every task and every job: checkpoints, and the Spark model parts MLflow writes (MLFLOW_DFS_TMP).
      sharedVolume: { server: 'nfs.example.com', path: '/exports/mlops' },
    });
    const { datasetsBucket, modelsBucket } = this.platform;

    // Distributed training, run when the manifests are applied (its name carries a hash of its spec: a change runs it again).
    this.ddp = this.platform.addPyTorchDdpJob('MnistDdp', {
      name: 'mnist-ddp',
      image: TRAINING_IMAGE,
      script: '/workspace/train.py',
      args: ['--epochs=10'],
      workers: 2,
      gpus: 1,
      experimentName: 'mnist',
      readBuckets: [datasetsBucket],
      writeBuckets: [modelsBucket],
    });
    // The same training as a template, which the DAG submits with fresh arguments (kept a day after it finishes).
    this.ddpTemplate = this.platform.addPyTorchDdpJob('MnistDdpRun', {
      name: 'mnist-ddp-run',
      image: TRAINING_IMAGE,
      script: '/workspace/train.py',
      workers: 2,
      gpus: 1,
      experimentName: 'mnist',
      readBuckets: [datasetsBucket],
      writeBuckets: [modelsBucket],
      submission: JobSubmission.TEMPLATE,
      ttlAfterFinished: Duration.days(1),
    });

    // Feature engineering with Spark, from the data sets into the data sets; the operator watches this namespace.
    const spark = {
      image: SPARK_IMAGE,
      sparkVersion: '4.0.4',
      mainApplicationFile: 'local:///opt/app/features.py',
      operatorJobNamespaces: [NAMESPACE],
      executorInstances: 3,
      experimentName: 'mnist-features',
      writeBuckets: [datasetsBucket],
    };
    this.features = this.platform.addSparkJob('Features', { ...spark, name: 'features', arguments: ['--date=2026-01-01'] });
    this.featuresTemplate = this.platform.addSparkJob('FeaturesRun', {
      ...spark,
      name: 'features-run',
      submission: JobSubmission.TEMPLATE,
      ttlAfterFinished: Duration.days(1),
    });

    // Tasks get rights only through pod_override: the trainer may submit the jobs, the deployer may deploy models.
    const airflow = this.platform.airflow;
    this.trainer = airflow.addTaskServiceAccount('airflow-trainer', { permissions: [TaskPermission.SUBMIT_TRAINING_JOBS] });
    this.deployer = airflow.addTaskServiceAccount('airflow-deployer', { permissions: [TaskPermission.DEPLOY_MODELS] });

    // The model the jobs write, served by KServe from the models bucket.
    this.mnist = this.platform.addPredictor('Mnist', {
      name: 'mnist',
      model: ModelSource.fromBucket(modelsBucket, 'mnist/latest'),
      modelFormat: ModelFormat.PYTORCH,
    });

    // A Job per service that proves it answers, as Argo CD PostSync hooks (TorchServe speaks KServe's V1 protocol only,
    // so the model is not among them).
    this.platform.addSmokeTests();
  }
}
