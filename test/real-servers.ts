import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Real database servers from Debian's packages (postgresql, mariadb-server, redis-server; `.ci/run` installs them),
// started on loopback for one test file, so that the Jobs' scripts run against the real thing.

/** A password with every character that breaks naive quoting: shells, SQL literals, URIs, `$(VAR)` expansion. */
export const SPECIAL_PASSWORD = 'p@ss:w/o%rd#"\'\\ $(X) `id` ;&|<>!*?[]{}~^=+,';

/** Whether `name`'s binaries are here; in CI a missing one fails the run rather than skipping its tests. */
export function serverAvailable(name: string, binaries: string[]): boolean {
  const missing = binaries.filter((binary) => !existsSync(binary));
  if (missing.length === 0) {
    return true;
  }
  if (process.env.CI === 'true') {
    throw new Error(`${name} is not installed (missing ${missing.join(', ')}); .ci/run installs it with apt-get`);
  }
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED: the ${name} tests need ${missing.join(', ')} (apt-get install ${name}); CI runs them`);
  return false;
}

/** Runs `command`, as `user` when this process is root (servers refuse to run as root), and fails on a non-zero exit. */
export function run(command: string[], options: { user?: string; env?: Record<string, string>; input?: string } = {}): SpawnSyncReturns<string> {
  const asUser = options.user !== undefined && process.getuid?.() === 0 ? ['runuser', '-u', options.user, '--'] : [];
  const [file, ...args] = [...asUser, ...command];
  const result = spawnSync(file, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...options.env }, input: options.input, timeout: 60_000 });
  if (result.status !== 0) {
    throw new Error(`${command.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`);
  }
  return result;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A scratch directory the server's user may write. */
export function serverDirectory(prefix: string, user: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) {
    const ids = spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim();
    const group = spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim();
    chownSync(dir, Number(ids), Number(group));
  }
  return dir;
}

/** The newest PostgreSQL's binaries from Debian's `postgresql` package. */
export function postgresBinaries(): string {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  return `/usr/lib/postgresql/${versions[0] ?? 'missing'}/bin`;
}

/** A running server and how to stop it. */
export interface RunningServer {
  readonly port: number;
  stop(): void;
}

/** A PostgreSQL server on 127.0.0.1 whose superuser `postgres` has `adminPassword` (scram-sha-256 over TCP). */
export async function startPostgres(adminPassword: string): Promise<RunningServer> {
  const bin = postgresBinaries();
  const dir = serverDirectory('postgres-', 'postgres');
  const port = await freePort();
  writeFileSync(join(dir, 'pwfile'), adminPassword);
  chmodSync(join(dir, 'pwfile'), 0o644);
  run([`${bin}/initdb`, '-D', join(dir, 'data'), '--username=postgres', `--pwfile=${join(dir, 'pwfile')}`,
    '--auth-host=scram-sha-256', '--auth-local=trust'], { user: 'postgres' });
  run([`${bin}/pg_ctl`, '-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', 'start',
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`], { user: 'postgres' });
  return {
    port,
    stop: () => {
      spawnSync('runuser', ['-u', 'postgres', '--', `${bin}/pg_ctl`, '-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A MariaDB server on 127.0.0.1 whose `root` (from 127.0.0.1) has `rootPassword`, started with `serverArgs` besides. */
export async function startMariadb(rootPassword: string, serverArgs: string[] = []): Promise<RunningServer> {
  const dir = serverDirectory('mariadb-', 'mysql');
  const port = await freePort();
  const socket = join(dir, 'mysqld.sock');
  run(['mariadb-install-db', `--datadir=${join(dir, 'data')}`, '--user=mysql', '--skip-test-db', '--auth-root-authentication-method=socket'], { user: 'mysql' });
  const server = spawnSync('sh', ['-c', `runuser -u mysql -- /usr/sbin/mariadbd --no-defaults --datadir=${join(dir, 'data')} --socket=${socket} `
    + `--port=${port} --bind-address=127.0.0.1 --skip-name-resolve --pid-file=${join(dir, 'pid')} ${serverArgs.join(' ')} > ${join(dir, 'log')} 2>&1 &`]);
  if (server.status !== 0) {
    throw new Error(`mariadbd did not start: ${server.stderr}`);
  }
  for (let attempt = 0; attempt < 100 && spawnSync('mysqladmin', [`--socket=${socket}`, '--user=root', 'ping']).status !== 0; attempt++) {
    spawnSync('sleep', ['0.2']);
  }
  const quoted = rootPassword.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  const grant = `CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY '${quoted}'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;`;
  run(['mysql', `--socket=${socket}`, '--user=root'], { input: grant });
  return {
    port,
    stop: () => {
      spawnSync('mysqladmin', [`--socket=${socket}`, '--user=root', 'shutdown']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The env of a container as the kubelet gives it: literal values, Secret keys from `secrets` (`<name>/<key>`), then
 * `overrides` (the server's address here instead of the Service's).
 */
export function containerEnv(
  container: any,
  secrets: (name: string, key: string) => string,
  overrides: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    const raw = ref ? secrets(ref.name, ref.key) : String(entry.value ?? '');
    // Secret values are taken as they are; only literal values expand `$(VAR)`, as the kubelet does.
    env[entry.name] = ref ? raw : raw.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match: string, name?: string) =>
      match === '$$' ? '$' : name !== undefined && name in env ? env[name] : match);
  }
  return { ...env, ...overrides };
}
