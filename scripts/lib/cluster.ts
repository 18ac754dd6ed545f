import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { msToTs } from '@temporalio/common/lib/time';
import { loanflowDataConverter } from '../../codec/data-converter';
import { keyringFromEnv } from '../../codec/keyring';
import { ensureKeyFile } from '../../db/api-keys-cli';
import { migrateUp } from '../../db/migrate';
import { ensureSchedules } from '../../worker/schedules';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { createDatabase, ownedPostgresServer, type PostgresServer } from './postgres';

/**
 * The production shape on one machine: the project's PostgreSQL, the Temporal server on it with
 * each service (frontend, history, matching, worker) its own OS process, loanflow workers and APIs,
 * the codec server and the Temporal UI server. Every process can be killed and started alone, so
 * chaos runs drive this the way an orchestrator would fail a pod.
 */

export interface ManagedProcess {
  name: string;
  pid(): number | undefined;
  /** Stops it and keeps it stopped (no supervisor restart) until start(). SIGTERM by default. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it unless it runs, and resolves once it serves. */
  start(): Promise<void>;
  restart(): Promise<void>;
  running(): boolean;
}

export interface Cluster {
  processes: Map<string, ManagedProcess>;
  apiUrls: string[];
  temporalAddress: string;
  databaseUrl: string;
  uiUrl?: string;
  codecUrl: string;
  apiKeys: Record<string, string>;
  /** PAYLOAD_KEYS, CUSTOMER_ID_KEY, PAYMENT_WEBHOOK_SECRET, CODEC_AUTH_TOKEN (and SANDBOX_API_KEY). */
  secrets: Record<string, string>;
  /** Where each process's output goes. */
  logDir: string;
  /** What listens where, one row per endpoint. */
  endpoints: [what: string, where: string][];
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Holds PostgreSQL's data, the secrets, the API keys and the logs: `.data/cluster` by default. */
  dataDir?: string;
  /** Every port is an offset from here (see `clusterPorts`): 17233 by default. */
  basePort?: number;
  /** 55433 with the default basePort, else basePort + 50. */
  postgresPort?: number;
  workers?: number;
  apis?: number;
  /** `http` adds the sandbox providers as their own process (`sandbox`) and points workers at it. */
  providers?: 'sandbox' | 'http';
  /** Added to every loanflow process's environment (workers, APIs, codec, sandbox). */
  env?: Record<string, string>;
  log?: (m: string) => void;
  /** A process that exits without being asked to is started again after a second (default on). */
  autoRestart?: boolean;
  /** Skip the UI server even when it is installed. */
  ui?: boolean;
}

const root = path.resolve(__dirname, '..', '..');
const bin = (name: string) => path.join(root, '.tools', 'bin', name);
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const schemaDir = path.join(root, '.tools', 'temporal-schema', TEMPORAL_SERVER_VERSION);
const DEFAULT_BASE_PORT = 17233;

const TEMPORAL_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
type TemporalService = (typeof TEMPORAL_SERVICES)[number];

