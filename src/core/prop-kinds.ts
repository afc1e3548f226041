import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { checkCidr, checkGitUrl, checkHost, checkPort, checkUrl, UrlCheckOptions } from './address';
import { checkStorageClassName } from './data-volume';
import { checkEnvVarName } from './env-vars';
import { MlopsValidationError } from './errors';
import { dnsLabelProblems, dnsSubdomainProblems } from './names';
import { checkPromql } from './promql-syntax';
import { aNumber, anInstanceOf, aString, BadValue, PropKind } from './props-check';
import { checkRe2 } from './re2-syntax';
import { SecretSource } from './secret-source';
import { assertWholeNumber, wholeNumberRange } from './whole-number';

// The kinds of values props hold, each with its one check (the core checks of addresses, names, numbers and code)
// and the plausible mistakes it refuses. A prop declared with one of these in `checkProps` is checked where it enters,
// and test/architecture/bad-values.test.ts gives it every bad value of its kind without a test of its own.

function strings(...values: string[]): BadValue[] {
  return values.map((value) => ({ value, shown: value }));
}

function numbers(...values: number[]): BadValue[] {
  return [...new Set(values)].map((value) => ({ value, shown: String(value) }));
}

/** A string with `check`, refusing `badValues`. */
function aCheckedString(description: string, example: string, check: PropKind['check'], badValues: BadValue[]): PropKind {
  return { ...aString(example), description, check, badValues };
}

/** An RFC 1123 DNS label: names that become Service, Namespace or database names. */
export function aDnsLabel(example: string, maxLength: number = 63): PropKind {
  return aCheckedString(`a DNS label (lowercase letters, digits and '-', at most ${maxLength})`, example, (where, what, value: string) => {
    const problems = dnsLabelProblems(value, maxLength);
    if (problems.length > 0) {
      throw new MlopsValidationError(where, `${what} '${value}' is invalid: ${problems.join('; ')}; give e.g. ${example}`);
    }
  }, strings('My_Name', 'name.v2', '-name', 'name ', 'x'.repeat(maxLength + 1), ''));
}

/** A Kubernetes namespace: a DNS label. */
export function aNamespace(example: string): PropKind {
  return aDnsLabel(example);
}

/** The name of a Kubernetes object most kinds take (a Secret, a StorageClass, a PriorityClass): a DNS subdomain. */
export function anObjectName(example: string): PropKind {
  return aCheckedString("an object name (lowercase letters, digits, '-' and '.')", example, (where, what, value: string) => {
    const problems = dnsSubdomainProblems(value);
    if (problems.length > 0) {
      throw new MlopsValidationError(where, `${what} '${value}' is invalid: ${problems.join('; ')}; give e.g. ${example}`);
    }
  }, strings('My_Secret', '-secret', 'a secret', 'x'.repeat(254), ''));
}

/** The name of a StorageClass. */
export const A_STORAGE_CLASS_NAME: PropKind = aCheckedString('a StorageClass name', "'fast-ssd'", checkStorageClassName, strings('Fast SSD', 'fast_ssd', '-fast', ''));

/** A DNS name, or (unless `ipAddress` is false) an IP address; `example` without quotes. */
export function aHost(example: string, ipAddress: boolean = true): PropKind {
  const bad = strings(`https://${example}`, `${example}:8443`, `${example} `, `${example}\n`, `${example}/path`, `user@${example}`, '');
  return aCheckedString(ipAddress ? 'a host name or IP address' : 'a DNS name', `'${example}'`,
    (where, what, value) => checkHost(where, what, value, { example, ipAddress }),
    ipAddress ? bad : [...bad, ...strings('10.20.0.7')]);
}

/** A DNS name a certificate is valid for: `*` may be its first label (`*.example.com`); no IP address. */
export function aCertificateDnsName(example: string): PropKind {
  return aCheckedString("a DNS name (optionally '*.' and a domain)", `'${example}'`,
    (where, what, value) => checkHost(where, what, value, { example, ipAddress: false, wildcard: true }),
    strings(`https://${example}`, `${example}:8443`, `${example} `, `*.*.${example}`, `api.*.${example}`, `*${example}`, '10.20.0.7', '*.10.20.0.7', ''));
}

/** A TCP port; `defaultPort`, when the prop has one, is named in the message. */
export function aPort(defaultPort?: number): PropKind {
  return { ...aNumber(String(defaultPort ?? 443)), description: 'a port (1-65535)', check: (where, what, value) => checkPort(where, what, value, defaultPort), badValues: numbers(0, -1, 70000, 80.5) };
}

