/** How dashboards reach Grafana: ConfigMaps that Grafana's k8s-sidecar picks up by label. */
export interface GrafanaDashboardOptions {
  /**
   * Whether the model-serving and platform dashboards are created.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The label the sidecar looks for (`sidecar.dashboards.label` in the Grafana and kube-prometheus-stack charts).
   *
   * @default 'grafana_dashboard'
   */
  readonly label?: string;

  /**
   * The label's value (`sidecar.dashboards.labelValue`).
   *
   * @default '1'
   */
  readonly labelValue?: string;

  /**
   * The Grafana folder, through the k8s-sidecar annotation `k8s-sidecar-target-directory` (a directory under the
   * sidecar's folder; Grafana's provider needs `foldersFromFilesStructure: true` to show it as a folder).
   *
   * @default 'MLOps'
   */
  readonly folder?: string;

  /**
   * The namespace of the ConfigMaps. The sidecar only reads its own namespace unless `searchNamespace` is `ALL`, so
   * put the dashboards where Grafana runs, e.g. `monitoring`.
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}
