import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');

/**
 * Applies pending migrations with node-pg-migrate's own CLI. The library is ESM-only, so calling its
 * runner in-process would not load under jest's CommonJS; its CLI runs the same code path.
 */
export async function migrateUp(databaseUrl: string): Promise<void> {
  const bin = path.join(root, 'node_modules', 'node-pg-migrate', 'bin', 'node-pg-migrate.js');
  try {
    await run(
      process.execPath,
      [bin, 'up', '-m', 'db/migrations', '--verbose', 'false', '--no-check-order'],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: databaseUrl },
      },
    );
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`migration failed: ${e.stderr || e.stdout || e.message}`);
  }
}
