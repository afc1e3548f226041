import { SecretSource } from '../core/secret-source';
import { NotebookWorkspaceProps } from '../workspaces/notebook-workspace-props';

/** A notebook workspace on the platform (`MlopsCore.addNotebook`). */
export interface PlatformNotebookProps extends NotebookWorkspaceProps {
  /**
   * The keys of the workspace's own MinIO user on the platform's buckets (`Credentials.USERNAME` is the access key,
   * `Credentials.PASSWORD` the secret key). Production requires it once the workspace reads one of them.
   *
   * @default - generated (dev only)
   */
  readonly s3Credentials?: SecretSource;
}
