import { createHash } from 'node:crypto';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const TOOLS_BIN = path.join(ROOT, '.tools', 'bin');
export const TEST_PG_DIR = path.join(ROOT, '.data', 'test-pg');
/** Derived from the checkout's path, so two clones on one machine run their tests side by side. */
export const TEST_PG_PORT = Number(
  process.env.TEST_PG_PORT ?? 56000 + (createHash('sha256').update(ROOT).digest().readUInt16BE(0) % 2000),
);
