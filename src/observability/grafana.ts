import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GrafanaProps } from './grafana-props';
import { DASHBOARDS_DIR, DATASOURCE_UID, dashboardProvidersYaml, datasourcesYaml, subPathOf } from './grafana-provisioning';
import { configChecksum } from '../core/config-checksum';
import { Credentials } from '../core/credentials';
import { DatabaseEngine } from '../core/database';
import { ServiceEndpoint } from '../core/endpoint';
import { MlopsValidationError } from '../core/errors';
import { defaultImage } from '../core/image-registry';
import { DefaultImages, imagePullPolicy } from '../core/images';
import { componentLabels } from '../core/labels';
import { allowIngress } from '../core/network';
import { httpGetProbe } from '../core/probes';
import { anImage, checkProps } from '../core/props-check';
import { IScrapeTarget, ScrapeDiscovery, ScrapeTargetSpec } from '../core/scrape-target';
import { SecretSource } from '../core/secret-source';
import { ImageUser, restrictedContainerSecurity, restrictedPodSecurity } from '../core/security';
import { addServerCertificate, TLS_CERT_KEY, TLS_KEY_KEY } from '../core/server-certificate';
import { A_SERVER_TLS } from '../core/tls';
import { A_PLACEMENT, placeWorkloads } from '../core/workload-placement';

const PORT = 3000;
/** The image's `grafana` user; its group is 0 in the image, 472 here so that the emptyDirs are group-owned by it. */
const GRAFANA_USER: ImageUser = { user: 472, group: 472 };
const PROVISIONING_DIR = '/etc/grafana/provisioning';
const CERT_DIR = '/etc/grafana/tls';
/** How often Grafana compares the certificate files' modification times and loads a renewed pair (`[server] certs_watch_interval`). */
const CERTS_WATCH_INTERVAL = '10m';

/**
 * Grafana (12.x) for the platform's dashboards: a Deployment behind a Service on port 3000, provisioned from
 * ConfigMaps, without a sidecar.
 *
 * ```ts
 * const grafana = new Grafana(this, 'Grafana', {
 *   prometheus,                                       // data source, NetworkPolicy to it, and its dashboards
 *   rootUrl: 'https://mlops.example.com/grafana',     // behind an Ingress path
 * });
 * grafana.allowFrom(ingressControllerPods);
 * ```
 *
 * - The Prometheus data source (uid `prometheus`, the default) and a dashboards provider are files under
 *   `/etc/grafana/provisioning`; each dashboard ConfigMap is mounted as a directory under `/etc/grafana/dashboards`.
 *   The pod carries a checksum of the provisioning files, so a new data source URL rolls it.
 * - Its own state is SQLite on an emptyDir unless `database` is given: provisioned content survives restarts, what
 *   users change in the UI does not.
 * - Runs as uid 472 with a read-only root filesystem (emptyDirs at `/var/lib/grafana` and `/tmp`), logs to the
 *   console, and preinstalls no plugins, so it never downloads anything (on-prem clusters are often offline).
 * - `/metrics` on the Service's port is a scrape target.
 * - With `tls` it serves https; it trusts the CA of an https Prometheus through `SSL_CERT_FILE` (the trust bundle
 *   mounted), which Go reads for the system roots on Linux: the data source's own `tlsCACert` would need the CA's
 *   content in the provisioning file, and a bundle with the public CAs is too large for an environment variable.
 */
export class Grafana extends Construct implements IScrapeTarget {
  /** The Service, `http://<service>.<namespace>.svc:3000` (`https://` with the trust bundle, with `tls`). */
  public readonly endpoint: ServiceEndpoint;
  /** The ClusterIP Service on port 3000 (`http`; `https` with `tls`). */
  public readonly service: kplus.Service;
  /** The Grafana server. */
  public readonly deployment: kplus.Deployment;
  /** The admin user and password (`Credentials.USERNAME`, `Credentials.PASSWORD`). */
  public readonly adminCredentials: Credentials;
  /** The path Grafana serves every route under: '' or the path of `rootUrl`, e.g. `/grafana`. */
  public readonly subPath: string;
  /** The URL of the provisioned Prometheus data source. */
  public readonly prometheusUrl: string;
  /** `/metrics` on the Service's port. */
  public readonly scrapeTargets: ScrapeTargetSpec[];

  private readonly namespace?: string;
  private readonly dashboardConfigMaps: kplus.IConfigMap[] = [];

