/**
 * The pinned default images, in one place.
 *
 * Every tag below was checked to exist upstream on the date in `docs/images.md`, which also gives the evidence and
 * the user each image runs as. Each construct takes an `image` prop, so a team can move to a mirror or a newer tag
 * without waiting for a release of this library.
 */
export class DefaultImages {
  /** PostgreSQL (Docker official image, Debian); runs as uid/gid 999 `postgres`. */
  public static readonly POSTGRES = 'docker.io/library/postgres:17.11-bookworm';

  /** MySQL 8.4 LTS (Docker official image, Oracle Linux); runs as uid/gid 999 `mysql`. */
  public static readonly MYSQL = 'docker.io/library/mysql:8.4.11';

  /** Redis 7.2, the last BSD-licensed line (Docker official image, Debian); runs as uid/gid 999 `redis`. */
  public static readonly REDIS = 'docker.io/library/redis:7.2.16-bookworm';

  /**
   * MinIO server: the last community release published as an image. MinIO stopped publishing community images in
   * October 2025 and removed them from Docker Hub in September 2026; quay.io still serves this one.
   */
  public static readonly MINIO = 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z';

  /** MinIO client `mc`, the last community release published as an image (see `MINIO`). */
  public static readonly MINIO_CLIENT = 'quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z';

  /** Python (Docker official image), for the small stdlib-only Jobs that generate secrets inside the cluster. */
  public static readonly PYTHON = 'docker.io/library/python:3.13.15-slim-bookworm';

  private constructor() {}
}
