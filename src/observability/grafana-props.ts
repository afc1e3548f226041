import * as kplus from 'cdk8s-plus-28';
import { FederatedPrometheus } from './federated-prometheus';
import { IDatabase } from '../core/database';
import { ServiceEndpoint } from '../core/endpoint';
import { SecretSource } from '../core/secret-source';
import { ServerTls } from '../core/tls';
import { WorkloadPlacement } from '../core/workload-placement';

/** A data source Grafana is provisioned with. */
export interface GrafanaDataSource {
  /** The name shown in Grafana, e.g. `Jaeger`. */
  readonly name: string;
  /** The plugin type, e.g. `jaeger`, `loki`, `elasticsearch`. */
  readonly type: string;
  /** The uid dashboards and links refer to it by: letters, digits, '-' and '_'. */
  readonly uid: string;
  /** Its URL as Grafana's pod reaches it, e.g. `http://jaeger.mlops.svc:16686`. */
  readonly url: string;
}

/** Properties of a `Grafana`. Give exactly one of `prometheus` and `prometheusEndpoint`. */
export interface GrafanaProps {
  /**
   * The Prometheus of this app that Grafana queries: the provisioned data source points at its Service, a
   * NetworkPolicy lets Grafana reach it on port 9090, and its dashboards (model serving, platform overview) are
   * mounted.
   *
   * @default - `prometheusEndpoint` must be given
   */
  readonly prometheus?: FederatedPrometheus;

  /**
   * A Prometheus outside this app (or one whose dashboards you do not want), as the data source's URL.
   *
   * @default - `prometheus` must be given
   */
  readonly prometheusEndpoint?: ServiceEndpoint;

  /**
   * More dashboards: ConfigMaps in Grafana's namespace whose keys are dashboard files (`<name>.json`), e.g. the
   * ConfigMaps kube-prometheus-stack's sidecar would pick up. Each is mounted as a directory the dashboards provider
   * reads, so an edit of the ConfigMap reaches Grafana within a minute, without a restart.
   *
   * @default - only the dashboards of `prometheus`
   */
  readonly dashboards?: kplus.IConfigMap[];

  /**
   * The Grafana folder the provisioned dashboards are shown in.
   *
   * @default 'MLOps'
   */
  readonly dashboardsFolder?: string;

  /**
   * The admin user (`GF_SECURITY_ADMIN_USER` from `Credentials.USERNAME`) and password (`GF_SECURITY_ADMIN_PASSWORD`
   * from `Credentials.PASSWORD`). Without `keys` the user name is `admin` and the password is read from the key
   * `password`. Grafana applies them when it creates its database: with `database`, a changed Secret changes nothing
   * until you reset the password (`grafana cli admin reset-admin-password`).
   *
   * @default - a Secret generated inside the cluster: user name `admin`, a random password
   */
  readonly adminCredentials?: SecretSource;

  /**
   * A database for Grafana's own state (users, preferences, dashboards saved in the UI): `GF_DATABASE_TYPE`, `_HOST`,
   * `_NAME`, `_USER` and `_PASSWORD`. PostgreSQL or MySQL.
   *
   * @default - SQLite on an emptyDir: the provisioned data source and dashboards come back on every start, what is
   * changed in the UI is lost with the pod
   */
  readonly database?: IDatabase;

  /**
   * The URL users open Grafana at (`GF_SERVER_ROOT_URL`), e.g. `https://mlops.example.com/grafana`. With a path,
   * Grafana serves every route under it (`GF_SERVER_SERVE_FROM_SUB_PATH`), as an Ingress path that is not stripped
   * needs.
   *
   * @default - Grafana's own default, `http://localhost:3000/`, served at `/`
   */
  readonly rootUrl?: string;

  /**
   * More data sources next to Prometheus, e.g. a trace store (`{ name: 'Jaeger', type: 'jaeger', uid: 'jaeger', url:
   * traces.queryUrl }`) or a log store. Grafana reaches them from its own pod (`access: proxy`): let its pods in.
   *
   * @default - only Prometheus
   */
  readonly dataSources?: GrafanaDataSource[];

  /**
   * The Grafana image.
   *
   * @default DefaultImages.GRAFANA
   */
  readonly image?: string;

  /**
   * The Grafana container's resources; give cpu and memory requests and a memory limit.
   *
   * @default - requests 100m cpu and 256Mi memory, limit 1Gi memory
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Where the pods run and what they pull images with (node selector, tolerations, node affinity, topology spread,
   * priority class, image pull secrets), applied to every pod this construct makes.
   *
   * @default - no constraints: any node, the cluster's default priority, no pull secrets
   */
  readonly placement?: WorkloadPlacement;

  /**
   * Serves Grafana over https (`GF_SERVER_PROTOCOL`, `GF_SERVER_CERT_FILE`, `GF_SERVER_CERT_KEY`) with a certificate
   * for the Service from `tls.issuer`; the probes and the scrape follow, and `endpoint` becomes `https` with
   * `tls.trustBundle`. Grafana checks the certificate files every 10 minutes (`GF_SERVER_CERTS_WATCH_INTERVAL`) and
   * serves a renewed one without a restart.
   *
   * @default - plain HTTP
   */
  readonly tls?: ServerTls;
}
