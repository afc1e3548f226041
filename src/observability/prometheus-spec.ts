import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { MlopsValidationError } from '../core/errors';
import {
  PrometheusSpecResources, PrometheusSpecResourcesLimits, PrometheusSpecResourcesRequests,
} from '../imports/monitoring-prometheus-monitoring.coreos.com';

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Throws unless `labels` has at least one entry and every key and value is a valid Kubernetes label. */
export function assertLabels(scope: IConstruct, what: string, labels: Record<string, string>): void {
  if (Object.keys(labels).length === 0) {
    throw new MlopsValidationError(scope, `${what} is invalid: it is empty, and an empty selector matches every object; `
      + "give at least one label, e.g. { release: 'kube-prometheus-stack' }");
  }
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
    if (!LABEL_NAME.test(name) || (prefix !== undefined && !LABEL_PREFIX.test(prefix))) {
      throw new MlopsValidationError(scope, `${what} key '${key}' is invalid: give an optional DNS prefix and '/', then a name of `
        + "at most 63 letters, digits, '-', '_' or '.' that starts and ends with a letter or digit");
    }
    if (!LABEL_VALUE.test(value)) {
      throw new MlopsValidationError(scope, `${what} value '${value}' of '${key}' is invalid: give at most 63 letters, digits, `
        + "'-', '_' or '.' that start and end with a letter or digit");
    }
  }
}

/** `v3.13.2` from `quay.io/prometheus/prometheus:v3.13.2`; throws when the tag is not a version. */
export function versionOf(scope: IConstruct, image: string): string {
  const name = image.split('@')[0];
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : '';
  if (!/^v?\d+\.\d+\.\d+/.test(tag)) {
    throw new MlopsValidationError(scope, `image '${image}' is invalid without version: its tag is not a Prometheus version, `
      + "which the operator needs to generate the configuration; give version, e.g. 'v3.13.2'");
  }
  return tag;
}

/** `2Gi`, or `1536Mi` when the size is not a whole number of gibibytes. */
export function quantity(size: Size): string {
  const mebibytes = size.toMebibytes();
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`;
}

/** The Prometheus container's resources as the CRD takes them; cpu and memory requests and a memory limit are required. */
export function prometheusResources(scope: IConstruct, resources: kplus.ContainerResources | undefined): PrometheusSpecResources {
  const cpu = resources ? resources.cpu?.request : kplus.Cpu.millis(200);
  const memoryRequest = resources ? resources.memory?.request : Size.gibibytes(1);
  const memoryLimit = resources ? resources.memory?.limit : Size.gibibytes(2);
  if (!cpu || !memoryRequest || !memoryLimit) {
    throw new MlopsValidationError(scope, 'resources is invalid: give a cpu request, a memory request and a memory limit, '
      + 'e.g. { cpu: { request: Cpu.millis(200) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) } }');
  }
  const limits: Record<string, PrometheusSpecResourcesLimits> = { memory: PrometheusSpecResourcesLimits.fromString(quantity(memoryLimit)) };
  if (resources?.cpu?.limit) {
    limits.cpu = PrometheusSpecResourcesLimits.fromString(resources.cpu.limit.amount);
  }
  return {
    requests: {
      cpu: PrometheusSpecResourcesRequests.fromString(cpu.amount),
      memory: PrometheusSpecResourcesRequests.fromString(quantity(memoryRequest)),
    },
    limits,
  };
}
