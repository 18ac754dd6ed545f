import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { migrateUp } from '../db/migrate';
import { apiHarness, TEST_WEBHOOK_SECRET } from '../test/support/api';
import { TEST_PG_DIR, TEST_PG_PORT } from '../test/support/paths';
import { startOwnedPostgres } from './lib/postgres';

/**
 * `npm test`'s fuzz step: the API on the test stack (its own database on the tests' PostgreSQL, the
 * Temporal CLI dev server, the production workers), then schemathesis once per key against only the
 * operations that key's role may call (`x-roles`), every check on, a fixed seed. Any finding fails.
 */
const root = path.resolve(__dirname, '..');
const schemathesis = path.join(root, '.tools', 'venv', 'bin', 'schemathesis');
// schemathesis closes each run on pytest's banner ("=== 2 warnings in 33.87s ==="), which CI reads
// as pytest's closing line for a run with no test; the suite's own totals close the log instead.
const PYTEST_CLOSING = /^=+ .* in [\d.]+s =+$/;
const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 100);
const SEED = process.env.FUZZ_SEED ?? '20261120';

type Run = 'client' | 'reviewer' | 'collector' | 'ops' | 'provider' | 'public';
const RUNS: Run[] = ['client', 'reviewer', 'collector', 'ops', 'provider', 'public'];

interface Operation {
  'x-roles'?: string[] | string;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

/** The document cut down to the operations one run may call; the rest would only answer 403. */
export function operationsFor(doc: Document, run: Run): Document {
  const paths: Document['paths'] = {};
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const roles = op['x-roles'];
      if (Array.isArray(roles) ? roles.includes(run) : roles === run) (paths[p] ??= {})[method] = op;
    }
  }
  return { ...doc, paths };
}

/** A database of the fuzz run's own, on the tests' server unless TEST_DATABASE_URL points elsewhere. */
async function database(): Promise<{ url: string; release(): Promise<void> }> {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL, release: async () => {} };
  const name = `loanflow_fuzz_${process.pid}`;
  const pg = await startOwnedPostgres({
    dataDir: TEST_PG_DIR,
    port: TEST_PG_PORT,
    database: name,
    fast: true,
    fresh: true,
  });
  return {
    url: pg.url,
    async release() {
      const admin = new Client({ connectionString: pg.url.replace(/\/[^/]+$/, '/postgres') });
      await admin.connect();
      let left: number;
      try {
        await admin.query(`drop database if exists "${name}" with (force)`);
        const found = await admin.query(
          "select count(*)::int as n from pg_database where datname like 'loanflow_test_%' or datname like 'loanflow_fuzz_%'",
        );
        left = found.rows[0].n as number;
      } finally {
        // Before the server stops: its shutdown would drop this connection as an unheard error.
        await admin.end();
      }
      // A jest run or another fuzz run may share the server: stop it only when it is ours alone.
      if (left === 0) pg.stop();
    },
  };
}

interface Outcome {
  run: Run;
  operations: number;
  cases: number;
  code: number;
  seconds: number;
}

function fuzz(run: Run, spec: string, baseUrl: string, key: string, operations: number): Promise<Outcome> {
  const started = Date.now();
  const args = [
    '--config-file',
    path.join(__dirname, 'fuzz', 'schemathesis.toml'),
    'run',
    spec,
    '--url',
    baseUrl,
    '--checks',
    'all',
    '--max-examples',
    String(MAX_EXAMPLES),
    '--seed',
    SEED,
    '--generation-database',
    'none',
    // One worker: CPython 3.11's ast.parse is not thread-safe, and hypothesis calls it while drawing.
    '--workers',
    process.env.FUZZ_WORKERS ?? '1',
    '--no-color',
  ];
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(schemathesis, args, {
      // Its caches land in the working directory: keep them out of the checkout.
      cwd: path.dirname(spec),
      env: {
        ...process.env,
        LOANFLOW_FUZZ_KEY: key,
        LOANFLOW_FUZZ_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
        SCHEMATHESIS_HOOKS: 'hooks',
        PYTHONPATH: path.join(__dirname, 'fuzz'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (!PYTEST_CLOSING.test(line)) process.stdout.write(`${line}\n`);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (pending && !PYTEST_CLOSING.test(pending)) process.stdout.write(`${pending}\n`);
      const cases = Number(/Test cases:\s*\n?\s*(\d+) generated/.exec(out)?.[1] ?? 0);
      resolve({ run, operations, cases, code: code ?? 1, seconds: (Date.now() - started) / 1000 });
    });
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const db = await database();
  await migrateUp(db.url);
  process.env.TEST_DATABASE_URL = db.url;
  const harness = await apiHarness(`fuzz-${process.pid}`);
  const server = harness.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'loanflow-fuzz-'));
  const outcomes: Outcome[] = [];
  try {
    const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as Document;
    for (const run of RUNS) {
      const only = operationsFor(doc, run);
      const count = Object.values(only.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
      const spec = path.join(dir, `${run}.json`);
      writeFileSync(spec, JSON.stringify(only));
      const key = run === 'provider' || run === 'public' ? 'none' : harness.keys[run];
      console.log(`[fuzz] ${run}: ${count} operations`);
      outcomes.push(await fuzz(run, spec, baseUrl, key, count));
    }
  } finally {
    // Every request is answered before the pool ends and the database goes.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await harness.close();
    await db.release();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('[fuzz] key        operations  cases  seconds  result');
  for (const o of outcomes)
    console.log(
      `[fuzz] ${o.run.padEnd(10)} ${String(o.operations).padStart(10)} ${String(o.cases).padStart(6)} ${o.seconds.toFixed(0).padStart(8)}  ${o.code === 0 ? 'ok' : `FAILED (${o.code})`}`,
    );
  console.log(`[fuzz] total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (outcomes.some((o) => o.code !== 0)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
