import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { checkCidr } from '../core/address';
import { MlopsValidationError } from '../core/errors';
import { aCidr } from '../core/prop-kinds';

/** The namespace of a multi-cluster platform's charts unless given. */
export const DEFAULT_CLUSTER_NAMESPACE = 'mlops';

const EXTERNAL_TYPES = [kplus.ServiceType.LOAD_BALANCER, kplus.ServiceType.NODE_PORT];

const EGRESS_EXAMPLE = '198.51.100.0/24';
/** The kind of the CIDRs other clusters' traffic comes from (`egressCidr`, `federatedFrom`). */
export const AN_EGRESS_CIDR = aCidr(EGRESS_EXAMPLE);

/**
 * `cidr`, the addresses other clusters' traffic comes from, given as `what`: required, because a default would admit
 * every address to what `admits` says (`'each serving cluster admits only ... to ...'`); '0.0.0.0/0' only when given.
 */
export function requireCidr(scope: IConstruct, what: string, cidr: string | undefined, admits: string): string {
  if (cidr === undefined) {
    throw new MlopsValidationError(scope, `${what} is missing: ${admits}; give them as an IPv4 CIDR, e.g. '${EGRESS_EXAMPLE}', `
      + "or '0.0.0.0/0' explicitly to admit any address");
  }
  // The kind's check, for callers whose props are not checked with AN_EGRESS_CIDR (a PrimaryCluster made directly).
  return checkCidr(scope, what, cidr, EGRESS_EXAMPLE);
}

/** Refuses a Service type other clusters cannot reach, and a NodePort outside the default range. */
export function assertExternalServiceType(scope: IConstruct, what: string, type: kplus.ServiceType, port: number): void {
  if (!EXTERNAL_TYPES.includes(type)) {
    throw new MlopsValidationError(scope, `${what} '${type}' is invalid: other clusters cannot reach a ${type} Service; use kplus.ServiceType.LOAD_BALANCER or kplus.ServiceType.NODE_PORT`);
  }
  if (type === kplus.ServiceType.NODE_PORT && (!Number.isInteger(port) || port < 30000 || port > 32767)) {
    throw new MlopsValidationError(scope, `${what} NodePort with endpoint port '${port}' is invalid: the endpoint's port is the NodePort, a whole number from 30000 to 32767`);
  }
}

/**
 * Keeps the client's address on traffic through a LoadBalancer or NodePort Service (`externalTrafficPolicy: Local`),
 * so that a NetworkPolicy `ipBlock` of the other cluster matches it instead of the address of the node that forwarded
 * it; with a NodePort, `port` becomes the node port.
 */
export function preserveClientAddress(service: kplus.Service, type: kplus.ServiceType, port: number): void {
  const apiObject = ApiObject.of(service);
  apiObject.addJsonPatch(JsonPatch.add('/spec/externalTrafficPolicy', 'Local'));
  if (type === kplus.ServiceType.NODE_PORT) {
    apiObject.addJsonPatch(JsonPatch.add('/spec/ports/0/nodePort', port));
  }
}

const sourceRanges = new WeakMap<kplus.Service, string[]>();

/**
 * Limits a LoadBalancer Service to `cidr` (and the CIDRs given before) at the load balancer too
 * (`loadBalancerSourceRanges`, which cloud providers turn into firewall rules), besides the NetworkPolicy behind it.
 * A NodePort Service has no such field: its NetworkPolicy alone admits the callers.
 */
export function limitSourceRanges(service: kplus.Service, type: kplus.ServiceType, cidr: string): void {
  if (type !== kplus.ServiceType.LOAD_BALANCER) {
    return;
  }
  const ranges = sourceRanges.get(service);
  if (ranges?.includes(cidr)) {
    return;
  }
  const apiObject = ApiObject.of(service);
  if (ranges) {
    ranges.push(cidr);
    apiObject.addJsonPatch(JsonPatch.add('/spec/loadBalancerSourceRanges/-', cidr));
  } else {
    sourceRanges.set(service, [cidr]);
    apiObject.addJsonPatch(JsonPatch.add('/spec/loadBalancerSourceRanges', [cidr]));
  }
}
