import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { platformBucketsOf } from './platform-credentials';
import { PlatformProfile } from './platform-profile';
import { SecretSource } from '../core/secret-source';
import { IMlflowTracking } from '../core/tracking';
import { WorkloadPlacement } from '../core/workload-placement';
import { GitSyncAirflow } from '../orchestration/git-sync-airflow';
import { MinioWithBuckets } from '../storage/minio-with-buckets';
import { NfsSharedVolume } from '../storage/nfs-shared-volume';
import { MlflowTracking } from '../tracking/mlflow-tracking';
import { TrainingJobProps } from '../training/training-job-props';

/** Where the platform's shared volume is mounted, in Airflow's task pods and in its training jobs alike. */
export const SHARED_MOUNT_PATH = '/shared';
/** Where Airflow's task pods find the template of the platform's training job `<name>`: `<dir>/<name>/template.yaml`. */
export const TRAINING_TEMPLATES_DIR = '/opt/airflow/training';

/** What of `MlopsCore` its training jobs use. */
export interface PlatformTrainingContext {
  readonly scope: Construct;
  readonly profile: PlatformProfile;
  readonly airflow: GitSyncAirflow;
  readonly mlflow: MlflowTracking;
  readonly minio?: MinioWithBuckets;
  readonly sharedVolume?: NfsSharedVolume;
  /** `secrets.trainingS3Credentials`. */
  readonly credentials?: SecretSource;
  /** The registry's pull Secrets, for jobs rendered as templates, which the chart's pass does not reach. */
  readonly registryPlacement?: WorkloadPlacement;
}

/** A training job as the platform runs it. */
export interface PlatformTrainingJob {
  readonly name: string;
  readonly pods: kplus.Pods;
  readonly template?: kplus.ConfigMap;
}

/**
 * `props` with the platform's shared volume and MLflow unless given, and the buckets of the platform's MinIO read and
 * written with the MinIO user of `secrets.trainingS3Credentials` (which production requires for them).
 */
export function platformTrainingProps<T extends TrainingJobProps>(context: PlatformTrainingContext, call: string, props: T): T {
  const given = props ?? ({} as T);
  const buckets = platformBucketsOf(context.scope, context.profile, context.minio, given, context.credentials, {
    context: call,
    what: "the job reads the platform's buckets with a MinIO user of its own, and secrets.trainingS3Credentials",
  });
  return {
    ...given,
    sharedVolume: given.sharedVolume ?? context.sharedVolume,
    tracking: given.tracking ?? context.mlflow,
    placement: given.placement ?? context.registryPlacement,
    ...buckets,
  };
}

/**
 * Lets the job's pods into MLflow when they log to the platform's, and mounts a template job into Airflow's task pods
 * at `TRAINING_TEMPLATES_DIR/<name>`.
 */
export function wireTrainingJob(context: PlatformTrainingContext, id: string, job: PlatformTrainingJob, tracking: IMlflowTracking | undefined): void {
  if (tracking === undefined || tracking === context.mlflow) {
    context.mlflow.allowFrom(job.pods);
  }
  if (job.template) {
    const volume = kplus.Volume.fromConfigMap(context.scope, `${id}TemplateVolume`, job.template, { name: `training-${job.name}` });
    context.airflow.mountInTasks(`${TRAINING_TEMPLATES_DIR}/${job.name}`, volume, { readOnly: true });
  }
}
