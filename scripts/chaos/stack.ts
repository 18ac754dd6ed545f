import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { apiKeyRepository, ROLES } from '../../db/api-keys';
import { migrateUp } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { searchAttributeFlags } from '../../workflows/search-attributes';
import type * as lib from '../lib/cluster';
import { waitForPort } from '../lib/ports';
import { startOwnedPostgres } from '../lib/postgres';

/**
 * What scripts/lib/cluster.ts gives, loosened for the stand-in below: its kills and starts may finish
 * at once, and it runs no codec server and lists no endpoints. The harness reads the sandbox's
 * announcements from `sandbox.log` in `logDir`, so the stand-in logs there too.
 */
export type ManagedProcess = Omit<lib.ManagedProcess, 'kill' | 'start' | 'restart'> & {
  kill(signal?: NodeJS.Signals): Promise<void> | void;
  start(): Promise<void> | void;
  restart(): Promise<void> | void;
};
export type Cluster = Omit<lib.Cluster, 'processes' | 'codecUrl' | 'endpoints' | 'stop'> & {
  processes: Map<string, ManagedProcess>;
  codecUrl?: string;
  stop(): Promise<void> | void;
};

export interface StackOptions {
  dataDir: string;
  basePort: number;
  env: Record<string, string>;
  log: (msg: string) => void;
}

const root = path.resolve(__dirname, '..', '..');

/** A child process that can be killed and started again under the same name, logging to one file. */
export function managedChild(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  logDir: string,
  readyPort?: number,
  log: (m: string) => void = () => {},
): ManagedProcess {
  let child: ChildProcess | undefined;
  let asked = false;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const start = async () => {
    if (running()) return;
    const out = openSync(path.join(logDir, `${name}.log`), 'a');
    child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', out, out],
    });
    asked = false;
    const me = child;
    // A process that dies without being killed is a finding; a supervisor would restart it, so this does.
    me.once('exit', (code, signal) => {
      if (asked || me !== child) return;
      log(`${name} exited (${signal ?? code}) unasked`);
      setTimeout(() => void start().catch(() => undefined), 1000);
    });
    if (readyPort !== undefined) await waitForPort(readyPort, { timeoutMs: 90_000 });
  };
  const stopped = () =>
    new Promise<void>((resolve) => {
      if (!running() || !child) return resolve();
      child.once('exit', () => resolve());
    });
  const kill = (signal: NodeJS.Signals = 'SIGKILL') => {
    asked = true;
    if (running()) child?.kill(signal);
  };
  return {
    name,
    pid: () => (running() ? child?.pid : undefined),
    kill,
    start,
    restart: async () => {
      const done = stopped();
      kill('SIGKILL');
      await done;
      await start();
    },
    running,
  };
}

/**
 * A small stand-in for startCluster, for machines without the Temporal server binaries: the project's
 * PostgreSQL, the CLI dev server (one process: "temporal-history" names it, so a history kill stops
 * all of Temporal), the sandbox providers, two workers and two APIs. Same names and shape.
 */
