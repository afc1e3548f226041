import { Chart, Duration, Names, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Credentials } from '../core/credentials';
import { bindDatabase, DatabaseBindOptions, DatabaseBinding, DatabaseEngine, IDatabase } from '../core/database';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { HashedJob } from '../core/hashed-job';
import { componentLabels } from '../core/labels';
import { allowIngress } from '../core/network';
import { SMALL_CONTAINER_RESOURCES } from '../core/resources';
import { ScrapeDiscovery, ScrapeTargetSpec } from '../core/scrape-target';
import { SecretSource } from '../core/secret-source';
import { ImageUser, mountWritablePaths, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';

// The parts Postgres and Mysql share: the server's StatefulSet, Service and volume, the catalog of databases, the
// rules for names, and the setup Job each database gets. Internal: not exported from the package.

/** The uid/gid both the postgres (Debian) and the mysql (Oracle Linux) official images run as. */
export const IMAGE_USER: ImageUser = { user: 999, group: 999 };
/** The setup Job pod's annotation that carries `passwordRevision`. */
const PASSWORD_REVISION_ANNOTATION = 'mlops.cdk8s.io/password-revision';

/** What one engine puts into the server's pod. */
export interface SqlServerSpec {
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
  readonly storage?: kplus.IStorage;
  readonly storageSize?: Size;
  readonly storageClassName?: string;
}

/** The objects of a server, and what its databases need from it. */
export interface SqlServerParts {
  readonly server: Construct;
  readonly engine: DatabaseEngine;
  readonly image: string;
  readonly statefulSet: kplus.StatefulSet;
  readonly service: kplus.Service;
  readonly endpoint: ServiceEndpoint;
}

/**
 * Creates, under `scope`, a one-replica StatefulSet (`Resource`) behind a ClusterIP Service (`Service`), with the data
 * volume (`Data`, unless `spec.storage` is given) and an emptyDir for each other path the image writes.
 */
export function createSqlServer(scope: Construct, spec: SqlServerSpec): SqlServerParts {
  if (spec.storage && (spec.storageSize || spec.storageClassName)) {
    throw new MlopsValidationError(scope, "storageSize/storageClassName are invalid together with storage: they describe the PersistentVolumeClaim this construct creates when no 'storage' is given; remove them or 'storage'");
  }
  const port = spec.engine.defaultPort;
  const labels = componentLabels(scope, { name: spec.name, component: 'database', image: spec.image });
  const service = new kplus.Service(scope, 'Service', {
    metadata: { labels },
    ports: [{ name: spec.name, port, targetPort: port }],
  });
  const probe = (failureThreshold: number) => kplus.Probe.fromCommand(spec.probe, {
    periodSeconds: Duration.seconds(10),
    timeoutSeconds: Duration.seconds(5),
    failureThreshold,
  });
  const statefulSet = new kplus.StatefulSet(scope, 'Resource', {
    metadata: { labels },
    podMetadata: { labels },
    service,
    replicas: 1,
    automountServiceAccountToken: false,
    securityContext: restrictedPodSecurity(IMAGE_USER),
    containers: [{
      name: spec.name,
      image: spec.image,
      args: spec.args,
      envVariables: spec.env,
      ports: [{ name: spec.name, number: port }],
      securityContext: restrictedContainerSecurity(IMAGE_USER),
      resources: spec.resources,
      readiness: probe(3),
      liveness: probe(6),
      // Initializing an empty volume takes a while; the startup probe keeps liveness from killing it (up to 10 min).
      startup: probe(60),
    }],
  });
  const container = statefulSet.containers[0];
  container.mount(spec.dataPath, spec.storage ?? dataVolume(scope, spec, labels));
  mountWritablePaths(statefulSet, container, spec.writablePaths);
  return {
    server: scope,
    engine: spec.engine,
    image: spec.image,
    statefulSet,
    service,
    endpoint: ServiceEndpoint.fromService(service, port, spec.engine.scheme),
  };
}

/** The default data volume: a new PersistentVolumeClaim (`Data`). */
function dataVolume(scope: Construct, spec: SqlServerSpec, labels: Record<string, string>): kplus.Volume {
  const claim = new kplus.PersistentVolumeClaim(scope, 'Data', {
    metadata: { labels },
    accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
    storage: spec.storageSize ?? Size.gibibytes(10),
    storageClassName: spec.storageClassName,
  });
  return kplus.Volume.fromPersistentVolumeClaim(scope, 'DataVolume', claim, { name: 'data' });
}

/** A Prometheus exporter that runs next to a server, in its pod, and reaches it on localhost. */
export interface MetricsExporterSpec {
  readonly image: string;
  /** The user the exporter's image runs as. */
  readonly runAs: ImageUser;
  readonly port: number;
  readonly args?: string[];
  readonly env: { [name: string]: kplus.EnvValue };
}

/**
 * Adds the exporter as the container `metrics` (port `metrics`) of `statefulSet`'s pod, and returns its scrape target:
 * the pods, found by their labels (POD discovery, so that the server's Service stays as it is), named after
 * `scope`'s path. Used by Postgres, Mysql and Redis.
 */
export function addMetricsExporter(scope: Construct, statefulSet: kplus.StatefulSet, spec: MetricsExporterSpec): ScrapeTargetSpec {
  statefulSet.addContainer({
    name: 'metrics',
    image: spec.image,
    args: spec.args,
    envVariables: spec.env,
    ports: [{ name: 'metrics', number: spec.port }],
    securityContext: restrictedContainerSecurity(spec.runAs),
    resources: SMALL_CONTAINER_RESOURCES,
    readiness: kplus.Probe.fromTcpSocket({ port: spec.port, periodSeconds: Duration.seconds(10) }),
  });
  const podLabels = statefulSet.podMetadata;
  return {
    name: Names.toDnsLabel(scope, { includeHash: false }),
    discovery: ScrapeDiscovery.POD,
    namespace: Chart.of(scope).namespace,
    selector: {
      'app.kubernetes.io/name': podLabels.getLabel('app.kubernetes.io/name')!,
      'app.kubernetes.io/instance': podLabels.getLabel('app.kubernetes.io/instance')!,
    },
    endpoints: [{ port: 'metrics', path: '/metrics' }],
  };
}

/** `resources` with each of cpu and memory the user left out taken from `defaults`. */
export function withDefaultResources(resources: kplus.ContainerResources | undefined, defaults: kplus.ContainerResources): kplus.ContainerResources {
  return {
    cpu: resources?.cpu ?? defaults.cpu,
    memory: resources?.memory ?? defaults.memory,
    ephemeralStorage: resources?.ephemeralStorage,
  };
}

/** The rules for database and user names on one engine. */
export interface SqlNameRules {
  readonly engineName: string;
  readonly maxDatabaseLength: number;
  readonly maxUserLength: number;
  readonly reservedDatabases: string[];
  readonly reservedUsers: string[];
  readonly reservedUserPrefix?: string;
}

const SQL_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Database and user names are plain identifiers (`^[a-z][a-z0-9_]*$`): the same on every engine and in every client
 * (the setup Jobs quote them all the same), and, with '_' as '-', parts of Kubernetes names (see `databaseId`).
 */
export function assertSqlName(scope: Construct, what: 'database name' | 'user', value: string, rules: SqlNameRules): void {
  const maxLength = what === 'user' ? rules.maxUserLength : rules.maxDatabaseLength;
  const reserved = what === 'user' ? rules.reservedUsers : rules.reservedDatabases;
  const problems: string[] = [];
  if (value.length === 0) {
    problems.push('must not be empty');
  } else {
    if (value.length > maxLength) problems.push(`must be at most ${maxLength} characters (has ${value.length})`);
    if (/[^a-z0-9_]/.test(value)) problems.push("must contain only lowercase letters, digits and '_'");
    if (!/^[a-z]/.test(value)) problems.push('must start with a lowercase letter');
  }
  if (reserved.includes(value) || (what === 'user' && rules.reservedUserPrefix && value.startsWith(rules.reservedUserPrefix))) {
    const prefix = what === 'user' && rules.reservedUserPrefix ? ` or start with '${rules.reservedUserPrefix}'` : '';
    problems.push(`must not be one of ${rules.engineName}'s own (${reserved.join(', ')})${prefix}`);
  }
  if (problems.length === 0) return;
  const suggestion = value.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, maxLength);
  const fix = suggestion !== value && SQL_NAME.test(suggestion) && !reserved.includes(suggestion)
    ? `use e.g. '${suggestion}'`
    : 'choose another name';
  throw new MlopsValidationError(scope, `${what} '${value}' is invalid: ${problems.join('; ')}; ${fix}`);
}

