import { Client } from 'pg';
import { migrateUp } from '../../db/migrate';
import { startOwnedPostgres } from '../../scripts/lib/postgres';
import { TEST_PG_DIR, TEST_PG_PORT } from './paths';

interface RunState {
  adminUrl: string;
  database: string;
  stop(): void;
}
const state = globalThis as { __loanflowPg?: RunState };

/**
 * One real PostgreSQL for the whole run: TEST_DATABASE_URL when given, else a server the project
 * owns under .data/test-pg with a database of this run's own, so parallel runs never collide.
 * Tests isolate themselves within it by unique ids.
 */
export default async function globalSetup(): Promise<void> {
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const database = `loanflow_test_${process.pid}`;
    const pg = await startOwnedPostgres({
      dataDir: TEST_PG_DIR,
      port: TEST_PG_PORT,
      database,
      fast: true,
      fresh: true,
    });
    url = pg.url;
    state.__loanflowPg = { adminUrl: url.replace(/\/[^/]+$/, '/postgres'), database, stop: pg.stop };
  }
  await migrateUp(url);
  process.env.TEST_DATABASE_URL = url;
}

/** Drops this run's database; the server stops when no other run is using it. */
export async function releaseTestDatabase(): Promise<void> {
  const run = state.__loanflowPg;
  if (!run) return;
  const admin = new Client({ connectionString: run.adminUrl });
  await admin.connect();
  let others = 0;
  try {
    await admin.query(`drop database if exists "${run.database}" with (force)`);
    const res = await admin.query(
      "select count(*)::int as n from pg_database where datname like 'loanflow_test_%'",
    );
    others = res.rows[0].n as number;
  } finally {
    await admin.end();
  }
  if (others === 0) run.stop();
}
