import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { MlopsValidationError } from '../core/errors';
import { sizeQuantity } from '../core/quantities';
import {
  PrometheusSpecResources, PrometheusSpecResourcesLimits, PrometheusSpecResourcesRequests,
} from '../imports/monitoring-prometheus-monitoring.coreos.com';

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

/** The Prometheus container's resources as the CRD takes them; cpu and memory requests and a memory limit are required. */
export function prometheusResources(scope: IConstruct, resources: kplus.ContainerResources | undefined): PrometheusSpecResources {
  const cpu = resources ? resources.cpu?.request : kplus.Cpu.millis(200);
  const memoryRequest = resources ? resources.memory?.request : Size.gibibytes(1);
  const memoryLimit = resources ? resources.memory?.limit : Size.gibibytes(2);
  if (!cpu || !memoryRequest || !memoryLimit) {
    throw new MlopsValidationError(scope, 'resources is invalid: give a cpu request, a memory request and a memory limit, '
      + 'e.g. { cpu: { request: Cpu.millis(200) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) } }');
  }
  const limits: Record<string, PrometheusSpecResourcesLimits> = { memory: PrometheusSpecResourcesLimits.fromString(sizeQuantity(memoryLimit)) };
  if (resources?.cpu?.limit) {
    limits.cpu = PrometheusSpecResourcesLimits.fromString(resources.cpu.limit.amount);
  }
  return {
    requests: {
      cpu: PrometheusSpecResourcesRequests.fromString(cpu.amount),
      memory: PrometheusSpecResourcesRequests.fromString(sizeQuantity(memoryRequest)),
    },
    limits,
  };
}
