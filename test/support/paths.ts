import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const TOOLS_BIN = path.join(ROOT, '.tools', 'bin');
export const TEST_PG_DIR = path.join(ROOT, '.data', 'test-pg');
export const TEST_PG_PORT = Number(process.env.TEST_PG_PORT ?? 55433);
