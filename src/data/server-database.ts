import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IMAGE_USER } from './sql-engine';
import { Credentials } from '../core/credentials';
import { bindDatabase, DatabaseBindOptions, DatabaseBinding, DatabaseEngine, IDatabase, trustDatabase } from '../core/database';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { HashedJob } from '../core/hashed-job';
import { imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { allowIngress } from '../core/network';
import { SecretSource } from '../core/secret-source';
import { mountWritablePaths, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';

// A database on a `SqlServer` of this app, the base of `PostgresDatabase` and `MysqlDatabase`. Internal: not exported
// from the package; users see an `IDatabase`.

/** The setup Job pod's annotation that carries `passwordRevision`. */
const PASSWORD_REVISION_ANNOTATION = 'mlops.cdk8s.io/password-revision';

/** What a database needs from its server. */
export interface SqlServerParts {
  /** The server construct: it names errors and holds the NetworkPolicies. */
  readonly server: Construct;
  readonly engine: DatabaseEngine;
  /** The server's image, whose clients the setup Job runs. */
  readonly image: string;
  readonly statefulSet: kplus.StatefulSet;
  readonly service: kplus.Service;
  readonly endpoint: ServiceEndpoint;
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
    const binding = bindDatabase(this, container, options, workload);
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
        imagePullPolicy: imagePullPolicy(this.server.image),
        command: [spec.shell, '-c', spec.script],
        envVariables: spec.env,
        securityContext: restrictedContainerSecurity(IMAGE_USER),
        resources: this.jobResources,
      }],
    });
    mountWritablePaths(job, job.containers[0], { tmp: '/tmp' });
    trustDatabase(this, job, job.containers[0]);
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
