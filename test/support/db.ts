import { createPool, type Pool } from '../../db/pool';

export function testPool(): Pool {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (global setup)');
  return createPool(url);
}
