import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PlatformTeamOptions } from './platform-team-options';
import { IBucket } from '../core/bucket';
import { Credentials } from '../core/credentials';
import { MlopsValidationError } from '../core/errors';
import { anObjectName } from '../core/prop-kinds';
import { aString, checkProps } from '../core/props-check';
import { SecretSource } from '../core/secret-source';
import { VolumeRetention } from '../core/volume-retention';
import { PlatformTls } from '../security/platform-tls';
import { MinioBucket } from '../storage/minio-bucket';
import { MinioWithBuckets } from '../storage/minio-with-buckets';
import { MlflowTracking } from '../tracking/mlflow-tracking';
import { Team } from '../workspaces/team';

/** What of `MlopsCore` a team uses. */
export interface PlatformTeamContext {
  readonly scope: Construct;
  readonly mlflow: MlflowTracking;
  readonly minio?: MinioWithBuckets;
  /** The platform's TLS: its CA bundle is published into the team's namespace. */
  readonly tls?: PlatformTls;
  /** The platform's `settings.volumeRetention`, for the team's workspaces. */
  readonly volumeRetention?: VolumeRetention;
}

/**
 * The `Team` of the namespace of `chart`: its members view the platform's namespace, its workspaces log to the
 * platform's MLflow (which lets the namespace in) and, with the platform's MinIO, write the team's bucket with the
 * team's MinIO user, made in the platform from `s3CredentialsSecretName` and read in the team's namespace from the
 * Secret of the same name there.
 */
export function addPlatformTeam(context: PlatformTeamContext, chart: Chart, options: PlatformTeamOptions): Team {
  const where = 'addTeam';
  checkProps(context.scope, options, {}, { s3CredentialsSecretName: anObjectName("'vision-s3'"), bucketName: aString("'team-vision'") }, 'addTeam: options');
  const namespace = chart?.namespace;
  if (!(chart instanceof Chart) || namespace === undefined) {
    throw new MlopsValidationError(context.scope, `${where}: chart is invalid: give the chart of the team's namespace, e.g. `
      + "new Chart(app, 'vision', { namespace: 'vision' })");
  }
  const platformNamespace = Chart.of(context.scope).namespace!;
  if (namespace === platformNamespace) {
    throw new MlopsValidationError(context.scope, `${where}: namespace '${namespace}' is invalid: it is the platform's; give the chart of the `
      + "team's own namespace, e.g. new Chart(app, 'vision', { namespace: 'vision' })");
  }
  const secretName = options?.s3CredentialsSecretName ?? `${namespace}-s3-credentials`;
  const peer = kplus.Namespaces.select(context.scope, `Team-${namespace}`, { names: [namespace] });
  context.mlflow.allowFrom(peer);
  context.tls?.addNamespace(namespace);
  let bucket: IBucket | undefined;
  const minio = context.minio;
  if (minio) {
    const user = SecretSource.fromSecret(kplus.Secret.fromSecretName(context.scope, `TeamS3-${namespace}`, secretName));
    const bucketName = options?.bucketName ?? `team-${namespace}`;
    minio.addBucket(bucketName).withUserCredentials(user).grantReadWrite(peer);
    bucket = MinioBucket.fromBucketAttributes(chart, 'TeamBucket', {
      bucketName,
      endpoint: minio.endpoint,
      credentials: Credentials.fromSecret(kplus.Secret.fromSecretName(chart, 'TeamS3Credentials', secretName)),
    });
  }
  return new Team(chart, 'Team', {
    members: options?.members,
    quota: options?.quota,
    defaultResources: options?.defaultResources,
    platformNamespace,
    bucket,
    tracking: context.mlflow,
    volumeRetention: context.volumeRetention,
  });
}
