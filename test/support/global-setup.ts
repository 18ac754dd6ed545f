import { migrateUp } from '../../db/migrate';
import { startOwnedPostgres } from '../../scripts/lib/postgres';
import { TEST_PG_DIR, TEST_PG_PORT } from './paths';

/**
 * One real PostgreSQL for the whole run: TEST_DATABASE_URL when given, else a server the project
 * owns under .data/test-pg with a fresh database. Tests isolate themselves by unique ids.
 */
export default async function globalSetup(): Promise<void> {
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const pg = await startOwnedPostgres({ dataDir: TEST_PG_DIR, port: TEST_PG_PORT, database: 'loanflow_test', fast: true, fresh: true });
    url = pg.url;
    (globalThis as { __loanflowPg?: { stop(): void } }).__loanflowPg = pg;
  }
  await migrateUp(url);
  process.env.TEST_DATABASE_URL = url;
}
