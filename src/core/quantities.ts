import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';
import { assertWholeNumber } from './whole-number';

/** The extended resource GPUs are requested as unless a component is told otherwise (NVIDIA's device plugin). */
export const DEFAULT_GPU_RESOURCE = 'nvidia.com/gpu';
/** `<vendor domain>/<name>`, as device plugins register them: `nvidia.com/gpu`, `amd.com/gpu`, `gpu.intel.com/i915`. */
const EXTENDED_RESOURCE = /^(?=.{1,253}\/)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+\/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Resource requests and limits as Kubernetes quantity strings. */
export interface Quantities {
  readonly requests: Record<string, string>;
  readonly limits: Record<string, string>;
}

/**
 * kplus resources as quantity maps (memory in Mi, ephemeral storage in Gi, as kplus writes them), plus extended
 * resources such as GPUs, which Kubernetes takes as limits only.
 */
export function quantities(resources: kplus.ContainerResources, extendedLimits: Record<string, string> = {}): Quantities {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  set(requests, limits, 'cpu', resources.cpu?.request?.amount, resources.cpu?.limit?.amount);
  set(requests, limits, 'memory', mebibytes(resources.memory?.request), mebibytes(resources.memory?.limit));
  set(requests, limits, 'ephemeral-storage', gibibytes(resources.ephemeralStorage?.request), gibibytes(resources.ephemeralStorage?.limit));
  return { requests, limits: { ...limits, ...extendedLimits } };
}

/**
 * The limits that ask for `count` GPUs of `resourceName` (none for 0). Kubernetes takes extended resources as limits
 * only; the scheduler then places the pod on a node whose device plugin offers them.
 */
export function gpuLimits(scope: IConstruct, count: number = 0, resourceName: string = DEFAULT_GPU_RESOURCE): Record<string, string> {
  assertWholeNumber(scope, 'gpus', count, 0, 64);
  if (!EXTENDED_RESOURCE.test(resourceName)) {
    throw new MlopsValidationError(scope, `gpuResourceName '${resourceName}' is invalid: must be a vendor's extended resource, `
      + "a domain, '/' and a name, as its device plugin registers it, e.g. 'nvidia.com/gpu' or 'amd.com/gpu'");
  }
  return count > 0 ? { [resourceName]: `${count}` } : {};
}

/** A kplus cpu amount (`500m`, `2`, `0.5`) in millicores; 0 for none. */
export function cpuMillis(cpu: kplus.Cpu | undefined): number {
  if (!cpu) {
    return 0;
  }
  const amount = cpu.amount;
  return amount.endsWith('m') ? Number(amount.slice(0, -1)) : Math.round(Number(amount) * 1000);
}

/** `2Gi`, or `1536Mi` when the size is not a whole number of gibibytes. */
export function sizeQuantity(size: Size): string {
  const inMebibytes = size.toMebibytes();
  return inMebibytes % 1024 === 0 ? `${inMebibytes / 1024}Gi` : `${inMebibytes}Mi`;
}

/** `values` with each value turned into the L1 class of a quantity. */
export function quantityMap<T>(values: Record<string, string>, make: (value: string) => T): { [key: string]: T } | undefined {
  const entries = Object.entries(values);
  return entries.length > 0 ? Object.fromEntries(entries.map(([key, value]) => [key, make(value)])) : undefined;
}

function set(requests: Record<string, string>, limits: Record<string, string>, name: string, request?: string, limit?: string): void {
  if (request !== undefined) requests[name] = request;
  if (limit !== undefined) limits[name] = limit;
}

function mebibytes(size: { toMebibytes(): number } | undefined): string | undefined {
  return size ? `${size.toMebibytes()}Mi` : undefined;
}

function gibibytes(size: { toGibibytes(): number } | undefined): string | undefined {
  return size ? `${size.toGibibytes()}Gi` : undefined;
}
