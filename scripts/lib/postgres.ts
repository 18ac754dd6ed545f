import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

/**
 * A PostgreSQL server that the project starts and owns under its data folder, for the local stack
 * and the tests. Debian's server refuses to run as root, so as root every server command runs as
 * the `postgres` user.
 */
export interface OwnedPostgres {
  url: string;
  stop(): void;
}

const isRoot = process.getuid?.() === 0;

function binDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(path.join(base, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error('PostgreSQL server binaries not found: run `npm run setup` first');
  return path.join(base, versions[0], 'bin');
}

function run(bin: string, args: string[], opts: { allowFail?: boolean } = {}): number {
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    return 0;
  } catch (err) {
    if (opts.allowFail) return (err as { status?: number }).status ?? 1;
    const e = err as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(
      `${path.basename(bin)} failed: ${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`,
    );
  }
}

/** The postgres user must reach the data folder; a clone under /root cannot, so fall back to /tmp. */
function usableDataDir(wanted: string): string {
  if (!isRoot) return wanted;
  mkdirSync(path.dirname(wanted), { recursive: true });
  // `test -x` stats the folder through every ancestor, so it fails if any of them blocks the user.
  if (run('/usr/bin/test', ['-x', path.dirname(wanted)], { allowFail: true }) === 0) return wanted;
  const hash = createHash('sha256').update(wanted).digest('hex').slice(0, 12);
  return `/tmp/loanflow-pg-${hash}`;
}

/**
 * A handle on the project's server that can be stopped, crashed and started again: the cluster's
 * supervisor and chaos tests use it. The data folder is created on first start.
 */
export interface PostgresServer {
  /** `postgres://loanflow@127.0.0.1:<port>`, without a database. */
  baseUrl: string;
  dataDir: string;
  start(): void;
  stop(): void;
  /** The postmaster's pid while it runs. */
  pid(): number | undefined;
  running(): boolean;
}

export function ownedPostgresServer(opts: { dataDir: string; port: number; fast?: boolean }): PostgresServer {
  const bin = binDir();
  const dataDir = usableDataDir(opts.dataDir);
  const ctl = path.join(bin, 'pg_ctl');
  const running = () => run(ctl, ['-D', dataDir, 'status'], { allowFail: true }) === 0;
  const start = () => {
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      mkdirSync(dataDir, { recursive: true });
      if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', dataDir]);
      run(path.join(bin, 'initdb'), [
        '-D',
        dataDir,
        '-U',
        'loanflow',
        '--auth=trust',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
      ]);
    }
    if (running()) return;
    const serverOpts = `-p ${opts.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''${opts.fast ? ' -c fsync=off -c synchronous_commit=off' : ''}`;
    run(ctl, [
      '-D',
      dataDir,
      '-l',
      path.join(dataDir, 'server.log'),
      '-o',
      serverOpts,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  };
  const pid = () => {
    try {
      const first = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0];
      const n = Number(first);
      return Number.isInteger(n) && n > 0 && running() ? n : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    baseUrl: `postgres://loanflow@127.0.0.1:${opts.port}`,
    dataDir,
    start,
    stop: () => void run(ctl, ['-D', dataDir, '-m', 'fast', '-w', 'stop'], { allowFail: true }),
    pid,
    running,
  };
}

export async function startOwnedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  /** Tests trade crash safety for speed; the local stack keeps fsync on. */
  fast?: boolean;
  /** Drop and recreate the database: every test run starts from an empty schema. */
  fresh?: boolean;
}): Promise<OwnedPostgres> {
  const server = ownedPostgresServer(opts);
  server.start();
  await createDatabase(`${server.baseUrl}/postgres`, opts.database, opts.fresh ?? false);
  return { url: `${server.baseUrl}/${opts.database}`, stop: server.stop };
}

export async function createDatabase(adminUrl: string, database: string, fresh: boolean): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    if (fresh) await client.query(`drop database if exists "${database.replace(/"/g, '')}" with (force)`);
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
}
