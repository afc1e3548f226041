import { Construct } from 'constructs';
import { PlatformIngressOptions } from './platform-access';
import { platformBucketsOf } from './platform-credentials';
import { PlatformNotebookProps } from './platform-notebook-props';
import { PlatformProfile } from './platform-profile';
import { VolumeRetention } from '../core/volume-retention';
import { MinioWithBuckets } from '../storage/minio-with-buckets';
import { NfsSharedVolume } from '../storage/nfs-shared-volume';
import { MlflowTracking } from '../tracking/mlflow-tracking';
import { NotebookWorkspace } from '../workspaces/notebook-workspace';

/** What of `MlopsCore` its notebook workspaces use. */
export interface PlatformNotebookContext {
  readonly scope: Construct;
  readonly profile: PlatformProfile;
  readonly mlflow: MlflowTracking;
  readonly minio?: MinioWithBuckets;
  readonly sharedVolume?: NfsSharedVolume;
  readonly ingress?: PlatformIngressOptions;
  /** The platform's `settings.volumeRetention`: the home volume's unless the workspace gives its own. */
  readonly volumeRetention?: VolumeRetention;
}

/**
 * A workspace logging to the platform's MLflow (which lets it in), with the platform's shared volume at `/shared`,
 * served at `/notebooks/<owner>` on the platform's Ingress host, and the platform's buckets read and written with the
 * workspace's own MinIO user (`s3Credentials`); its home is kept or deleted as the platform's volumes are.
 */
export function addPlatformNotebook(context: PlatformNotebookContext, id: string, props: PlatformNotebookProps): NotebookWorkspace {
  const given = props ?? ({} as PlatformNotebookProps);
  const buckets = platformBucketsOf(context.scope, context.profile, context.minio, given, given.s3Credentials, {
    context: `addNotebook('${id}')`,
    what: "the workspace reads the platform's buckets with a MinIO user of its own, and s3Credentials",
  });
  const ingress = context.ingress;
  const { s3Credentials: _usedForTheBuckets, ...workspaceProps } = given;
  const workspace = new NotebookWorkspace(context.scope, id, {
    ...workspaceProps,
    tracking: given.tracking ?? context.mlflow,
    sharedVolume: given.sharedVolume ?? context.sharedVolume,
    volumeRetention: given.volumeRetention ?? context.volumeRetention,
    ...buckets,
    ingress: given.ingress ?? (ingress
      ? { host: ingress.host, ingressClassName: ingress.ingressClassName, tlsSecret: ingress.tlsSecret }
      : undefined),
  });
  if (given.tracking === undefined || given.tracking === context.mlflow) {
    context.mlflow.allowFrom(workspace.deployment);
  }
  return workspace;
}
