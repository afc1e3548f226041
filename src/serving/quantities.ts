import * as kplus from 'cdk8s-plus-28';

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
