import { ApiObject, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CleanPodPolicy, PyTorchDdpJobProps, PyTorchElasticPolicy } from './pytorch-ddp-job-props';
import { TRAINING_JOB_PROP_KINDS, TrainingJobCore } from './training-job-core';
import { JobSubmission } from './training-job-props';
import { MlopsValidationError } from '../core/errors';
import { gpuPodSpecFields } from '../core/gpu-scheduling';
import { imagePullPolicy } from '../core/images';
import { aSize, aWholeNumber } from '../core/prop-kinds';
import { aListOf, anImage, aString, checkProps } from '../core/props-check';
import { DEFAULT_GPU_RESOURCE, gpuLimits, quantities, quantityMap, sizeQuantity } from '../core/quantities';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/security';
import * as pt from '../imports/training-pytorchjob-kubeflow.org';

/** The training-operator's webhook requires the container to be named `pytorch`. */
const CONTAINER_NAME = 'pytorch';
const MAX_PODS = 100;

/**
 * Distributed data-parallel training with PyTorch: a Kubeflow training-operator (v1.9) `PyTorchJob` of one Master and
 * `workers` Workers, each running `nprocPerNode` processes (one per GPU) of your script.
 *
 * ```ts
 * const job = new PyTorchDdpJob(this, 'Mnist', {
 *   image: 'registry.example.com/ml/mnist-ddp:1.0',
 *   script: '/workspace/train.py',
 *   workers: 3,
 *   gpus: 2,
 *   sharedVolume: nfs,                    // CHECKPOINT_DIR=/shared/checkpoints/<name>
 *   tracking: mlflow,                     // MLFLOW_TRACKING_URI
 *   readBuckets: [datasets], writeBuckets: [models],
 * });
 * mlflow.allowFrom(job.pods);
 * ```
 *
 * - The operator sets `MASTER_ADDR`, `MASTER_PORT`, `WORLD_SIZE` (pods × `nprocPerNode`), `RANK` (the pod's index:
 *   Master 0, Worker i+1) and the `PET_*` variables torchrun reads. With more than one process per pod the script runs
 *   under `torchrun`, which gives each process its global `RANK`: log to MLflow where `int(os.environ["RANK"]) == 0`
 *   inside the training process, never by the pod's name or index.
 * - Every pod gets a memory-backed `/dev/shm` (`sharedMemorySize`), `/tmp` and `HOME=/tmp` on an emptyDir (the root
 *   filesystem is read-only), `PYTHONUNBUFFERED=1`, the shared volume with `CHECKPOINT_DIR` on it, and for the buckets
 *   `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` from the grant's Secret with `AWS_ENDPOINT_URL` and `AWS_DEFAULT_REGION`.
 * - Pod Security `restricted` (non-root `runAs`, no privilege escalation, no capabilities, RuntimeDefault seccomp); the
 *   pods mount no ServiceAccount token; GPUs are limits on `gpuResourceName` with the toleration of its taint.
 * - A NetworkPolicy lets the job's pods reach each other on any port (rendezvous on the Master's port, NCCL).
 */
export class PyTorchDdpJob extends Construct {
  /** The base of the PyTorchJob's name. */
  public readonly name: string;
  /** How the job runs. */
  public readonly submission: JobSubmission;
  /** The job's pods, as a NetworkPolicy peer: `mlflow.allowFrom(job.pods)`. */
  public readonly pods: kplus.Pods;
  /** The PyTorchJob, with `JobSubmission.MANIFEST`. */
  public readonly resource?: ApiObject;
  /** The ConfigMap whose `template.yaml` holds the PyTorchJob, with `JobSubmission.TEMPLATE`. */
  public readonly template?: kplus.ConfigMap;
  /** Processes per pod. */
  public readonly nprocPerNode: number;

