import { createPool } from '../../db/pool';
import { testPool } from '../support/db';

test('an idle connection the server drops is heard, not an unhandled error, and the next query reconnects', async () => {
  const heard: Error[] = [];
  const pool = createPool(process.env.TEST_DATABASE_URL!, (err) => heard.push(err));
  const admin = testPool();
  try {
    const { rows } = await pool.query<{ pid: number }>('select pg_backend_pid() as pid');
    // As a PostgreSQL restart or a dropped database does to every idle connection.
    await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
    for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(heard.map((e) => e.message)).toEqual([expect.stringMatching(/terminat/)]);
    const again = await pool.query<{ one: number }>('select 1 as one');
    expect(again.rows).toEqual([{ one: 1 }]);
  } finally {
    await pool.end();
    await admin.end();
  }
});
