import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { TrainingJobProps } from './training-job-props';

/** Which pods the training-operator deletes when a job finishes (`runPolicy.cleanPodPolicy`). */
export enum CleanPodPolicy {
  /** Keep every pod: logs stay readable, and GPUs of pods still running stay taken. */
  NONE = 'None',
  /** Delete the pods still running (a stuck worker holding GPUs); keep the finished ones and their logs. */
  RUNNING = 'Running',
  /** Delete every pod. */
  ALL = 'All',
}

/**
 * Elastic training (`elasticPolicy`): Workers only, as upstream's elastic examples run, between `minReplicas` and
 * `maxReplicas`, rendezvousing through torchrun's `c10d` backend.
 */
export interface PyTorchElasticPolicy {
  /** The fewest Workers training goes on with. */
  readonly minReplicas: number;
  /** The most Workers. */
  readonly maxReplicas: number;
  /**
   * How often torchrun restarts the worker group after a failure.
   *
   * @default 3
   */
  readonly maxRestarts?: number;
}

/** Properties of a `PyTorchDdpJob`. */
export interface PyTorchDdpJobProps extends TrainingJobProps {
  /** The training image: PyTorch (with `torchrun`) and your code, e.g. `registry.example.com/ml/mnist-ddp:1.0`. */
  readonly image: string;

  /**
   * The training script, a path in the image or on `sharedVolume`, e.g. `/workspace/train.py`. It runs as
   * `torchrun <script> <args>` with more than one process per pod or with `elastic`, else as `python <script> <args>`.
   */
  readonly script: string;

  /**
   * The script's arguments.
   *
   * @default - none
   */
  readonly args?: string[];

  /**
   * How many Worker pods run next to the one Master (with `elastic`: how many Workers start, and no Master).
   *
   * @default 1
   */
  readonly workers?: number;

  /**
   * GPUs per pod, as a limit on `gpuResourceName`; the pods also tolerate the taint GPU nodes carry
   * (`<gpuResourceName>:NoSchedule`).
   *
   * @default 0
   */
  readonly gpus?: number;

  /**
   * The extended resource of the GPUs, as the device plugin registers it.
   *
   * @default 'nvidia.com/gpu'
   */
  readonly gpuResourceName?: string;

  /**
   * Processes per pod (`nprocPerNode`), each driving one GPU. It is set explicitly (the operator counts `auto` as one
   * process when it sets `WORLD_SIZE`).
   *
   * @default - `gpus`, or 1 without GPUs
   */
  readonly nprocPerNode?: number;

  /**
   * Each pod's cpu and memory (GPUs are `gpus`); what is left out takes the default.
   *
   * @default - requests 1 cpu and 2Gi memory, limit 4Gi memory
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * The size of the memory-backed `/dev/shm` (DataLoader workers and NCCL need more than the default 64Mi). It counts
   * against the memory limit.
   *
   * @default Size.gibibytes(1)
   */
  readonly sharedMemorySize?: Size;

  /**
   * Elastic training: Workers only, from `minReplicas` to `maxReplicas`.
   *
   * @default - a fixed Master and `workers` Workers
   */
  readonly elastic?: PyTorchElasticPolicy;

  /**
   * How many times the pods are restarted before the job fails.
   *
   * @default 3
   */
  readonly backoffLimit?: number;

  /**
   * Which pods are deleted when the job finishes.
   *
   * @default CleanPodPolicy.RUNNING
   */
  readonly cleanPodPolicy?: CleanPodPolicy;
}
