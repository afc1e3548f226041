import { IConstruct } from 'constructs';
import { checkGitUrl } from '../core/address';
import { MlopsValidationError } from '../core/errors';

/** The git-sync options checked before anything is synthesized. */
export interface GitOptionsToCheck {
  readonly ref?: string;
  readonly subPath?: string;
  readonly period?: string;
  readonly depth?: number;
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const MILLIS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `ssh` for an SSH address, `https` for an http(s) URL, undefined for anything else. */
export function gitRepositoryProtocol(repository: string): 'ssh' | 'https' | undefined {
  try {
    return checkGitUrl('git', 'repository', repository, 'https://github.com/org/dags.git');
  } catch {
    return undefined;
  }
}

/** Throws for the first invalid option, naming the value and the fix. */
export function assertGitOptions(scope: IConstruct, options: GitOptionsToCheck): void {
  const fail = (what: string, value: unknown, problem: string) => {
    throw new MlopsValidationError(scope, `dags ${what} '${value}' is invalid: ${problem}`);
  };
  const { ref, subPath, period, depth } = options;
  if (ref !== undefined && !isGitRef(ref)) {
    fail('ref', ref, "must be a branch, tag or commit hash: no spaces, none of ~ ^ : ? * [ \\, no '..' or '@{', not starting with '-' (git would "
      + "read it as an option), not starting or ending with '/' or '.'; e.g. 'main' or 'v1.2.0'");
  }
  if (subPath !== undefined && (subPath.startsWith('/') || subPath.split('/').some((part) => part === '..' || part === '.') || /[\s\\]/.test(subPath))) {
    fail('subPath', subPath, "must be a relative folder of the repository or volume without '.' or '..' segments or spaces, e.g. 'dags' or 'teams/forecasting'");
  }
  if (period !== undefined && !(goDurationMillis(period) >= 10)) {
    fail('period', period, "must be a Go duration of at least 10ms, e.g. '60s' or '1m30s'");
  }
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 0)) {
    fail('depth', depth, 'must be a whole number, at least 0 (0 fetches the whole history); e.g. 1');
  }
}

/** The rules of `git check-ref-format` that matter here; `HEAD` and hashes pass. */
function isGitRef(ref: string): boolean {
  return ref.length > 0
    && !ref.startsWith('-')
    && !/[\s~^:?*[\\\x00-\x1f\x7f]/.test(ref)
    && !ref.includes('..')
    && !ref.includes('@{')
    && !/^[/.]|[/.]$/.test(ref)
    && !ref.endsWith('.lock')
    && !ref.includes('//');
}

/** The length of a Go duration (`1m30s`) in milliseconds, or NaN when it is not one. */
function goDurationMillis(value: string): number {
  const parts = [...value.matchAll(DURATION_PART)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) {
    return NaN;
  }
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * MILLIS[unit], 0);
}
