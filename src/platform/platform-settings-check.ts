import { Duration, Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { PlatformSettings } from './platform-settings';
import { MlopsValidationError } from '../core/errors';
import { assertLabels } from '../core/names';
import { A_STORAGE_CLASS_NAME, aClaimSize, aDuration, aSize, aWholeNumber } from '../core/prop-kinds';
import { anImage, aStringMap, checkArgument, checkProps, PropKind } from '../core/props-check';
import { A_VOLUME_RETENTION } from '../core/volume-retention';
import { A_PLACEMENT } from '../core/workload-placement';

const A_RESOURCES: PropKind = {
  description: 'container resources',
  example: '{ cpu: { request: kplus.Cpu.millis(500) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) } }',
  matches: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
};
const SERVER_KINDS: Record<string, PropKind> = { image: anImage("'harbor.example.com/mirror/postgres:17.6'"), resources: A_RESOURCES, placement: A_PLACEMENT };
const DATA_STORE_KINDS: Record<string, PropKind> = { ...SERVER_KINDS, storageSize: aClaimSize('Size.gibibytes(10)'), storageClassName: A_STORAGE_CLASS_NAME };

/** Checks the kinds of every settings entry that is given. */
export function checkPlatformSettings(scope: IConstruct, settings: PlatformSettings | undefined): void {
  if (settings === undefined) return;
  const piece = { description: 'an object of settings', example: '{ image, resources, placement }', matches: (value: unknown) => typeof value === 'object' && value !== null };
  checkProps(scope, settings, {}, {
    postgres: piece,
    minio: piece,
    redis: piece,
    airflow: piece,
    mlflow: piece,
    prometheus: piece,
    grafana: piece,
    volumeRetention: A_VOLUME_RETENTION,
  }, 'settings');
  for (const store of ['postgres', 'minio', 'redis'] as const) {
    checkProps(scope, settings[store], {}, DATA_STORE_KINDS, `settings.${store}`);
  }
  checkProps(scope, settings.prometheus, {}, {
    ...DATA_STORE_KINDS,
    storageSize: aSize({ example: 'Size.gibibytes(20)', atLeast: Size.gibibytes(1) }),
    retention: aDuration({ example: 'Duration.days(15)', atLeast: Duration.hours(1) }),
  }, 'settings.prometheus');
  checkProps(scope, settings.mlflow, {}, { ...SERVER_KINDS, replicas: aWholeNumber(2, 1, 100) }, 'settings.mlflow');
  checkProps(scope, settings.grafana, {}, SERVER_KINDS, 'settings.grafana');
  checkProps(scope, settings.airflow, {}, {
    image: anImage("'registry.example.com/airflow:3.1.8-custom'"),
    workerImage: anImage("'registry.example.com/airflow-tasks:1.0'"),
    apiServerResources: A_RESOURCES,
    schedulerResources: A_RESOURCES,
    dagProcessorResources: A_RESOURCES,
    triggererResources: A_RESOURCES,
    workerResources: A_RESOURCES,
    placement: A_PLACEMENT,
    workerPlacement: A_PLACEMENT,
  }, 'settings.airflow');
}

/** Checks `commonLabels` and the annotations by kind. */
export function checkPlatformMetadata(
  scope: IConstruct, labels: Record<string, string> | undefined, annotations: Record<string, Record<string, string>> | undefined,
): void {
  if (labels !== undefined) {
    checkArgument(scope, 'commonLabels', labels, aStringMap("{ team: 'vision' }"));
    if (Object.keys(labels).length > 0) assertLabels(scope, 'commonLabels', labels);
  }
  for (const [kind, entries] of Object.entries(annotations ?? {})) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
      throw new MlopsValidationError(scope, `annotations key '${kind}' is invalid: give an object kind as Kubernetes spells it, e.g. 'Service' or 'Ingress'`);
    }
    checkArgument(scope, `annotations.${kind}`, entries, aStringMap("{ 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' }"));
  }
}