/** The construct id of a database: `Database-<name>` with '_' as '-', since Kubernetes names do not allow '_'. */
export function databaseId(name: string): string {
  return `Database-${name.replace(/_/g, '-')}`;
}

/** The databases of one server, by name, with the checks that keep names and users unique. */
export class DatabaseCatalog {
  private readonly databases = new Map<string, IDatabase>();
  private readonly owners = new Map<string, string>();

  constructor(private readonly server: Construct) {}

  /** Adds the database `create` makes, named `name` and owned by `user`; throws when either is taken. */
  public add(name: string, user: string, create: () => IDatabase): IDatabase {
    if (this.databases.has(name)) {
      throw new MlopsValidationError(this.server, `database name '${name}' is invalid: it was added already; use the IDatabase the first addDatabase('${name}') returned, or database('${name}')`);
    }
    const owner = this.owners.get(user);
    if (owner !== undefined) {
      throw new MlopsValidationError(this.server, `user '${user}' is invalid: it already owns database '${owner}', and each setup Job sets its user's password; give each database its own user`);
    }
    const database = create();
    this.databases.set(name, database);
    this.owners.set(user, name);
    return database;
  }

  public get(name: string): IDatabase {
    const database = this.databases.get(name);
    if (!database) {
      const names = [...this.databases.keys()];
      const existing = names.length > 0 ? `the databases are ${names.map((n) => `'${n}'`).join(', ')}` : 'no database was added';
      throw new MlopsValidationError(this.server, `database '${name}' is invalid: there is no such database (${existing}); add it with addDatabase('${name}') first`);
    }
    return database;
  }
}