/** An absolute URL with one of the `options.schemes`; `options.example` without quotes. */
export function aUrl(options: UrlCheckOptions): PropKind {
  const url = new URL(options.example);
  const host = url.host;
  const bad = strings(host + url.pathname, options.example.replace(/^[a-z]+:/, 'ftp:'), `${url.protocol}//${url.hostname}:70000${url.pathname}`,
    `${options.example} `, `${options.example}\n`, ` ${options.example}`);
  // A message never shows the credentials, only where they were.
  if (!options.credentials) bad.push({ value: `${url.protocol}//user:secret@${host}${url.pathname}`, shown: `${url.protocol}//***@${host}${url.pathname}` });
  if (!options.query) bad.push(...strings(`${options.example}?debug=1`));
  return aCheckedString(`a URL (${options.schemes.join(' or ')})`, `'${options.example}'`, (where, what, value) => checkUrl(where, what, value, options), bad);
}

/**
 * A Git repository: an https:// URL or an SSH address; `example` is an https:// URL without quotes; `credentialsFix`
 * says where credentials go instead of the URL, e.g. `use GitAuth.https(credentials)`.
 */
export function aGitUrl(example: string, credentialsFix?: string): PropKind {
  return aCheckedString('a Git repository URL', `'${example}'`, (where, what, value) => checkGitUrl(where, what, value, example, credentialsFix),
    [...strings(example.replace(/^https:\/\//, ''), 'https://github.com', example.replace(/^https:/, 'ftp:'), `${example} `),
      { value: example.replace('://', '://user:token@'), shown: example.replace('://', '://***@') }]);
}

/** A whole number from `min` to `max`; `hint` (by default an example) is added to the message. */
export function aWholeNumber(example: number, min: number, max: number, hint: string = `, e.g. ${example}`): PropKind {
  return {
    ...aNumber(String(example)),
    description: `a whole number ${wholeNumberRange(min, max)}`,
    check: (where, what, value) => assertWholeNumber(where, what, value, min, max, hint),
    badValues: numbers(min - 1, ...(Number.isFinite(max) && max < 1e6 ? [max + 1] : []), min + 0.5, -1),
  };
}

/** A whole number of percent, from `min` to `max` (by default 0 to 100). */
export function aPercentage(example: number, min: number = 0, max: number = 100): PropKind {
  return aWholeNumber(example, min, max, ` (percent), e.g. ${example}`);
}

/** A share from more than 0 to 1; `of` says of what, e.g. `requests traced`. */
export function aShare(example: number, of: string): PropKind {
  return {
    ...aNumber(String(example)),
    description: 'a share, more than 0 and at most 1',
    check: (where, what, value: number) => {
      if (!(value > 0 && value <= 1)) {
        throw new MlopsValidationError(where, `${what} '${value}' is invalid: give the share of ${of}, more than 0 and at most 1, e.g. ${example}`);
      }
    },
    badValues: numbers(0, -0.5, 1.5, 50),
  };
}

/** A PromQL expression; `grafana` allows Grafana's range variables (`$__rate_interval`). */
export function aPromql(example: string, grafana: boolean = false): PropKind {
  return aCheckedString('a PromQL expression', `'${example}'`, (where, what, value) => checkPromql(where, what, value, { grafana }),
    strings('rate(http_requests_total[5m]', 'sum by model (up)', 'up{job="a}', 'up >'));
}

/** A Go RE2 regular expression, matched against the whole value. */
export function aRegex(example: string): PropKind {
  return aCheckedString('a regular expression (Go RE2)', `'${example}'`, checkRe2, strings('(model', 'model-(?=a)', '*', '[a-'));
}

/** An env var name: letters, digits and '_', not starting with a digit. */
export function anEnvVarName(example: string): PropKind {
  return aCheckedString('an env var name', `'${example}'`, (where, what, value) => checkEnvVarName(where, what, value, example), strings('1_URI', 'MY-URI', 'MY URI', ''));
}

/** An IPv4 CIDR, e.g. `10.20.0.0/16`. */
export function aCidr(example: string): PropKind {
  return aCheckedString('an IPv4 CIDR', `'${example}'`, (where, what, value) => checkCidr(where, what, value, example),
    strings('10.20.0.7', '10.20.0.0/33', '300.1.0.0/16', 'any', '10.20.0.0/16 ', ''));
}

/** Options of `aSize`. */
interface SizeKindOptions {
  /** An example for the message, e.g. `Size.gibibytes(10)`. */
  readonly example: string;
  /** The least size the prop accepts. */
  readonly atLeast: Size;
  /** The unit the size must be a whole number of (PersistentVolumeClaims are written in Gi). @default - none */
  readonly wholeGibibytes?: boolean;
}

/** A cdk8s `Size` of at least `atLeast`; cdk8s' own conversion errors are reported with the construct and the prop. */
export function aSize(options: SizeKindOptions): PropKind {
  const least = options.atLeast.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  const whole = options.wholeGibibytes ? 'a whole number of gibibytes, ' : '';
  const bad: BadValue[] = [{ value: Size.gibibytes(0), shown: '0Gi' }, { value: Size.gibibytes(NaN), shown: 'NaNGi' }];
  if (options.wholeGibibytes) bad.push({ value: Size.mebibytes(1536), shown: '1536Mi' });
  return {
    ...anInstanceOf(Size, options.example),
    check: (where, what, value: Size) => {
      const kibibytes = value.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
      const gibibytes = value.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
      if (!(kibibytes >= least) || (options.wholeGibibytes && !Number.isInteger(gibibytes))) {
        throw new MlopsValidationError(where, `${what} '${value.asString()}' is invalid: must be ${whole}at least ${options.atLeast.asString()}; e.g. ${options.example}`);
      }
    },
    badValues: bad,
  };
}

/** The size of a PersistentVolumeClaim: a whole number of gibibytes (kplus writes it as `<n>Gi`), at least 1Gi. */
export function aClaimSize(example: string): PropKind {
  return aSize({ example, atLeast: Size.gibibytes(1), wholeGibibytes: true });
}

/** Options of `aDuration`. */
interface DurationKindOptions {
  /** An example for the message, e.g. `Duration.minutes(5)`. */
  readonly example: string;
  /** The least duration the prop accepts. */
  readonly atLeast: Duration;
  /** Whether a fraction of a second is refused (the place takes seconds). @default true */
  readonly wholeSeconds?: boolean;
  /** Whether a fraction of an hour is refused (the place writes hours, e.g. cert-manager's `2160h`). @default false */
  readonly wholeHours?: boolean;
  /** Why the prop needs at least `atLeast`, when the construct has its own reason, e.g. `a CA that expires sooner churns ...`. */
  readonly reason?: string;
  /** What a zero duration does, when the prop accepts one besides `atLeast` and more, e.g. `turns culling off`. @default - refused */
  readonly zero?: string;
}

/**
 * A cdk8s `Duration` of at least `atLeast` (or zero, with `zero`), in whole seconds unless `wholeSeconds` is false, in
 * whole hours with `wholeHours`.
 */
export function aDuration(options: DurationKindOptions): PropKind {
  const least = options.atLeast.toMilliseconds();
  const wholeSeconds = options.wholeSeconds ?? true;
  const unit = options.wholeHours ? 3_600_000 : wholeSeconds ? 1000 : 1;
  const unitName = options.wholeHours ? 'whole hours, ' : wholeSeconds ? 'whole seconds, ' : '';
  const bad: BadValue[] = [{ value: Duration.seconds(NaN), shown: 'NaN' }];
  if (options.zero === undefined) bad.unshift({ value: Duration.seconds(0), shown: '0 seconds' });
  if (options.wholeHours) {
    const fraction = Duration.minutes(options.atLeast.toMinutes({ integral: false }) + 90);
    bad.push({ value: fraction, shown: fraction.toHumanString() });
  } else if (wholeSeconds) {
    bad.push({ value: Duration.millis(1500), shown: '1 second 500 millis' });
  }
  const zero = options.zero === undefined ? '' : ` (or 0, which ${options.zero})`;
  return {
    ...anInstanceOf(Duration, options.example),
    check: (where, what, value: Duration) => {
      const ms = value.toMilliseconds({ integral: false });
      if (options.zero !== undefined && ms === 0) return;
      if (!(ms >= least) || ms % unit !== 0) {
        // cdk8s cannot render a NaN duration; its own error would not name the construct.
        const shown = Number.isFinite(ms) ? value.toHumanString() : String(ms);
        throw new MlopsValidationError(where, `${what} '${shown}' is invalid: must be ${unitName}at least `
          + `${options.atLeast.toHumanString()}${options.reason ? ` (${options.reason})` : ''}${zero}; e.g. ${options.example}`);
      }
    },
    badValues: bad,
  };
}

/** A `SecretSource` (not a Secret's name or a plain object). */
export const A_SECRET_SOURCE: PropKind = {
  ...anInstanceOf(SecretSource, "SecretSource.fromSecret(kplus.Secret.fromSecretName(this, 'Credentials', 'my-credentials'))"),
  badValues: [{ value: 'my-credentials', shown: '"my-credentials"' }, { value: { secretName: 'my-credentials' }, shown: 'a plain object' }],
};