export async function startStandIn(o: StackOptions): Promise<Cluster> {
  mkdirSync(o.dataDir, { recursive: true });
  const logDir = path.join(o.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const secrets = {
    PROVIDER_API_KEY: randomBytes(16).toString('hex'),
    PAYMENT_WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    CUSTOMER_ID_KEY: randomBytes(24).toString('hex'),
    PAYLOAD_KEYS: `chaos:${randomBytes(32).toString('base64')}`,
  };
  const pgOpts = {
    dataDir: path.join(o.dataDir, 'pg'),
    port: o.basePort + 50,
    database: 'loanflow',
    fast: true,
  };
  let pg = await startOwnedPostgres({ ...pgOpts, fresh: true });
  await migrateUp(pg.url);
  let pgUp = true;
  const postgres: ManagedProcess = {
    name: 'postgres',
    pid: () => undefined,
    kill: () => {
      pg.stop();
      pgUp = false;
    },
    start: async () => {
      pg = await startOwnedPostgres(pgOpts);
      pgUp = true;
    },
    restart: async () => {
      pg.stop();
      pg = await startOwnedPostgres(pgOpts);
      pgUp = true;
    },
    running: () => pgUp,
  };
  const temporalPort = o.basePort;
  const temporalDb = path.join(o.dataDir, 'temporal.db');
  const temporal = managedChild(
    'temporal-history',
    path.join(root, '.tools', 'bin', 'temporal'),
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(temporalPort), '--headless'].concat([
      '--db-filename',
      temporalDb,
      '--log-level',
      'warn',
      ...searchAttributeFlags(),
    ]),
    {},
    logDir,
    temporalPort,
    o.log,
  );
  await temporal.start();
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const pool = createPool(pg.url);
  const apiKeys: Record<string, string> = {};
  try {
    const repo = apiKeyRepository(pool);
    for (const role of ROLES) apiKeys[role] = (await repo.create(role, `chaos ${role}`)).key;
    apiKeys.reviewer2 = (await repo.create('reviewer', 'chaos reviewer2')).key;
  } finally {
    await pool.end();
  }
  const sandboxPort = o.basePort + 22;
  const common = {
    ...o.env,
    ...secrets,
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporalAddress,
    PROVIDERS: 'http',
    PROVIDER_BASE_URL: `http://127.0.0.1:${sandboxPort}`,
  };
  const node = (file: string) => ['--import', 'tsx', file];
  const processes = new Map<string, ManagedProcess>([
    ['postgres', postgres],
    ['temporal-history', temporal],
  ]);
  const add = (name: string, file: string, env: Record<string, string>, port?: number) =>
    processes.set(
      name,
      managedChild(name, process.execPath, node(file), { ...common, ...env }, logDir, port, o.log),
    );
  add(
    'sandbox',
    'adapters/sandbox-server-main.ts',
    { SANDBOX_PORT: String(sandboxPort), SANDBOX_API_KEY: secrets.PROVIDER_API_KEY },
    sandboxPort,
  );
  const apiUrls: string[] = [];
  for (const n of [1, 2]) {
    add(`loanflow-worker-${n}`, 'worker/main.ts', {
      WORKER_METRICS_ADDRESS: `127.0.0.1:${o.basePort + 39 + n}`,
    });
    const port = o.basePort + 29 + n;
    add(`api-${n}`, 'api/main.ts', { PORT: String(port) }, port);
    apiUrls.push(`http://127.0.0.1:${port}`);
  }
  await Promise.all([...processes.values()].filter((p) => !p.running()).map((p) => p.start()));
  o.log(`stand-in up: temporal ${temporalAddress}, ${apiUrls.join(' ')}`);
  return {
    processes,
    apiUrls,
    temporalAddress,
    databaseUrl: pg.url,
    apiKeys,
    secrets,
    logDir,
    async stop() {
      const others = [...processes.values()].filter((p) => p.name !== 'postgres');
      for (const p of others) void p.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1500));
      for (const p of others) void p.kill('SIGKILL');
      pg.stop();
    },
  };
}

/** startCluster (scripts/lib/cluster.ts) unless --stand-in: the production shape, sandbox providers over HTTP. */
export async function startStack(
  o: StackOptions & { standIn?: boolean },
): Promise<{ cluster: Cluster; kind: string }> {
  if (!o.standIn) {
    const { startCluster } = await import('../lib/cluster');
    const cluster = await startCluster({
      dataDir: o.dataDir,
      basePort: o.basePort,
      workers: 2,
      apis: 2,
      providers: 'http',
      env: o.env,
      log: o.log,
      ui: false,
    });
    return { cluster, kind: 'startCluster (Temporal services as separate processes)' };
  }
  return { cluster: await startStandIn(o), kind: 'stand-in (Temporal CLI dev server)' };
}
