import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { apiKeyRepository, ROLES, type Role } from './api-keys';
import { createPool } from './pool';

/**
 * `npm run keys -- create <role> [name]`: issues an API key and prints it once (only its hash is
 * kept). `npm run keys -- bootstrap`: issues an admin key only when no active admin key exists, so
 * a freshly deployed API (which answers 401 to everything until a key exists) gets its first
 * operator; running it again prints nothing new.
 */
const USAGE = `usage: keys create <${ROLES.join('|')}> [name]
       keys bootstrap [name]          (an admin key, only if no active admin key exists)`;

export type KeyWants = [name: string, role: Role][];

/** Every role once, and a second reviewer for maker-checker: what the local stacks hand out. */
export const STACK_KEYS: KeyWants = [
  ...ROLES.map((r) => [r, r] as [string, Role]),
  ['reviewer2', 'reviewer'],
];

/**
 * Keeps a file of named keys valid across restarts: a key the database no longer knows (or has
 * revoked) is replaced, the others are kept.
 */
export async function ensureKeyFile(databaseUrl: string, file: string, wanted = STACK_KEYS, label = 'stack') {
  const pool = createPool(databaseUrl);
  const repo = apiKeyRepository(pool);
  try {
    const existing = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)
      : {};
    const keys: Record<string, string> = {};
    for (const [name, role] of wanted) {
      const current = existing[name];
      const actor = current ? await repo.findActive(current) : undefined;
      keys[name] =
        current && actor?.role === role ? current : (await repo.create(role, `${label} ${name}`)).key;
    }
    writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    return keys;
  } finally {
    await pool.end();
  }
}

async function main(argv: string[]): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set');
    return 2;
  }
  const [command, ...rest] = argv;
  const pool = createPool(url);
  try {
    if (command === 'create') {
      const [role, name] = rest;
      if (!ROLES.includes(role as Role)) {
        console.error(USAGE);
        return 2;
      }
      const created = await apiKeyRepository(pool).create(role as Role, name ?? `${role} (keys cli)`);
      console.error(`created ${role} key ${created.id}; it is shown once, store it now:`);
      console.log(created.key);
      return 0;
    }
    if (command === 'bootstrap') {
      const found = await pool.query(
        "select 1 from api_keys where role = 'admin' and revoked_at is null limit 1",
      );
      if (found.rowCount) {
        console.error('an active admin key exists: nothing to do (issue more with `keys create`)');
        return 0;
      }
      const created = await apiKeyRepository(pool).create('admin', rest[0] ?? 'bootstrap admin');
      console.error(`created the first admin key ${created.id}; it is shown once, store it now:`);
      console.log(created.key);
      return 0;
    }
    console.error(USAGE);
    return 2;
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