export function clusterPorts(basePort = DEFAULT_BASE_PORT, postgresPort?: number) {
  const b = basePort;
  return {
    frontend: { grpc: b, http: b + 1, membership: b + 2, metrics: b + 10 },
    history: { grpc: b + 3, membership: b + 4, metrics: b + 11 },
    matching: { grpc: b + 5, membership: b + 6, metrics: b + 12 },
    worker: { grpc: b + 7, membership: b + 8, metrics: b + 13 },
    ui: b + 20,
    codec: b + 21,
    sandbox: b + 22,
    api: (i: number) => b + 30 + i,
    workerMetrics: (i: number) => b + 40 + i,
    postgres: postgresPort ?? (basePort === DEFAULT_BASE_PORT ? 55433 : b + 50),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  stillAlive?: () => boolean,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (stillAlive && !stillAlive()) throw new Error(`${what}: the process exited before it was ready`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await res.body?.cancel();
  return res.ok;
}

/** Generated once per data folder and kept: payloads written under a key must stay readable. */
export function clusterSecrets(dataDir: string): Record<string, string> {
  const file = path.join(dataDir, 'secrets.env');
  const wanted: Record<string, () => string> = {
    PAYLOAD_KEYS: () => `c1:${randomBytes(32).toString('base64')}`,
    CUSTOMER_ID_KEY: () => randomBytes(32).toString('base64url'),
    PAYMENT_WEBHOOK_SECRET: () => randomBytes(32).toString('base64url'),
    CODEC_AUTH_TOKEN: () => randomBytes(24).toString('base64url'),
    SANDBOX_API_KEY: () => randomBytes(24).toString('base64url'),
  };
  const found: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m?.[1] && m[2] !== undefined) found[m[1]] = m[2];
    }
  }
  const missing = Object.keys(wanted).filter((k) => !found[k]);
  for (const k of missing) found[k] = wanted[k]?.() ?? '';
  if (missing.length || !existsSync(file))
    writeFileSync(
      file,
      `# Generated by scripts/lib/cluster.ts for this data folder; keep it with the data.\n${Object.entries(
        found,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
      { mode: 0o600 },
    );
  return found;
}

interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  ready: (child: ChildProcess, output: () => string) => Promise<void>;
  /** Time SIGTERM gets before SIGKILL. */
  graceMs?: number;
}

/** A child the supervisor owns: its own process group, so a Ctrl-C in the terminal reaches only us. */
function managedChild(
  spec: ChildSpec,
  logDir: string,
  supervise: { autoRestart: boolean; log: (m: string) => void; stopping: () => boolean },
): ManagedProcess {
  let child: ChildProcess | undefined;
  let wanted = false;
  let starting: Promise<void> | undefined;
  let restarts = 0;
  const logFile = path.join(logDir, `${spec.name}.log`);
  const alive = () => !!child && child.exitCode === null && child.signalCode === null;

  const spawnOnce = async () => {
    const out = createWriteStream(logFile, { flags: 'a' });
    let recent = '';
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.LOANFLOW_LOCAL;
    for (const [k, v] of Object.entries(spec.env)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const c = spawn(spec.command, spec.args, {
      cwd: root,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    const take = (chunk: Buffer) => {
      out.write(chunk);
      recent = (recent + chunk.toString()).slice(-64_000);
    };
    c.stdout?.on('data', take);
    c.stderr?.on('data', take);
    c.once('exit', (code, signal) => {
      out.end(`--- exited (${signal ?? code}) at ${new Date().toISOString()}\n`);
      if (child !== c || !wanted || supervise.stopping()) return;
      supervise.log(`${spec.name} exited (${signal ?? code}) unasked`);
      if (!supervise.autoRestart) return;
      const delay = Math.min(1_000 * 2 ** Math.min(restarts, 4), 15_000);
      restarts++;
      setTimeout(() => {
        if (wanted && !alive() && !supervise.stopping())
          void start().catch((err: unknown) => supervise.log(`${spec.name} restart failed: ${String(err)}`));
      }, delay);
    });
    await spec.ready(c, () => recent);
    restarts = 0;
  };

  const start = (): Promise<void> => {
    wanted = true;
    if (alive() && !starting) return Promise.resolve();
    starting ??= spawnOnce().finally(() => (starting = undefined));
    return starting;
  };

  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    wanted = false;
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), spec.graceMs ?? 40_000);
    await exited;
    clearTimeout(timer);
  };

  return {
    name: spec.name,
    pid: () => (alive() ? child?.pid : undefined),
    kill,
    start,
    restart: async () => {
      await kill();
      await start();
    },
    running: alive,
  };
}

function postgresProcess(server: PostgresServer): ManagedProcess {
  const start = async () => {
    // After a SIGKILL the old backends may hold shared memory for a moment: try again.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        server.start();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(500);
      }
    }
  };
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const pid = server.pid();
    if (pid === undefined) return;
    if (signal === 'SIGTERM') return server.stop();
    process.kill(pid, signal);
    await until('postgres exit', async () => !processAlive(pid), 30_000);
  };
  return {
    name: 'postgres',
    pid: () => server.pid(),
    kill,
    start,
    restart: async () => {
      await kill();
      await start();
    },
    running: () => server.running(),
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const run = promisify(execFile);

/** Creates the two Temporal databases and brings their schema to this server version; idempotent. */
async function temporalSchema(pgBase: string, port: number) {
  if (!existsSync(path.join(schemaDir, 'temporal')))
    throw new Error('Temporal schema not installed: run `bash scripts/setup-cluster.sh`');
  for (const [db, dir] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    await createDatabase(`${pgBase}/postgres`, db, false);
    const common = [
      '--plugin',
      'postgres12',
      '--ep',
      '127.0.0.1',
      '-p',
      String(port),
      '-u',
      'loanflow',
      '--db',
      db,
    ];
    await run(bin('temporal-sql-tool'), [...common, 'setup-schema', '-v', '0.0']);
    await run(bin('temporal-sql-tool'), [
      ...common,
      'update-schema',
      '-d',
      path.join(schemaDir, dir, 'versioned'),
    ]);
  }
}

/** The `default` namespace and loanflow's search attributes, once the frontend answers. */
async function temporalNamespace(address: string, log: (m: string) => void) {
  const connection = await Connection.connect({ address });
  try {
    const { IndexedValueType } = temporal.api.enums.v1;
    try {
      await connection.workflowService.registerNamespace({
        namespace: 'default',
        workflowExecutionRetentionPeriod: msToTs('30 days'),
      });
      log('namespace default registered');
    } catch (err) {
      if ((err as { code?: number }).code !== 6) throw err; // ALREADY_EXISTS
    }
    const wanted = Object.fromEntries(
      ALL_SEARCH_ATTRIBUTES.map((k) => [
        k.name,
        k.type === 'INT'
          ? IndexedValueType.INDEXED_VALUE_TYPE_INT
          : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    );
    // A new namespace reaches the frontend's cache within seconds; until then it is NOT_FOUND.
    await until(
      'search attributes',
      async () => {
        const have = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        const missing = Object.fromEntries(
          Object.entries(wanted).filter(([k]) => !(k in (have.customAttributes ?? {}))),
        );
        if (Object.keys(missing).length === 0) return true;
        await connection.operatorService.addSearchAttributes({
          namespace: 'default',
          searchAttributes: missing,
        });
        return false;
      },
      60_000,
    );
  } finally {
    await connection.close();
  }
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const log = opts.log ?? ((m: string) => console.log(`[cluster] ${m}`));
  const dataDir = path.resolve(opts.dataDir ?? path.join(root, '.data', 'cluster'));
  const logDir = path.join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const ports = clusterPorts(opts.basePort, opts.postgresPort);
  const workers = opts.workers ?? 2;
  const apis = opts.apis ?? 2;
  const providers = opts.providers ?? 'sandbox';
  for (const tool of ['temporal-server', 'temporal-sql-tool'])
    if (!existsSync(bin(tool)))
      throw new Error(`${tool} not installed: run \`bash scripts/setup-cluster.sh\``);
  const withUi = (opts.ui ?? true) && existsSync(bin('temporal-ui-server'));

  const secrets = clusterSecrets(dataDir);
  const processes = new Map<string, ManagedProcess>();
  let stopping = false;
  const supervise = { autoRestart: opts.autoRestart ?? true, log, stopping: () => stopping };
  const add = (spec: ChildSpec) => {
    const p = managedChild(spec, logDir, supervise);
    processes.set(spec.name, p);
    return p;
  };
  // Should this process exit before stop(), its children must not outlive it.
  let pgServer: PostgresServer | undefined;
  const killAll = () => {
    pgServer?.stop();
    for (const p of processes.values()) {
      const pid = p.name === 'postgres' ? undefined : p.pid();
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone already */
        }
      }
    }
  };
  process.once('exit', killAll);

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Clients first, then the Temporal services, PostgreSQL last.
    for (const p of [...processes.values()].reverse()) await p.kill('SIGTERM').catch(() => {});
    process.removeListener('exit', killAll);
    log('stopped');
  };

  try {
    pgServer = ownedPostgresServer({ dataDir: path.join(dataDir, 'pg'), port: ports.postgres });
    const pg = postgresProcess(pgServer);
    processes.set('postgres', pg);
    const t0 = Date.now();
    await pg.start();
    const pgBase = `postgres://loanflow@127.0.0.1:${ports.postgres}`;
    const databaseUrl = `${pgBase}/loanflow`;
    await createDatabase(`${pgBase}/postgres`, 'loanflow', false);
    await migrateUp(databaseUrl);
    await temporalSchema(pgBase, ports.postgres);
    log(`PostgreSQL ready with loanflow migrated and the Temporal schema in place (${Date.now() - t0} ms)`);

    const temporalAddress = `127.0.0.1:${ports.frontend.grpc}`;
    const temporalEnv: Record<string, string> = {
      TEMPORAL_DB_HOST: '127.0.0.1',
      TEMPORAL_DB_PORT: String(ports.postgres),
      TEMPORAL_DB_USER: 'loanflow',
      TEMPORAL_DB_PASSWORD: '',
      TEMPORAL_BIND_IP: '127.0.0.1',
      TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
      TEMPORAL_FRONTEND_ADDRESS: temporalAddress,
      TEMPORAL_DYNAMIC_CONFIG: path.join(root, 'config', 'temporal', 'dynamicconfig.yaml'),
      TEMPORAL_LOG_LEVEL: process.env.TEMPORAL_LOG_LEVEL ?? 'warn',
      TEMPORAL_FRONTEND_PORT: String(ports.frontend.grpc),
      TEMPORAL_FRONTEND_HTTP_PORT: String(ports.frontend.http),
      TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(ports.frontend.membership),
      TEMPORAL_HISTORY_PORT: String(ports.history.grpc),
      TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(ports.history.membership),
      TEMPORAL_MATCHING_PORT: String(ports.matching.grpc),
      TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(ports.matching.membership),
      TEMPORAL_WORKER_PORT: String(ports.worker.grpc),
      TEMPORAL_WORKER_MEMBERSHIP_PORT: String(ports.worker.membership),
    };
    const temporalProcs = TEMPORAL_SERVICES.map((svc: TemporalService) =>
      add({
        name: `temporal-${svc}`,
        command: bin('temporal-server'),
        args: [
          '--root',
          root,
          '--config',
          'config/temporal',
          '--env',
          'loanflow',
          '--allow-no-auth',
          'start',
          '--service',
          svc,
        ],
        env: { ...temporalEnv, TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${ports[svc].metrics}` },
        ready: (c) =>
          until(
            `temporal-${svc}`,
            () => portOpen(svc === 'worker' ? ports.worker.membership : ports[svc].grpc),
            90_000,
            () => c.exitCode === null,
          ),
        graceMs: 20_000,
      }),
    );
    const t1 = Date.now();
    // On a fresh database the first process writes the cluster metadata; started together, the
    // others would fail on the same insert.
    const [firstService, ...otherServices] = temporalProcs;
    await firstService?.start();
    await Promise.all(otherServices.map((p) => p.start()));
    await until('Temporal frontend', () => frontendServes(temporalAddress), 90_000);
    await temporalNamespace(temporalAddress, log);
    log(`Temporal services up, namespace default with search attributes (${Date.now() - t1} ms)`);

    const apiKeys = await ensureKeyFile(
      databaseUrl,
      path.join(dataDir, 'api-keys.json'),
      undefined,
      'cluster',
    );
    const dataConverter = loanflowDataConverter(keyringFromEnv(secrets.PAYLOAD_KEYS));
    const scheduleConnection = await Connection.connect({ address: temporalAddress });
    try {
      await ensureSchedules(
        new Client({ connection: scheduleConnection, namespace: 'default', dataConverter }),
        'loanflow',
      );
    } finally {
      await scheduleConnection.close();
    }

    const node = process.execPath;
    const tsx = (file: string) => ['--import', 'tsx', path.join(root, file)];
    const uiUrl = withUi ? `http://127.0.0.1:${ports.ui}` : undefined;
    const codecUrl = `http://127.0.0.1:${ports.codec}`;
    const appEnv: Record<string, string | undefined> = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'loanflow',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      PAYLOAD_KEYS: secrets.PAYLOAD_KEYS,
      ...(providers === 'http'
        ? {
            PROVIDERS: 'http',
            PROVIDER_BASE_URL: `http://127.0.0.1:${ports.sandbox}`,
            PROVIDER_API_KEY: secrets.SANDBOX_API_KEY,
          }
        : { PROVIDERS: 'sandbox' }),
      ...opts.env,
    };

    add({
      name: 'codec',
      command: node,
      args: tsx('codec/codec-server-main.ts'),
      env: {
        ...appEnv,
        CODEC_AUTH_TOKEN: secrets.CODEC_AUTH_TOKEN,
        CODEC_HOST: '127.0.0.1',
        CODEC_PORT: String(ports.codec),
        CODEC_ALLOWED_ORIGINS: uiUrl ? `${uiUrl},http://localhost:${ports.ui}` : '',
        CODEC_TRUST_LOCAL_UI: opts.env?.CODEC_TRUST_LOCAL_UI ?? 'false',
      },
      ready: (c) =>
        until(
          'codec',
          () => portOpen(ports.codec),
          60_000,
          () => c.exitCode === null,
        ),
    });
    if (providers === 'http')
      add({
        name: 'sandbox',
        command: node,
        args: tsx('adapters/sandbox-server-main.ts'),
        env: { ...appEnv, SANDBOX_PORT: String(ports.sandbox), SANDBOX_API_KEY: secrets.SANDBOX_API_KEY },
        ready: (c) =>
          until(
            'sandbox',
            () => portOpen(ports.sandbox),
            60_000,
            () => c.exitCode === null,
          ),
      });
    for (let i = 1; i <= workers; i++)
      add({
        name: `loanflow-worker-${i}`,
        command: node,
        args: tsx('worker/main.ts'),
        env: { ...appEnv, WORKER_METRICS_ADDRESS: `127.0.0.1:${ports.workerMetrics(i - 1)}` },
        ready: (c, output) =>
          until(
            `loanflow-worker-${i}`,
            async () => output().includes('workers started'),
            90_000,
            () => c.exitCode === null,
          ),
      });
    const apiUrls: string[] = [];
    for (let i = 1; i <= apis; i++) {
      const url = `http://127.0.0.1:${ports.api(i - 1)}`;
      apiUrls.push(url);
      add({
        name: `api-${i}`,
        command: node,
        args: tsx('api/main.ts'),
        env: {
          ...appEnv,
          PORT: String(ports.api(i - 1)),
          CUSTOMER_ID_KEY: secrets.CUSTOMER_ID_KEY,
          PAYMENT_WEBHOOK_SECRET: secrets.PAYMENT_WEBHOOK_SECRET,
        },
        ready: (c) =>
          until(
            `api-${i}`,
            () => httpOk(`${url}/readyz`),
            90_000,
            () => c.exitCode === null,
          ),
      });
    }
    if (uiUrl)
      add({
        name: 'temporal-ui',
        command: bin('temporal-ui-server'),
        args: ['--root', root, '--config', 'config/temporal/ui', '--env', 'loanflow', 'start'],
        env: {
          TEMPORAL_ADDRESS: temporalAddress,
          TEMPORAL_UI_PORT: String(ports.ui),
          TEMPORAL_CORS_ORIGINS: `${uiUrl},http://localhost:${ports.ui}`,
          TEMPORAL_CODEC_ENDPOINT: codecUrl,
        },
        ready: (c) =>
          until(
            'temporal-ui',
            () => httpOk(uiUrl),
            60_000,
            () => c.exitCode === null,
          ),
      });

    const t2 = Date.now();
    const rest = [...processes.values()].filter(
      (p) => (p.name !== 'postgres' && !p.name.startsWith('temporal-')) || p.name === 'temporal-ui',
    );
    await Promise.all(rest.map((p) => p.start()));
    log(`loanflow processes up (${Date.now() - t2} ms)`);

    const endpoints: [string, string][] = [
      ['PostgreSQL', databaseUrl],
      ['Temporal frontend (gRPC)', temporalAddress],
      ['Temporal frontend (HTTP)', `http://127.0.0.1:${ports.frontend.http}`],
      ['Temporal history', `127.0.0.1:${ports.history.grpc} (membership ${ports.history.membership})`],
      ['Temporal matching', `127.0.0.1:${ports.matching.grpc} (membership ${ports.matching.membership})`],
      ['Temporal worker', `membership 127.0.0.1:${ports.worker.membership}`],
      ['Temporal metrics', TEMPORAL_SERVICES.map((s) => `${s} :${ports[s].metrics}`).join(', ')],
      ...(uiUrl ? [['Temporal UI', uiUrl] as [string, string]] : []),
      ['codec server', `${codecUrl} (token: CODEC_AUTH_TOKEN in ${path.join(dataDir, 'secrets.env')})`],
      ...(providers === 'http'
        ? [['sandbox providers', `http://127.0.0.1:${ports.sandbox}`] as [string, string]]
        : []),
      ...apiUrls.map((u, i): [string, string] => [`api-${i + 1}`, `${u} (docs ${u}/docs)`]),
      ...Array.from({ length: workers }, (_, i): [string, string] => [
        `loanflow-worker-${i + 1} metrics`,
        `http://127.0.0.1:${ports.workerMetrics(i)}/metrics`,
      ]),
      ['API keys', path.join(dataDir, 'api-keys.json')],
      ['logs', logDir],
    ];
    return {
      processes,
      apiUrls,
      temporalAddress,
      databaseUrl,
      uiUrl,
      codecUrl,
      apiKeys,
      secrets,
      logDir,
      endpoints,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The frontend's port opens before it has joined the ring; a real call says it serves. */
async function frontendServes(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await connection.workflowService.getSystemInfo({});
    await connection.operatorService.listClusters({});
    return true;
  } finally {
    await connection.close();
  }
}
