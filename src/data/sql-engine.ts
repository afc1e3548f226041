import * as kplus from 'cdk8s-plus-28';
import { MetricsExporterSpec } from './metrics-exporter';
import { SqlNameRules } from './sql-names';
import { DatabaseEngine } from '../core/database';
import { ImageUser } from '../core/security';
import { ServerTls } from '../core/tls';

// What one engine (Postgres, Mysql) hands to `SqlServer`, which builds the server from it. Internal: not exported from
// the package.

/** The uid/gid both the postgres (Debian) and the mysql (Oracle Linux) official images run as. */
export const IMAGE_USER: ImageUser = { user: 999, group: 999 };

/** What one engine puts into the server's pod, and the rules for its names. */
export interface SqlEngineSpec {
  readonly engine: DatabaseEngine;
  /** `app.kubernetes.io/name`, and the name of the container and of its port. */
  readonly name: string;
  readonly image: string;
  readonly args?: string[];
  readonly env: { [name: string]: kplus.EnvValue };
  /** Where the data volume is mounted. */
  readonly dataPath: string;
  /** The other paths the image writes, by volume name. */
  readonly writablePaths: Record<string, string>;
  /** The command of the readiness, liveness and startup probes. */
  readonly probe: string[];
  readonly resources: kplus.ContainerResources;
  /** The exporter added when `metrics` is on. */
  readonly metricsExporter: MetricsExporterSpec;
  /** The rules for the names of databases and users. */
  readonly nameRules: SqlNameRules;
  /** The server's TLS: its certificate is mounted at `certDir` (`tls.crt`, `tls.key`) with `keyMode`. */
  readonly tls?: SqlServerTls;
}

/** How an engine serves TLS. */
export interface SqlServerTls {
  readonly serverTls: ServerTls;
  readonly certDir: string;
  /** The mode of the mounted files; the group is the pod's fsGroup. */
  readonly keyMode: number;
  /**
   * A shell command that has the server re-read its certificate, run by a sidecar (`tls-reload`, the server's image)
   * when the certificate file changes; it sees the server's env.
   */
  readonly reloadCommand: string;
  /**
   * Where the metrics exporter gets the server's certificate (`tls.crt`, not the key), when it must name a
   * certificate file to speak TLS to the server on localhost.
   */
  readonly exporterCertDir?: string;
}

/** `resources` with each of cpu and memory the user left out taken from `defaults`. */
export function withDefaultResources(resources: kplus.ContainerResources | undefined, defaults: kplus.ContainerResources): kplus.ContainerResources {
  return {
    cpu: resources?.cpu ?? defaults.cpu,
    memory: resources?.memory ?? defaults.memory,
    ephemeralStorage: resources?.ephemeralStorage,
  };
}
