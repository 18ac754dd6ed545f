// Apart from the stack, so that a bench of PostgreSQL alone loads nothing of Temporal.
import path from 'node:path';
import { migrateUp } from '../db/migrate';
import { createPool } from '../db/pool';
import { startOwnedPostgres } from '../scripts/lib/postgres';

const root = path.resolve(__dirname, '..');

/** Where a cluster lives: its folder under .data/ and its port. */
export interface ClusterPlace {
  dir: string;
  port: number;
}

/** The bench's own PostgreSQL, fresh each run, on a port the dev stack and tests do not use. */
export async function benchPostgres(
  database: string,
  fast = false,
  place: ClusterPlace = { dir: 'bench-pg', port: 55434 },
) {
  const pg = await startOwnedPostgres({
    dataDir: path.join(root, '.data', place.dir),
    port: place.port,
    database,
    fresh: true,
    fast,
  });
  await migrateUp(pg.url);
  return { pg, pool: createPool(pg.url) };
}
