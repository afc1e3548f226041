import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { MlopsValidationError } from '../core/errors';

/** The namespace of a multi-cluster platform's charts unless given. */
export const DEFAULT_CLUSTER_NAMESPACE = 'mlops';

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const EXTERNAL_TYPES = [kplus.ServiceType.LOAD_BALANCER, kplus.ServiceType.NODE_PORT];

/** Refuses anything but an IPv4 CIDR such as `10.20.0.0/16`. */
export function assertCidr(scope: IConstruct, what: string, cidr: string): void {
  const parts = CIDR.exec(cidr);
  if (!parts || parts.slice(1, 5).some((octet) => Number(octet) > 255) || Number(parts[5]) > 32) {
    throw new MlopsValidationError(scope, `${what} '${cidr}' is invalid: give an IPv4 CIDR, e.g. '10.20.0.0/16' (or '0.0.0.0/0' for anywhere)`);
  }
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