  constructor(scope: Construct, id: string, props: PyTorchDdpJobProps) {
    super(scope, id);
    checkProps(this, props, { image: anImage("'registry.example.com/ml/mnist-ddp:1.0'"), script: aString("'/workspace/train.py'") }, {
      ...TRAINING_JOB_PROP_KINDS,
      args: aListOf(aString("'--epochs=10'")),
      workers: aWholeNumber(3, 1, MAX_PODS - 1, ' (a PyTorchJob runs one Master and at least one Worker), e.g. 3'),
      gpus: aWholeNumber(2, 0, 64),
      gpuResourceName: aString("'nvidia.com/gpu'"),
      nprocPerNode: aWholeNumber(2, 1, 64),
      sharedMemorySize: aSize({ example: 'Size.gibibytes(1)', atLeast: Size.mebibytes(64) }),
      backoffLimit: aWholeNumber(3, 0, 100),
      cleanPodPolicy: aString('CleanPodPolicy.ALL'),
    });
    if (!/^\S+$/.test(props.image)) {
      throw new MlopsValidationError(this, `image '${props.image}' is invalid: must be an image reference without spaces, e.g. 'registry.example.com/ml/mnist-ddp:1.0'`);
    }
    if (!/^\S+$/.test(props.script)) {
      throw new MlopsValidationError(this, `script '${props.script}' is invalid: must be one path without spaces, e.g. '/workspace/train.py'; `
        + "give the script's arguments in args, and no interpreter: torchrun or python runs it");
    }
    const core = new TrainingJobCore(this, props, { name: 'pytorch', image: props.image });
    this.name = core.baseName;
    this.submission = core.submission;
    this.pods = core.pods;

    const workers = props.workers ?? 1;
    const gpus = props.gpus ?? 0;
    const gpuResourceName = props.gpuResourceName ?? DEFAULT_GPU_RESOURCE;
    const gpuLimit = gpuLimits(this, gpus, gpuResourceName);
    this.nprocPerNode = props.nprocPerNode ?? Math.max(gpus, 1);
    if (gpus > 0 && this.nprocPerNode > gpus) {
      throw new MlopsValidationError(this, `nprocPerNode '${this.nprocPerNode}' is invalid with gpus ${gpus}: each process drives one GPU of its pod; `
        + `give at most ${gpus}, or leave it out for one process per GPU`);
    }
    this.checkElastic(props.elastic, workers);
    const backoffLimit = props.backoffLimit ?? 3;
    const cleanPodPolicy = props.cleanPodPolicy ?? CleanPodPolicy.RUNNING;
    if (!Object.values(CleanPodPolicy).includes(cleanPodPolicy)) {
      throw new MlopsValidationError(this, `cleanPodPolicy '${cleanPodPolicy}' is invalid: give CleanPodPolicy.NONE, RUNNING or ALL`);
    }

    const given = props.resources;
    const memory = given?.memory ?? { request: Size.gibibytes(2), limit: Size.gibibytes(4) };
    const resources = quantities({ cpu: given?.cpu ?? { request: kplus.Cpu.units(1) }, memory, ephemeralStorage: given?.ephemeralStorage }, gpuLimit);
    const sharedMemory = props.sharedMemorySize ?? Size.gibibytes(1);
    this.checkSharedMemory(sharedMemory, memory.limit);
    const parts = core.podParts((shared) => [
      ['HOME', '/tmp'],
      ['PYTHONUNBUFFERED', '1'],
      ...(shared ? [['CHECKPOINT_DIR', `${shared}/checkpoints/${core.baseName}`] as [string, string]] : []),
    ]);
    const torchrun = this.nprocPerNode > 1 || props.elastic !== undefined;
    const runAs = props.runAs ?? { user: 1000, group: 1000 };

    const template: pt.PyTorchJobSpecPytorchReplicaSpecsTemplate = {
      metadata: { labels: core.podLabels },
      spec: {
        automountServiceAccountToken: false,
        securityContext: restrictedPodSecurityContext(runAs),
        ...gpuPodSpecFields(this, props.placement, core.podLabels, gpus, gpuResourceName),
        containers: [{
          name: CONTAINER_NAME,
          image: props.image,
          imagePullPolicy: imagePullPolicy(props.image),
          command: [torchrun ? 'torchrun' : 'python', props.script, ...props.args ?? []],
          env: parts.env,
          resources: {
            requests: quantityMap(resources.requests, pt.PyTorchJobSpecPytorchReplicaSpecsTemplateSpecContainersResourcesRequests.fromString),
            limits: quantityMap(resources.limits, pt.PyTorchJobSpecPytorchReplicaSpecsTemplateSpecContainersResourcesLimits.fromString),
          },
          securityContext: { ...restrictedContainerSecurityContext(), readOnlyRootFilesystem: true },
          volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }, { name: 'tmp', mountPath: '/tmp' }, ...parts.volumeMounts],
        }],
        volumes: [
          { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: pt.PyTorchJobSpecPytorchReplicaSpecsTemplateSpecVolumesEmptyDirSizeLimit.fromString(sizeQuantity(sharedMemory)) } },
          { name: 'tmp', emptyDir: {} },
          ...parts.volumes,
        ],
      },
    };
    const replica = (replicas: number): pt.PyTorchJobSpecPytorchReplicaSpecs => ({ replicas, restartPolicy: 'OnFailure', template });
    const elastic = props.elastic;
    const spec: pt.PyTorchJobSpec = {
      nprocPerNode: String(this.nprocPerNode),
      pytorchReplicaSpecs: elastic ? { Worker: replica(workers) } : { Master: replica(1), Worker: replica(workers) },
      elasticPolicy: elastic ? {
        minReplicas: elastic.minReplicas,
        maxReplicas: elastic.maxReplicas,
        maxRestarts: elastic.maxRestarts ?? 3,
        rdzvBackend: 'c10d',
      } : undefined,
      runPolicy: {
        backoffLimit,
        cleanPodPolicy,
        ttlSecondsAfterFinished: props.ttlAfterFinished?.toSeconds(),
      },
    };
    const rendered = core.render(
      (metadata) => new pt.PyTorchJob(this, 'Resource', { metadata, spec }),
      (metadata) => pt.PyTorchJob.manifest({ metadata, spec }),
      () => pt.toJson_PyTorchJobSpec(spec),
    );
    this.resource = rendered.resource;
    this.template = rendered.template;
  }

  private checkElastic(elastic: PyTorchElasticPolicy | undefined, workers: number): void {
    if (elastic === undefined) {
      return;
    }
    checkProps(this, elastic, { minReplicas: aWholeNumber(1, 1, MAX_PODS), maxReplicas: aWholeNumber(4, 1, MAX_PODS) }, {
      maxRestarts: aWholeNumber(3, 0, 100),
    }, 'elastic');
    const { minReplicas, maxReplicas } = elastic;
    if (!(minReplicas <= workers && workers <= maxReplicas)) {
      throw new MlopsValidationError(this, `elastic is invalid with workers ${workers}: the Workers start at workers and may range from minReplicas `
        + `${minReplicas} to maxReplicas ${maxReplicas}; give minReplicas <= workers <= maxReplicas`);
    }
  }

  /** A memory-backed emptyDir counts against the memory limit: `/dev/shm` must leave room for the process. */
  private checkSharedMemory(size: Size, memoryLimit: Size | undefined): void {
    const mebibytes = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    if (!Number.isInteger(mebibytes)) {
      throw new MlopsValidationError(this, `sharedMemorySize '${size.asString()}' is invalid: must be a whole number of mebibytes, e.g. Size.gibibytes(1)`);
    }
    if (memoryLimit && mebibytes >= memoryLimit.toMebibytes()) {
      throw new MlopsValidationError(this, `sharedMemorySize '${sizeQuantity(size)}' is invalid with a memory limit of ${sizeQuantity(memoryLimit)}: `
        + '/dev/shm is memory and counts against the limit; give a smaller sharedMemorySize or a larger resources.memory.limit');
    }
  }
}
