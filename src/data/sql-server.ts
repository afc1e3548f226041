import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DatabaseCatalog } from './database-catalog';
import { DATABASE_MONITORING } from './database-monitoring';
import { addMetricsExporter } from './metrics-exporter';
import { ServerDatabaseProps, SqlServerParts } from './server-database';
import { IMAGE_USER, SqlEngineSpec, withDefaultResources } from './sql-engine';
import { assertSqlName, databaseId, SqlNameRules } from './sql-names';
import { SqlDatabaseOptions, SqlServerProps } from './sql-server-props';
import { Credentials } from '../core/credentials';
import { addDataVolume } from '../core/data-volume';
import { IDatabase } from '../core/database';
import { ServiceEndpoint } from '../core/endpoint';
import { addGoverningService } from '../core/governing-service';
import { imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { IMonitoringContribution } from '../core/monitoring';
import { allowIngress } from '../core/network';
import { commandProbe } from '../core/probes';
import { A_STORAGE_CLASS_NAME, aClaimSize } from '../core/prop-kinds';
import { aBoolean, aListOf, anImage, aString, checkArgument, checkProps } from '../core/props-check';
import { SMALL_CONTAINER_RESOURCES } from '../core/resources';
import { IScrapeTarget, ScrapeTargetSpec } from '../core/scrape-target';
import { SecretSource } from '../core/secret-source';
import { mountWritablePaths, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { addServerCertificate } from '../core/server-certificate';
import { A_VOLUME_RETENTION } from '../core/volume-retention';
import { A_PLACEMENT, placeWorkloads, WorkloadPlacement } from '../core/workload-placement';

/**
 * A single-instance SQL server of this app that holds several databases, each with its own user and setup Job: what
 * `Postgres` and `Mysql` share. It is a one-replica StatefulSet (`Resource`) behind a ClusterIP Service (`Service`),
 * with its data on a PersistentVolumeClaim (`Data`, unless `storage` is given) and an emptyDir for each other path the
 * image writes; with `metrics`, an exporter runs next to the server.
 *
 * Use `Postgres` or `Mysql`; each engine's image, settings, exporter and name rules are theirs.
 */
export abstract class SqlServer extends Construct implements IScrapeTarget {
  /** Where clients connect: the Service, on the engine's port (5432 for PostgreSQL, 3306 for MySQL). */
  public readonly endpoint: ServiceEndpoint;
  /**
   * The superuser (`Credentials.USERNAME`, `Credentials.PASSWORD`): `postgres` on PostgreSQL (unless an existing
   * Secret maps the user name), `root` on MySQL.
   */
  public readonly adminCredentials: Credentials;
  /** The ClusterIP Service in front of the server. */
  public readonly service: kplus.Service;
  /** The server's StatefulSet. */
  public readonly statefulSet: kplus.StatefulSet;
  /** The exporter's metrics, when `metrics` is on; else none. */
  public readonly scrapeTargets: ScrapeTargetSpec[];
  /** The rules over the exporter's metrics, the `DatabaseDown` alert and the `Databases` row of the platform dashboard. */
  public readonly monitoring?: IMonitoringContribution[] = [DATABASE_MONITORING];

  private readonly parts: SqlServerParts;
  private readonly nameRules: SqlNameRules;
  private readonly metricsPort: number;
  private readonly jobResources: kplus.ContainerResources;
  private readonly catalog: DatabaseCatalog;

  private readonly placement?: WorkloadPlacement;

  /**
   * Builds the server from what the engine's hooks return.
   *
   * @param props the props of the server; the hooks get them as given, so that each engine reads its own props there
   */
  protected constructor(scope: Construct, id: string, props: SqlServerProps) {
    super(scope, id);
    checkProps(this, props, {}, {
      image: anImage("'harbor.example.com/mirror/postgres:17.6-bookworm'"),
      metricsExporterImage: anImage("'harbor.example.com/mirror/postgres-exporter:v0.20.1'"),
      storageSize: aClaimSize('Size.gibibytes(10)'),
      storageClassName: A_STORAGE_CLASS_NAME,
      volumeRetention: A_VOLUME_RETENTION,
      databases: aListOf(aString("'mlflow'")),
      metrics: aBoolean(),
      placement: A_PLACEMENT,
    });
    this.adminCredentials = this._bindAdminCredentials(props);
    const spec = this._engineSpec(props, this.adminCredentials);
    this.nameRules = spec.nameRules;
    this.metricsPort = spec.metricsExporter.port;
    this.parts = this.createServer(spec, props);
    this.statefulSet = this.parts.statefulSet;
    this.service = this.parts.service;
    this.endpoint = this.parts.endpoint;
    this.jobResources = withDefaultResources(props.jobResources, SMALL_CONTAINER_RESOURCES);
    this.scrapeTargets = props.metrics ? [addMetricsExporter(this, this.statefulSet, spec.metricsExporter, this.exporterMounts(spec))] : [];
    this.catalog = new DatabaseCatalog(this);
    this.placement = props.placement;
    placeWorkloads(this, this.placement);
    for (const name of props.databases ?? []) {
      this._addDatabase(name, {});
    }
  }

  /** The server's certificate, without its key, for an exporter that needs it (`exporterCertDir`). */
  private exporterMounts(spec: SqlEngineSpec): Array<[string, kplus.Volume]> {
    const dir = spec.tls?.exporterCertDir;
    if (!dir) return [];
    const secret = kplus.Secret.fromSecretName(this, 'ExporterCertificateSecret', `${this.service.name}-tls`);
    return [[dir, kplus.Volume.fromSecret(this.statefulSet, 'ExporterCert', secret, { name: 'server-cert', items: { 'tls.crt': { path: 'tls.crt' } } })]];
  }

  /** Lets `scraper` reach the exporter's port (nothing when `metrics` is off). */
  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    if (this.scrapeTargets.length > 0) {
      allowIngress(this, this.statefulSet, scraper, [this.metricsPort]);
    }
  }

  /** The database added as `name`. */
  public database(name: string): IDatabase {
    return this.catalog.get(name);
  }

  /**
   * The superuser's credentials, bound as `AdminCredentials` from the password the props give.
   *
   * @internal
   */
  protected abstract _bindAdminCredentials(props: SqlServerProps): Credentials;

  /**
   * What the engine puts into the server's pod; `adminCredentials` is the superuser's, for the env vars.
   *
   * @internal
   */
  protected abstract _engineSpec(props: SqlServerProps, adminCredentials: Credentials): SqlEngineSpec;

  /**
   * The engine's database `id` under this server, which its setup Job creates.
   *
   * @internal
   */
  protected abstract _newDatabase(id: string, server: SqlServerParts, props: ServerDatabaseProps): IDatabase;

  /**
   * Checks the names, then adds database `name` owned by `user` (default: the database's name), with its setup Job.
   *
   * @internal
   */
  protected _addDatabase(name: string, options: SqlDatabaseOptions, user?: string): IDatabase {
    checkArgument(this, 'addDatabase: name', name, aString("'mlflow'"));
    assertSqlName(this, 'database name', name, this.nameRules);
    const owner = user ?? name;
    assertSqlName(this, 'user', owner, this.nameRules);
    const database = this.catalog.add(name, owner, () => this._newDatabase(databaseId(name), this.parts, {
      databaseName: name,
      user: owner,
      password: options.password ?? SecretSource.generated(),
      passwordRevision: options.passwordRevision,
      adminCredentials: this.adminCredentials,
      jobResources: this.jobResources,
    }));
    placeWorkloads(this, this.placement);
    return database;
  }

  /** The Service (`Service`), the StatefulSet (`Resource`), the data volume and the emptyDirs. */
  private createServer(spec: SqlEngineSpec, props: SqlServerProps): SqlServerParts {
    const port = spec.engine.defaultPort;
    const labels = componentLabels(this, { name: spec.name, component: 'database', image: spec.image });
    const ports = [{ name: spec.name, port, targetPort: port }];
    const service = new kplus.Service(this, 'Service', { metadata: { labels }, ports });
    const probe = (failureThreshold: number) => commandProbe(spec.probe, { failureThreshold });
    const statefulSet = new kplus.StatefulSet(this, 'Resource', {
      metadata: { labels },
      podMetadata: { labels },
      service: addGoverningService(this, labels, ports),
      replicas: 1,
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(IMAGE_USER),
      containers: [{
        name: spec.name,
        image: spec.image,
        imagePullPolicy: imagePullPolicy(spec.image),
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
    service.select(statefulSet);
    const container = statefulSet.containers[0];
    const data = addDataVolume(this, {
      storage: props.storage,
      storageSize: props.storageSize,
      storageClassName: props.storageClassName,
      volumeRetention: props.volumeRetention,
      defaultSize: Size.gibibytes(10),
      labels,
    });
    container.mount(spec.dataPath, data.storage);
    mountWritablePaths(statefulSet, container, spec.writablePaths);
    if (spec.tls) {
      const { secret } = addServerCertificate(this, service, spec.tls.serverTls);
      const certs = kplus.Volume.fromSecret(statefulSet, 'Certs', secret, { name: 'certs', defaultMode: spec.tls.keyMode });
      container.mount(spec.tls.certDir, certs, { readOnly: true });
      const reloader = statefulSet.addContainer({
        name: 'tls-reload',
        image: spec.image,
        imagePullPolicy: imagePullPolicy(spec.image),
        command: ['sh', '-c', reloadScript(`${spec.tls.certDir}/tls.crt`, spec.tls.reloadCommand)],
        envVariables: spec.env,
        securityContext: restrictedContainerSecurity(IMAGE_USER),
        resources: SMALL_CONTAINER_RESOURCES,
      });
      reloader.mount(spec.tls.certDir, certs, { readOnly: true });
    }
    return {
      server: this,
      engine: spec.engine,
      image: spec.image,
      statefulSet,
      service,
      endpoint: ServiceEndpoint.fromService(service, port, spec.engine.scheme, spec.tls?.serverTls.trustBundle),
    };
  }
}

/**
 * Checks `certFile` every 10 minutes and runs `reload` once it changed (cert-manager renewed it and the kubelet
 * updated the volume), until the reload succeeds; exits on SIGTERM.
 */
function reloadScript(certFile: string, reload: string): string {
  return [
    'trap \'exit 0\' TERM INT',
    `last=$(cksum < ${certFile})`,
    'while true; do',
    '  sleep 600 & wait $!',
    `  now=$(cksum < ${certFile})`,
    `  if [ "$now" != "$last" ] && ${reload}; then`,
    '    echo "reloaded the renewed certificate"',
    '    last=$now',
    '  fi',
    'done',
  ].join('\n');
}
