import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IBucket } from '../core/bucket';
import { ImageUser } from '../core/security';
import { IMlflowTracking } from '../core/tracking';
import { WorkloadPlacement } from '../core/workload-placement';

/** How a training job runs. */
export enum JobSubmission {
  /**
   * The job is part of the manifests: applying them (kubectl, Argo CD) runs it. Its name ends in a hash of its spec,
   * so that a changed spec runs a new job and re-applying an unchanged one runs nothing.
   */
  MANIFEST = 'manifest',

  /**
   * The rendered job is kept in a ConfigMap (`template.yaml`, with `metadata.generateName`) that pipeline tasks submit,
   * e.g. an Airflow task allowed to with `TaskPermission.SUBMIT_TRAINING_JOBS`; applying the manifests runs nothing.
   */
  TEMPLATE = 'template',
}

/** What `PyTorchDdpJob` and `SparkJob` share: where their pods read and write, log to, and run. */
export interface TrainingJobProps {
  /**
   * The name of the job, a DNS label of at most 39 characters that starts with a letter: the base of the custom
   * resource's name (`<name>-<hash of the spec>` as a manifest, `generateName: <name>-` as a template).
   *
   * @default - derived from the construct path
   */
  readonly name?: string;

  /**
   * Whether the job runs when the manifests are applied, or is a template that pipeline tasks submit.
   *
   * @default JobSubmission.MANIFEST
   */
  readonly submission?: JobSubmission;

  /**
   * How long a finished job (and its pods) stays before the operator deletes it. Only for `JobSubmission.TEMPLATE`: a
   * job of the manifests that the operator deleted would be created again by the next apply (or Argo CD's self-heal)
   * and run again.
   *
   * @default - it stays until deleted
   */
  readonly ttlAfterFinished?: Duration;

  /**
   * A volume every pod of the job mounts at `sharedMountPath`, e.g. an `NfsSharedVolume`: checkpoints, and files the
   * driver and executors (or all ranks) must see alike.
   *
   * @default - none
   */
  readonly sharedVolume?: kplus.IStorage;

  /**
   * Where `sharedVolume` is mounted.
   *
   * @default '/shared'
   */
  readonly sharedMountPath?: string;

  /**
   * The MLflow server the job logs to: `MLFLOW_TRACKING_URI` in every pod. The server decides who reaches it, e.g.
   * `mlflow.allowFrom(job.pods)`.
   *
   * @default - no MLflow
   */
  readonly tracking?: IMlflowTracking;

  /**
   * `MLFLOW_EXPERIMENT_NAME` in every pod.
   *
   * @default - MLflow's default experiment
   */
  readonly experimentName?: string;

  /**
   * Buckets the job reads (e.g. data sets), each through `bucket.grantRead(job.pods)`. All buckets of a job must be
   * on one store and reach the job with one key pair (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` from the grant's
   * Secret), as S3 clients take one from the environment.
   *
   * @default - none
   */
  readonly readBuckets?: IBucket[];

  /**
   * Buckets the job reads and writes (e.g. models, features), each through `bucket.grantReadWrite(job.pods)`.
   *
   * @default - none
   */
  readonly writeBuckets?: IBucket[];

  /**
   * Literal env vars of every pod (visible in the manifests: not for secrets).
   *
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * Where the pods run and what they pull images with (node selector, tolerations, node affinity, topology spread,
   * priority class, image pull secrets).
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;

  /**
   * The uid and gid the pods run as (Pod Security `restricted` forbids root).
   *
   * @default - uid/gid 1000 for `PyTorchDdpJob`, 185 (`spark`) for `SparkJob`
   */
  readonly runAs?: ImageUser;
}
