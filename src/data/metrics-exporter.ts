import { Chart, Duration, Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { imagePullPolicy } from '../core/images';
import { SMALL_CONTAINER_RESOURCES } from '../core/resources';
import { ScrapeDiscovery, ScrapeTargetSpec } from '../core/scrape-target';
import { ImageUser, restrictedContainerSecurity } from '../core/security';

/** A Prometheus exporter that runs next to a server, in its pod, and reaches it on localhost. */
export interface MetricsExporterSpec {
  readonly image: string;
  /** The user the exporter's image runs as. */
  readonly runAs: ImageUser;
  readonly port: number;
  readonly args?: string[];
  readonly env: { [name: string]: kplus.EnvValue };
  /** Files the exporter reads, by name: a ConfigMap (`MetricsConfig`) mounted read-only at `dir`. */
  readonly config?: { readonly dir: string; readonly files: { [name: string]: string } };
}

/**
 * Adds the exporter as the container `metrics` (port `metrics`) of `statefulSet`'s pod, and returns its scrape target:
 * the pods, found by their labels (POD discovery, so that the server's Service stays as it is), named after
 * `scope`'s path, with `mounts` read-only besides its config. Used by Postgres, Mysql and Redis.
 */
export function addMetricsExporter(
  scope: Construct, statefulSet: kplus.StatefulSet, spec: MetricsExporterSpec, mounts: Array<[string, kplus.Volume]> = [],
): ScrapeTargetSpec {
  const exporter = statefulSet.addContainer({
    name: 'metrics',
    image: spec.image,
    imagePullPolicy: imagePullPolicy(spec.image),
    args: spec.args,
    envVariables: spec.env,
    ports: [{ name: 'metrics', number: spec.port }],
    securityContext: restrictedContainerSecurity(spec.runAs),
    resources: SMALL_CONTAINER_RESOURCES,
    readiness: kplus.Probe.fromTcpSocket({ port: spec.port, periodSeconds: Duration.seconds(10) }),
  });
  if (spec.config) {
    const configMap = new kplus.ConfigMap(scope, 'MetricsConfig', { data: spec.config.files });
    exporter.mount(spec.config.dir, kplus.Volume.fromConfigMap(statefulSet, 'MetricsConfigVolume', configMap, { name: 'metrics-config' }), { readOnly: true });
  }
  for (const [path, volume] of mounts) {
    exporter.mount(path, volume, { readOnly: true });
  }
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
