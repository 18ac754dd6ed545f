import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loanflowDataConverter } from '../codec/data-converter';
import { keyringFromEnv } from '../codec/keyring';
import { migrateUp } from '../db/migrate';
import { ensureKeyFile, STACK_KEYS } from '../db/api-keys-cli';
import { ensureSchedules } from '../worker/schedules';
import { searchAttributeFlags } from '../workflows/search-attributes';
import { localCodecWiring } from './lib/local-codec';
import { waitForPort } from './lib/ports';
import { startOwnedPostgres } from './lib/postgres';

/**
 * The local stack on embedded defaults: PostgreSQL under .data/pg, the Temporal dev server with its
 * UI and a SQLite file under .data, the worker and the API. Ctrl-C stops everything; data stays.
 */
const root = path.resolve(__dirname, '..');
const data = path.join(root, '.data');
const PORT = Number(process.env.PORT ?? 3000);
const TEMPORAL_PORT = 7233;
const UI_PORT = 8233;
const CODEC_PORT = Number(process.env.CODEC_PORT ?? 8234);
const children: ChildProcess[] = [];
let stopPostgres = () => {};

const log = (msg: string) => console.log(`[start] ${msg}`);

function run(
  name: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile?: string,
): ChildProcess {
  const out = logFile ? openSync(logFile, 'a') : 'inherit';
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited (${signal ?? code}); stopping the stack`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

/** Kept across restarts so a signed-in browser and scripts keep working. */
function devCodecToken(): string {
  const file = path.join(data, 'codec-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

let stopping = false;
async function shutdown(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  for (const child of [...children].reverse()) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          r(undefined);
        }, 35_000);
        child.once('exit', () => {
          clearTimeout(timer);
          r(undefined);
        });
      });
    }
  }
  stopPostgres();
  log('stopped');
  process.exit(code);
}

/** The local stack's deployment step (workers never touch the schedules): on the configured main queue. */
async function createSchedules(address: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({
      connection,
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      dataConverter: loanflowDataConverter(keyringFromEnv(process.env.PAYLOAD_KEYS)),
    });
    return await ensureSchedules(client, process.env.TEMPORAL_TASK_QUEUE ?? 'loanflow');
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  mkdirSync(data, { recursive: true });
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startOwnedPostgres({
      dataDir: path.join(data, 'pg'),
      port: 55432,
      database: 'loanflow',
    });
    databaseUrl = pg.url;
    stopPostgres = pg.stop;
  }
  await migrateUp(databaseUrl);
  log(`PostgreSQL ready, migrations applied (${databaseUrl})`);

  // The codec server lets the operator read encrypted payloads in this UI, and scripts with the token.
  const codec = localCodecWiring({
    codecPort: CODEC_PORT,
    uiPort: UI_PORT,
    authToken: process.env.CODEC_AUTH_TOKEN ?? devCodecToken(),
    trustLocalUi: !['0', 'false'].includes(process.env.CODEC_TRUST_LOCAL_UI ?? ''),
  });
  run('codec server', ...codec.command, codec.env);
  await waitForPort(CODEC_PORT);

  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const cli = path.join(root, '.tools', 'bin', 'temporal');
    run(
      'temporal dev server',
      cli,
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(TEMPORAL_PORT),
        ...codec.uiArgs,
        '--db-filename',
        path.join(data, 'temporal.db'),
        '--log-level',
        'warn',
        ...searchAttributeFlags(),
      ],
      {},
      path.join(data, 'temporal.log'),
    );
    await waitForPort(TEMPORAL_PORT);
    temporalAddress = `127.0.0.1:${TEMPORAL_PORT}`;
  }
  // Dev keys are kept across restarts; a key the database no longer knows is replaced.
  const keys = await ensureKeyFile(databaseUrl, path.join(data, 'api-keys.json'), STACK_KEYS, 'dev');
  const schedules = await createSchedules(temporalAddress);

  // LOANFLOW_LOCAL lets the processes fall back to the public development secrets; nowhere else does.
  const env = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    PORT: String(PORT),
    LOANFLOW_LOCAL: '1',
  };
  run('worker', process.execPath, ['--import', 'tsx', 'worker/main.ts'], env);
  run('api', process.execPath, ['--import', 'tsx', 'api/main.ts'], env);
  await waitForPort(PORT);

  log('loanflow is running');
  console.log(`
  API            http://127.0.0.1:${PORT}   (docs: http://127.0.0.1:${PORT}/docs)
  Console        http://127.0.0.1:${PORT}/console   (sign in with a staff key below: reviewer, collector, ops)
  Temporal UI    http://127.0.0.1:${UI_PORT}
  Temporal gRPC  ${temporalAddress}
  Codec server   ${codec.codecUrl}   (the UI above decodes with no sign-in; scripts: token in .data/codec-token)
  Schedules      ${schedules.join(', ')}   (temporal schedule list --address ${temporalAddress})
  PostgreSQL     ${databaseUrl}
  API keys       ${path.relative(root, path.join(data, 'api-keys.json'))}
${Object.entries(keys)
  .map(([k, v]) => `    ${k.padEnd(10)} ${v}`)
  .join('\n')}

  Ctrl-C stops everything; data stays in .data/ for the next start.
`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  void shutdown(1);
});