/** What a database asks of its server's setup Job. */
export interface SetupJobSpec {
  readonly shell: string;
  readonly script: string;
  readonly env: { [name: string]: kplus.EnvValue };
}

/** How a database on a server in this app is created. */
export interface ServerDatabaseProps {
  readonly databaseName: string;
  readonly user: string;
  readonly password: SecretSource;
  /** A label of the password's value; a new one runs the setup Job again. */
  readonly passwordRevision?: string;
  /** The server's superuser, whom the setup Job logs in as. */
  readonly adminCredentials: Credentials;
  readonly jobResources: kplus.ContainerResources;
}

/**
 * A database on a server in this app: its credentials (a Secret that also carries the user name), the hash-named
 * Job that creates it, and the `bind` that opens the network path to the server.
 */
export abstract class ServerDatabase extends Construct implements IDatabase {
  public readonly engine: DatabaseEngine;
  public readonly databaseName: string;
  public readonly endpoint: ServiceEndpoint;
  public readonly credentials: Credentials;
  protected readonly adminCredentials: Credentials;
  private readonly jobResources: kplus.ContainerResources;
  private readonly passwordRevision?: string;

  protected constructor(scope: Construct, id: string, protected readonly server: SqlServerParts, props: ServerDatabaseProps) {
    super(scope, id);
    if (props.passwordRevision !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(props.passwordRevision)) {
      throw new MlopsValidationError(server.server, `database '${props.databaseName}' passwordRevision '${props.passwordRevision}' is invalid: `
        + "use up to 63 letters, digits, '.', '_' or '-', starting with a letter or digit, e.g. '2' or '2026-11-23'");
    }
    this.adminCredentials = props.adminCredentials;
    this.jobResources = props.jobResources;
    this.passwordRevision = props.passwordRevision;
    this.engine = server.engine;
    this.databaseName = props.databaseName;
    this.endpoint = server.endpoint;
    this.credentials = props.password.bind(this, 'Credentials', {
      secretValues: [Credentials.PASSWORD],
      values: { [Credentials.USERNAME]: props.user },
    });
  }

  public bind(workload: kplus.INetworkPolicyPeer, container: kplus.Container, options: DatabaseBindOptions = {}): DatabaseBinding {
    const binding = bindDatabase(this, container, options);
    this.allowFrom(workload);
    return binding;
  }

  /** The idempotent Job that creates the database and its user; it reaches the server like any client. */
  protected createSetupJob(spec: SetupJobSpec): HashedJob {
    const job = new HashedJob(this, 'Setup', {
      metadata: { labels: componentLabels(this, { name: this.server.engine.name, component: 'database-setup' }) },
      podMetadata: this.passwordRevision === undefined ? undefined : { annotations: { [PASSWORD_REVISION_ANNOTATION]: this.passwordRevision } },
      securityContext: restrictedPodSecurity(IMAGE_USER),
      backoffLimit: 6,
      containers: [{
        name: 'setup',
        image: this.server.image,
        command: [spec.shell, '-c', spec.script],
        envVariables: spec.env,
        securityContext: restrictedContainerSecurity(IMAGE_USER),
        resources: this.jobResources,
      }],
    });
    mountWritablePaths(job, job.containers[0], { tmp: '/tmp' });
    this.allowFrom(job);
    return job;
  }

  private allowFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this.server.server, this.server.statefulSet, peer, [this.endpoint.port]);
  }
}

/**
 * Shell lines that run `check` until it succeeds, 60 times 5 s apart, then fail with a message that says where to
 * look. POSIX sh, so that dash and bash both run it.
 */
export function waitForServer(check: string, what: string): string {
  return [
    'attempt=1',
    `until ${check}; do`,
    '  if [ "$attempt" -ge 60 ]; then',
    `    echo "${what} did not answer after 60 attempts 5 s apart: check that its pod is ready and that no NetworkPolicy blocks this Job" >&2`,
    '    exit 1',
    '  fi',
    `  echo "waiting for ${what} (attempt $attempt of 60)"`,
    '  attempt=$((attempt + 1))',
    '  sleep 5',
    'done',
  ].join('\n');
}

