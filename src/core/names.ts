import { isIP, isIPv4 } from 'node:net';
import { IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Whether `value` is a bare host name or IP address: no scheme, port, path or credentials. */
export function isHostOrIp(value: string): boolean {
  // All digits and dots can only be an IPv4 address; '999.1.1.1' is not a host name either.
  return /^[0-9.]+$/.test(value) ? isIPv4(value) : isIP(value) !== 0 || HOST_NAME.test(value);
}

/** Whether `value` is a TCP port number. */
export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/**
 * Problems with `value` as an RFC 1123 DNS label (names of Services, databases turned into object names, ...).
 * Returns every problem found, so that one message can list them all.
 */
export function dnsLabelProblems(value: string, maxLength = 63): string[] {
  const problems: string[] = [];
  if (value.length === 0) {
    return ['must not be empty'];
  }
  if (value.length > maxLength) {
    problems.push(`must be at most ${maxLength} characters (has ${value.length})`);
  }
  if (/[^a-z0-9-]/.test(value)) {
    problems.push("must contain only lowercase letters, digits and '-'");
  }
  if (!DNS_LABEL.test(value) && /^[a-z0-9-]*$/.test(value)) {
    problems.push('must start and end with a letter or digit');
  }
  return problems;
}

/** Problems with `value` as an S3 bucket name (AWS "Bucket naming rules", which MinIO enforces too). */
export function bucketNameProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length < 3 || value.length > 63) {
    problems.push(`must be 3-63 characters long (has ${value.length})`);
  }
  if (/[^a-z0-9.-]/.test(value)) {
    problems.push("must contain only lowercase letters, digits, '.' and '-'");
  }
  // Case is reported by the character rule above; this one is only about a leading or trailing '.' or '-'.
  if (value.length > 0 && !/^[A-Za-z0-9](.*[A-Za-z0-9])?$/.test(value)) {
    problems.push('must start and end with a letter or digit');
  }
  if (value.includes('..')) {
    problems.push("must not contain two adjacent periods '..'");
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) {
    problems.push('must not be formatted as an IP address');
  }
  if (value.startsWith('xn--') || value.startsWith('sthree-')) {
    problems.push("must not start with the reserved prefixes 'xn--' or 'sthree-'");
  }
  if (value.endsWith('-s3alias') || value.endsWith('--ol-s3')) {
    problems.push("must not end with the reserved suffixes '-s3alias' or '--ol-s3'");
  }
  return problems;
}

/**
 * Throws one error listing every problem of `value`, e.g.
 * `MinioWithBuckets 'app/Minio': bucket name 'My_Bucket' is invalid: must contain only lowercase letters, ...`.
 */
export function assertValid(scope: IConstruct, what: string, value: string, problems: string[]): void {
  if (problems.length > 0) {
    throw new MlopsValidationError(scope, `${what} '${value}' is invalid: ${problems.join('; ')}`);
  }
}

/** Validates a name that becomes (part of) a Kubernetes object name or DNS label. */
export function assertDnsLabel(scope: IConstruct, what: string, value: string, maxLength = 63): void {
  assertValid(scope, what, value, dnsLabelProblems(value, maxLength));
}

/**
 * The Prometheus `cluster` label of a platform construct: `clusterName`, or else the construct's id lower-cased.
 * Throws when it is not a DNS label.
 */
export function clusterNameOf(scope: IConstruct, clusterName: string | undefined): string {
  const name = clusterName ?? scope.node.id.toLowerCase();
  const problems = dnsLabelProblems(name);
  if (problems.length > 0) {
    throw new MlopsValidationError(scope, `clusterName '${name}' is invalid: ${problems.join('; ')}`
      + `${clusterName === undefined ? " (it defaults to the construct's id, lower-cased); give clusterName" : "; give e.g. 'serving-eu'"}`);
  }
  return name;
}

/** Problems with `value` as an RFC 1123 DNS subdomain (most object names: Secrets, PriorityClasses, ...). */
export function dnsSubdomainProblems(value: string): string[] {
  if (value.length === 0) {
    return ['must not be empty'];
  }
  const problems: string[] = [];
  if (value.length > 253) {
    problems.push(`must be at most 253 characters (has ${value.length})`);
  }
  if (!LABEL_PREFIX.test(value)) {
    problems.push("must be lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit");
  }
  return problems;
}

/** Validates an S3 bucket name. */
export function assertBucketName(scope: IConstruct, value: string): void {
  assertValid(scope, 'bucket name', value, bucketNameProblems(value));
}

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

/** What Airflow accepts as a DAG id: its `KEY_REGEX` (`^[\w.-]+$`, ASCII here) and its `ID_LEN`. */
export const DAG_ID = /^[A-Za-z0-9_.-]{1,250}$/;
