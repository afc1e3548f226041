import { IConstruct } from 'constructs';
import { stringify } from 'yaml';
import { GrafanaDataSource } from './grafana-props';
import { MlopsValidationError } from '../core/errors';

/** Where the dashboard ConfigMaps are mounted, one directory each; the provider reads the tree below. */
export const DASHBOARDS_DIR = '/etc/grafana/dashboards';
/** The uid of the provisioned Prometheus data source. */
export const DATASOURCE_UID = 'prometheus';

const ROOT_URL = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;

/** The path Grafana is served under, from its root URL: '' or e.g. '/grafana'. */
export function subPathOf(scope: IConstruct, rootUrl: string | undefined): string {
  if (rootUrl === undefined) {
    return '';
  }
  const path = ROOT_URL.exec(rootUrl)?.[1] ?? '';
  if (!ROOT_URL.test(rootUrl) || (path.length > 1 && path.endsWith('/'))) {
    throw new MlopsValidationError(scope, `rootUrl '${rootUrl}' is invalid: give the http:// or https:// URL users open, `
      + "without query and without a trailing '/', e.g. 'https://mlops.example.com/grafana'");
  }
  return path === '/' ? '' : path;
}

/** The data source file: Prometheus, the default, and `more`, none editable in the UI. */
export function datasourcesYaml(prometheusUrl: string, more: readonly GrafanaDataSource[] = []): string {
  return stringify({
    apiVersion: 1,
    datasources: [{
      name: 'Prometheus',
      uid: DATASOURCE_UID,
      type: 'prometheus',
      access: 'proxy',
      url: prometheusUrl,
      isDefault: true,
      editable: false,
      jsonData: { httpMethod: 'POST' },
    }, ...more.map((source) => ({
      name: source.name, uid: source.uid, type: source.type, access: 'proxy', url: source.url, editable: false,
    }))],
  });
}

/** The dashboards provider file: every `.json` file under `DASHBOARDS_DIR`, in one folder, read-only in the UI. */
export function dashboardProvidersYaml(folder: string): string {
  return stringify({
    apiVersion: 1,
    providers: [{
      name: 'mlops',
      orgId: 1,
      folder,
      type: 'file',
      disableDeletion: true,
      allowUiUpdates: false,
      updateIntervalSeconds: 30,
      options: { path: DASHBOARDS_DIR, foldersFromFilesStructure: false },
    }],
  });
}