  constructor(scope: Construct, id: string, props: GrafanaProps = {}) {
    super(scope, id);
    checkProps(this, props, {}, { image: anImage("'docker.io/grafana/grafana:12.4.5'"), placement: A_PLACEMENT, tls: A_SERVER_TLS });
    if ((props.prometheus === undefined) === (props.prometheusEndpoint === undefined)) {
      throw new MlopsValidationError(this, 'prometheus and prometheusEndpoint are invalid together: give exactly one of them, '
        + 'the FederatedPrometheus of this app or the endpoint of another Prometheus');
    }
    this.subPath = subPathOf(this, props.rootUrl);
    const folder = props.dashboardsFolder ?? 'MLOps';
    if (folder.trim() === '') {
      throw new MlopsValidationError(this, `dashboardsFolder '${folder}' is invalid: give the folder's title, e.g. 'MLOps'`);
    }
    this.prometheusUrl = props.prometheus?.apiUrl ?? props.prometheusEndpoint!.url();
    this.namespace = Chart.of(this).namespace;

    const image = props.image ?? defaultImage(this, DefaultImages.GRAFANA);
    const labels = componentLabels(this, { name: 'grafana', component: 'dashboards', image });
    const https = props.tls !== undefined;
    const scheme = https ? 'https' : 'http';
    const dataSources = props.dataSources ?? [];
    for (const source of dataSources) {
      if (!/^[A-Za-z0-9_-]{1,40}$/.test(source.uid) || source.uid === DATASOURCE_UID || !/^https?:\/\/\S+$/.test(source.url)) {
        throw new MlopsValidationError(this, `dataSources entry '${source.name}' is invalid: its uid must be 1-40 letters, digits, '-' or '_' other than `
          + `'${DATASOURCE_UID}', and its url an http:// or https:// URL; e.g. { name: 'Jaeger', type: 'jaeger', uid: 'jaeger', url: 'http://jaeger.mlops.svc:16686' }`);
      }
    }
    const provisioning = { 'datasources.yaml': datasourcesYaml(this.prometheusUrl, dataSources), 'dashboards.yaml': dashboardProvidersYaml(folder) };
    const provisioningConfigMap = new kplus.ConfigMap(this, 'Provisioning', { metadata: { labels }, data: provisioning });

    this.service = new kplus.Service(this, 'Service', {
      metadata: { labels },
      ports: [{ name: scheme, port: PORT, targetPort: PORT }],
    });
    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { labels },
      podMetadata: {
        labels,
        annotations: configChecksum(provisioning),
      },
      replicas: 1,
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity(GRAFANA_USER),
      containers: [{
        name: 'grafana',
        image,
        imagePullPolicy: imagePullPolicy(image),
        ports: [{ name: scheme, number: PORT }],
        envVariables: {
          GF_LOG_MODE: kplus.EnvValue.fromValue('console'),
          GF_PLUGINS_PREINSTALL_DISABLED: kplus.EnvValue.fromValue('true'),
          ...(props.rootUrl ? { GF_SERVER_ROOT_URL: kplus.EnvValue.fromValue(props.rootUrl) } : {}),
          ...(this.subPath ? { GF_SERVER_SERVE_FROM_SUB_PATH: kplus.EnvValue.fromValue('true') } : {}),
        },
        securityContext: restrictedContainerSecurity(GRAFANA_USER),
        resources: props.resources ?? {
          cpu: { request: kplus.Cpu.millis(100) },
          memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
        },
        readiness: httpGetProbe(`${this.subPath}/api/health`, PORT, { failureThreshold: 3 }, https),
        liveness: httpGetProbe(`${this.subPath}/api/health`, PORT, { failureThreshold: 6 }, https),
        // The first start creates or migrates Grafana's database.
        startup: httpGetProbe(`${this.subPath}/api/health`, PORT, { failureThreshold: 30 }, https),
      }],
    });
    this.service.select(this.deployment);
    this.endpoint = ServiceEndpoint.fromService(this.service, PORT, scheme, props.tls?.trustBundle);

    const grafana = this.deployment.containers[0];
    if (props.tls) {
      const { secret } = addServerCertificate(this, this.service, props.tls);
      grafana.mount(CERT_DIR, kplus.Volume.fromSecret(this.deployment, 'Certs', secret, { name: 'certs', defaultMode: 0o440 }), { readOnly: true });
      grafana.env.addVariable('GF_SERVER_PROTOCOL', kplus.EnvValue.fromValue('https'));
      grafana.env.addVariable('GF_SERVER_CERT_FILE', kplus.EnvValue.fromValue(`${CERT_DIR}/${TLS_CERT_KEY}`));
      grafana.env.addVariable('GF_SERVER_CERT_KEY', kplus.EnvValue.fromValue(`${CERT_DIR}/${TLS_KEY_KEY}`));
      grafana.env.addVariable('GF_SERVER_CERTS_WATCH_INTERVAL', kplus.EnvValue.fromValue(CERTS_WATCH_INTERVAL));
    }
    (props.prometheus?.endpoint ?? props.prometheusEndpoint!).trustIn(this.deployment, grafana);
    grafana.mount('/var/lib/grafana', kplus.Volume.fromEmptyDir(this.deployment, 'Writable-data', 'data'));
    grafana.mount('/tmp', kplus.Volume.fromEmptyDir(this.deployment, 'Writable-tmp', 'tmp'));
    grafana.mount(`${PROVISIONING_DIR}/datasources`, kplus.Volume.fromConfigMap(this.deployment, 'Datasources', provisioningConfigMap, {
      name: 'datasources', items: { 'datasources.yaml': { path: 'mlops.yaml' } },
    }), { readOnly: true });
    grafana.mount(`${PROVISIONING_DIR}/dashboards`, kplus.Volume.fromConfigMap(this.deployment, 'DashboardProviders', provisioningConfigMap, {
      name: 'dashboard-providers', items: { 'dashboards.yaml': { path: 'mlops.yaml' } },
    }), { readOnly: true });

    this.adminCredentials = (props.adminCredentials ?? SecretSource.generated()).bind(this, 'AdminCredentials', {
      secretValues: [Credentials.PASSWORD],
      values: { [Credentials.USERNAME]: 'admin' },
    });
    grafana.env.addVariable('GF_SECURITY_ADMIN_USER', this.adminCredentials.envValue(Credentials.USERNAME));
    grafana.env.addVariable('GF_SECURITY_ADMIN_PASSWORD', this.adminCredentials.envValue(Credentials.PASSWORD));

    if (props.database) {
      grafana.env.addVariable('GF_DATABASE_TYPE', kplus.EnvValue.fromValue(props.database.engine.name));
      grafana.env.addVariable('GF_DATABASE_HOST', kplus.EnvValue.fromValue(props.database.endpoint.hostPort));
      grafana.env.addVariable('GF_DATABASE_NAME', kplus.EnvValue.fromValue(props.database.databaseName));
      props.database.bind(this.deployment, grafana, { envPrefix: 'GF_DATABASE' });
      const bundle = props.database.endpoint.trustBundle;
      if (bundle && props.database.engine === DatabaseEngine.POSTGRES) {
        // Grafana builds its own connection string and ignores PGSSLMODE; the bind mounted the bundle.
        grafana.env.addVariable('GF_DATABASE_SSL_MODE', kplus.EnvValue.fromValue('verify-full'));
        grafana.env.addVariable('GF_DATABASE_CA_CERT_PATH', kplus.EnvValue.fromValue(bundle.pemPath));
      }
    }

    if (props.prometheus) {
      allowIngress(props.prometheus, props.prometheus.pods, this.deployment, [props.prometheus.endpoint.port]);
      this.addDashboards(...props.prometheus.dashboards);
    }
    this.addDashboards(...(props.dashboards ?? []));

    this.scrapeTargets = [{
      name: 'grafana',
      discovery: ScrapeDiscovery.SERVICE,
      namespace: this.namespace,
      selector: Object.fromEntries(['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component']
        .map((key) => [key, labels[key]])),
      endpoints: [{
        port: scheme,
        path: `${this.subPath}/metrics`,
        ...(https ? { scheme: 'https', trustBundle: props.tls?.trustBundle, serverName: this.endpoint.host } : {}),
      }],
    }];
    placeWorkloads(this, props.placement);
  }

  /**
   * Mounts dashboard ConfigMaps (each key a `<name>.json` dashboard) into the provider's directory. They must be in
   * Grafana's namespace: a pod mounts ConfigMaps of its own namespace only.
   */
  public addDashboards(...configMaps: kplus.IConfigMap[]): void {
    for (const configMap of configMaps) {
      if (this.dashboardConfigMaps.some((mounted) => mounted.name === configMap.name)) {
        throw new MlopsValidationError(this, `addDashboards: ConfigMap '${configMap.name}' is invalid: it is mounted already; add each ConfigMap once`);
      }
      const namespace = configMap instanceof kplus.ConfigMap ? configMap.metadata.namespace ?? Chart.of(configMap).namespace : undefined;
      if (namespace !== undefined && namespace !== this.namespace) {
        throw new MlopsValidationError(this, `addDashboards: ConfigMap '${configMap.name}' is invalid: it is in namespace '${namespace}' `
          + `and Grafana in ${this.namespace ? `'${this.namespace}'` : "the chart's default namespace"}, and a pod mounts ConfigMaps of its own `
          + "namespace only; create the dashboards in Grafana's namespace (FederatedPrometheus: dashboards.namespace)");
      }
      const index = this.dashboardConfigMaps.push(configMap) - 1;
      const volume = kplus.Volume.fromConfigMap(this.deployment, `Dashboards-${configMap.name}`, configMap, { name: `dashboards-${index}` });
      this.deployment.containers[0].mount(`${DASHBOARDS_DIR}/${configMap.name}`, volume, { readOnly: true });
    }
  }

  /** Allows `peer` (an Ingress controller, users' namespaces) to reach Grafana on port 3000. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    allowIngress(this, this.deployment, peer, [PORT]);
  }

  public allowScrapeFrom(scraper: kplus.INetworkPolicyPeer): void {
    this.allowFrom(scraper);
  }
}
