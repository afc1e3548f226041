import { IConstruct } from 'constructs';
import { MlopsValidationError } from './errors';
import { isHostOrIp, isPort } from './names';

// The one check of every value that names a place on the network: a host, a port, `host:port`, a URL. Each throws an
// MlopsValidationError that names the prop, the value and the fix, with an example fit for the prop.

type Where = IConstruct | string;

/** Quotes a value for a message: whitespace and control characters made visible. */
function quoted(value: unknown): string {
  return typeof value === 'string' ? `'${JSON.stringify(value).slice(1, -1)}'` : JSON.stringify(value) ?? String(value);
}

/** `text` with the user and password of a URL (`https://user:token@host`) hidden (`https://***@host`): messages never show a secret. */
function withoutUserinfo(text: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
    ? text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@')
    // Without a scheme, only `user:password@` (an scp-like `git@host:path` names no secret).
    : text.replace(/^[^/?#@:]*:[^/?#@]*@/, '***@');
}

function requireString(where: Where, what: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new MlopsValidationError(where, `${what} is invalid: expected ${example.includes('://') ? 'a URL' : 'a host name'}, got ${quoted(value)}; give e.g. '${example}'`);
  }
  return value;
}

/** Options of `checkHost`. */
export interface HostCheckOptions {
  /** An example for the message, e.g. `minio.example.com`. */
  readonly example: string;
  /** Whether an IP address is accepted. @default true */
  readonly ipAddress?: boolean;
  /** Whether the first label may be `*` (a certificate's wildcard name, `*.example.com`). @default false */
  readonly wildcard?: boolean;
}

/** A DNS name (or, unless `ipAddress: false`, an IP address): no scheme, credentials, port, path or whitespace. */
export function checkHost(where: Where, what: string, value: unknown, options: HostCheckOptions): string {
  const host = requireString(where, what, value, options.example);
  const name = options.wildcard && host.startsWith('*.') ? host.slice(2) : host;
  const ip = /^[0-9.]+$/.test(name) || name.includes(':');
  if (!isHostOrIp(name) || (ip && (options.ipAddress === false || name !== host))) {
    const kind = `${options.ipAddress === false ? 'a DNS name' : 'a DNS name or an IP address'}${options.wildcard ? " (optionally '*.' and a domain)" : ''}`;
    throw new MlopsValidationError(where, `${what} ${quoted(host)} is invalid: must be ${kind}, without a scheme, credentials, port, `
      + `path or whitespace, e.g. '${options.example}'`);
  }
  return host;
}

/** A TCP port: a whole number from 1 to 65535. `defaultPort`, when the prop has one, is named in the message. */
export function checkPort(where: Where, what: string, value: unknown, defaultPort?: number): number {
  if (typeof value !== 'number' || !isPort(value)) {
    const fix = defaultPort === undefined ? 'e.g. 443' : `or leave it out for ${defaultPort}`;
    throw new MlopsValidationError(where, `${what} ${quoted(value)} is invalid: must be a whole number from 1 to 65535, ${fix}`);
  }
  return value;
}

/** `host:port`, e.g. a Kafka bootstrap server. */
export function checkHostPort(where: Where, what: string, value: unknown, example: string): { host: string; port: number } {
  const text = requireString(where, what, value, example);
  const colon = text.lastIndexOf(':');
  const host = colon > 0 ? text.slice(0, colon) : '';
  const portText = colon > 0 ? text.slice(colon + 1) : '';
  if (!isHostOrIp(host) || !/^\d{1,5}$/.test(portText) || !isPort(Number(portText))) {
    throw new MlopsValidationError(where, `${what} ${quoted(text)} is invalid: must be host:port, a DNS name or an IP address and a port `
      + `from 1 to 65535, without a scheme or whitespace, e.g. '${example}'`);
  }
  return { host, port: Number(portText) };
}

/** Options of `checkUrl`. */
export interface UrlCheckOptions {
  /** The schemes the place accepts, without `://`, e.g. `['http', 'https']`. */
  readonly schemes: string[];
  /** An example for the message. */
  readonly example: string;
  /** Whether `user:password@` may be part of the URL (it is written into the manifests as it is). @default false */
  readonly credentials?: boolean;
  /** Whether a query or a fragment may be part of the URL. @default false */
  readonly query?: boolean;
}

/** An absolute URL with one of `schemes`, a valid host, a port from 1 to 65535 if any, and no whitespace. */
export function checkUrl(where: Where, what: string, value: unknown, options: UrlCheckOptions): URL {
  const text = requireString(where, what, value, options.example);
  const invalid = (why: string): MlopsValidationError => new MlopsValidationError(where, `${what} ${quoted(withoutUserinfo(text))} is invalid: ${why}, e.g. '${options.example}'`);
  if (/\s/.test(text)) {
    throw invalid('must not contain whitespace or line breaks');
  }
  const absolute = `must be an absolute URL (${options.schemes.map((scheme) => `${scheme}://`).join(' or ')}host[:port][/path])`;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw invalid(absolute);
  }
  const port = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/i.exec(text)?.[1];
  if (port !== undefined && !isPort(Number(port))) {
    throw invalid(`its port must be from 1 to 65535, not ${port}`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(absolute);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!options.schemes.includes(scheme)) {
    throw invalid(`its scheme must be ${options.schemes.map((s) => `'${s}'`).join(' or ')}, not '${scheme}'`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!isHostOrIp(host)) {
    throw invalid(`its host '${url.hostname}' must be a DNS name or an IP address`);
  }
  if (!options.credentials && (url.username !== '' || url.password !== '')) {
    throw invalid('must not carry credentials (user:password@), which would be written into the manifests; give them as a Secret');
  }
  if (!options.query && (url.search !== '' || url.hash !== '')) {
    throw invalid('must not have a query or a fragment');
  }
  return url;
}

const SCP_LIKE_GIT = /^([A-Za-z0-9._-]+)@([^:/\s]+):([^\s/][^\s]*)$/;

/**
 * A Git repository address: an `https://` (or `http://`) URL without credentials, an `ssh://` URL, or an SSH address
 * in scp form (`git@github.com:org/repo.git`). Returns how it is reached. `credentialsFix` says where credentials go
 * instead of the URL.
 */
export function checkGitUrl(where: Where, what: string, value: unknown, example: string, credentialsFix: string = 'give them as a Secret'): 'https' | 'ssh' {
  const text = requireString(where, what, value, example);
  const scp = SCP_LIKE_GIT.exec(text);
  if (scp) {
    checkHost(where, `${what} host`, scp[2], { example: 'github.com' });
    return 'ssh';
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new MlopsValidationError(where, `${what} ${quoted(withoutUserinfo(text))} is invalid: must be an https:// URL (e.g. '${example}') or an SSH address `
      + `(e.g. '${example.replace(/^https:\/\/([^/]+)\//, 'git@$1:')}')`);
  }
  if (/^https?:\/\/[^/?#]*@/i.test(text)) {
    throw new MlopsValidationError(where, `${what} ${quoted(withoutUserinfo(text))} is invalid: must not carry credentials, which would be written into `
      + `the manifests; ${credentialsFix}, e.g. '${example}'`);
  }
  const url = checkUrl(where, what, text, { schemes: ['https', 'http', 'ssh'], example, credentials: text.startsWith('ssh://') });
  if (url.pathname === '/' || url.pathname === '') {
    throw new MlopsValidationError(where, `${what} ${quoted(withoutUserinfo(text))} is invalid: it names no repository (the path is empty), e.g. '${example}'`);
  }
  return url.protocol === 'ssh:' ? 'ssh' : 'https';
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** An IPv4 CIDR such as `10.20.0.0/16`. */
export function checkCidr(where: Where, what: string, value: unknown, example: string): string {
  const parts = typeof value === 'string' ? CIDR.exec(value) : null;
  if (!parts || parts.slice(1, 5).some((octet) => Number(octet) > 255) || Number(parts[5]) > 32) {
    throw new MlopsValidationError(where, `${what} ${quoted(value)} is invalid: give an IPv4 CIDR, e.g. '${example}' (or '0.0.0.0/0' for anywhere)`);
  }
  return value as string;
}
