import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { SecretSource } from '../core/secret-source';
import { VolumeRetention } from '../core/volume-retention';
import { WorkloadPlacement } from '../core/workload-placement';

/**
 * Props that `Postgres` and `Mysql` share. Each server's own props (`PostgresProps`, `MysqlProps`) add what differs
 * between them: the image, the superuser's password, the server's resources and the exporter's image.
 */
export interface SqlServerProps {
  /**
   * The volume that holds the data, e.g. an existing claim; the data lives in a sub-directory of it (`pgdata/` for
   * Postgres, `data/` for Mysql).
   *
   * @default - a PersistentVolumeClaim of `storageSize`
   */
  readonly storage?: kplus.IStorage;

  /**
   * The size of the PersistentVolumeClaim created when no `storage` is given.
   *
   * @default Size.gibibytes(10)
   */
  readonly storageSize?: Size;

  /**
   * The StorageClass of the PersistentVolumeClaim created when no `storage` is given.
   *
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;

  /**
   * Whether the data volume's claim outlives the app: `VolumeRetention.RETAIN` marks it so that Argo CD keeps it
   * when it leaves the manifests or the Application is deleted; `VolumeRetention.DELETE` lets it go with the rest.
   *
   * @default VolumeRetention.RETAIN
   */
  readonly volumeRetention?: VolumeRetention;

  /**
   * The cpu and memory of each database's setup Job. Each of `cpu` and `memory` left out keeps its default.
   *
   * @default - cpu request 10m; memory request 32Mi, limit 64Mi
   */
  readonly jobResources?: kplus.ContainerResources;

  /**
   * Databases to create, each with a user of the same name and a generated password; the same as calling
   * `addDatabase(name)` for each.
   *
   * @default - none; add them with `addDatabase()`
   */
  readonly databases?: string[];

  /**
   * Whether a Prometheus exporter runs next to the server, as the container `metrics`, logged in as the superuser;
   * `FederatedPrometheus.addTargets(server)` scrapes it. `metricsExporterImage` says which exporter and port.
   *
   * @default false
   */
  readonly metrics?: boolean;

  /**
   * Where the pods run and what they pull images with (node selector, tolerations, node affinity, topology spread,
   * priority class, image pull secrets), applied to every pod this construct makes.
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;
}

/** Options of `addDatabase()` that `Postgres` and `Mysql` share. */
export interface SqlDatabaseOptions {
  /**
   * The password of the database's user (`Credentials.PASSWORD`). A generated Secret also holds the user name
   * (`Credentials.USERNAME`). The setup Job sets it on every run; to rotate it, change the Secret and `passwordRevision`.
   *
   * @default - generated inside the cluster
   */
  readonly password?: SecretSource;

  /**
   * A label for the password's current value, e.g. `'2'` or a date. The setup Job carries it (as the annotation
   * `mlops.cdk8s.io/password-revision` of its pod), so changing it makes a new Job that sets the password from the
   * Secret again: after you change the password in its Secret, change this too and apply.
   *
   * @default - none; the setup Job runs again only when its spec changes
   */
  readonly passwordRevision?: string;
}
