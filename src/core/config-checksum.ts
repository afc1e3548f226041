import { createHash } from 'node:crypto';

/**
 * The pod annotation that rolls a workload's pods when the configuration they read from a ConfigMap or Secret changes
 * (a mounted file changes in place, but the process read it at start): a sha256 of `content`, a text or a JSON value.
 */
export function configChecksum(content: string | object): Record<string, string> {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  return { 'mlops.cdk8s.io/config-checksum': createHash('sha256').update(text).digest('hex') };
}
