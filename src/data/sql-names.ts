import { Construct } from 'constructs';
import { MlopsValidationError } from '../core/errors';

/** The rules for database and user names on one engine. */
export interface SqlNameRules {
  readonly engineName: string;
  readonly maxDatabaseLength: number;
  readonly maxUserLength: number;
  readonly reservedDatabases: string[];
  readonly reservedUsers: string[];
  readonly reservedUserPrefix?: string;
}

const SQL_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Database and user names are plain identifiers (`^[a-z][a-z0-9_]*$`): the same on every engine and in every client
 * (the setup Jobs quote them all the same), and, with '_' as '-', parts of Kubernetes names (see `databaseId`).
 */
export function assertSqlName(scope: Construct, what: 'database name' | 'user', value: string, rules: SqlNameRules): void {
  const maxLength = what === 'user' ? rules.maxUserLength : rules.maxDatabaseLength;
  const reserved = what === 'user' ? rules.reservedUsers : rules.reservedDatabases;
  const problems: string[] = [];
  if (value.length === 0) {
    problems.push('must not be empty');
  } else {
    if (value.length > maxLength) problems.push(`must be at most ${maxLength} characters (has ${value.length})`);
    if (/[^a-z0-9_]/.test(value)) problems.push("must contain only lowercase letters, digits and '_'");
    if (!/^[a-z]/.test(value)) problems.push('must start with a lowercase letter');
  }
  if (reserved.includes(value) || (what === 'user' && rules.reservedUserPrefix && value.startsWith(rules.reservedUserPrefix))) {
    const prefix = what === 'user' && rules.reservedUserPrefix ? ` or start with '${rules.reservedUserPrefix}'` : '';
    problems.push(`must not be one of ${rules.engineName}'s own (${reserved.join(', ')})${prefix}`);
  }
  if (problems.length === 0) return;
  const suggestion = value.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, maxLength);
  const fix = suggestion !== value && SQL_NAME.test(suggestion) && !reserved.includes(suggestion)
    ? `use e.g. '${suggestion}'`
    : 'choose another name';
  throw new MlopsValidationError(scope, `${what} '${value}' is invalid: ${problems.join('; ')}; ${fix}`);
}

/** The construct id of a database: `Database-<name>` with '_' as '-', since Kubernetes names do not allow '_'. */
export function databaseId(name: string): string {
  return `Database-${name.replace(/_/g, '-')}`;
}
