import * as kplus from 'cdk8s-plus-28';
import { TeamQuota } from '../workspaces/team-props';

/** A team on the platform (`MlopsCore.addTeam`). */
export interface PlatformTeamOptions {
  /** The team's members (DNS labels, e.g. `alice`): they edit the team's namespace and view the platform's. */
  readonly members: string[];

  /** The team's share of the cluster. */
  readonly quota: TeamQuota;

  /**
   * The requests and memory limit each container without its own gets.
   *
   * @default - cpu request 100m; memory request 256Mi, limit 1Gi
   */
  readonly defaultResources?: kplus.ContainerResources;

  /**
   * The Secret with the keys `username` (access key id) and `password` (secret key) of the team's MinIO user. Create
   * it, with the same name and keys, in the platform's namespace (where the MinIO user is made from it) and in the
   * team's (where its workspaces read it).
   *
   * @default '<team namespace>-s3-credentials'
   */
  readonly s3CredentialsSecretName?: string;

  /**
   * The name of the team's bucket on the platform's MinIO.
   *
   * @default 'team-<team namespace>'
   */
  readonly bucketName?: string;
}
