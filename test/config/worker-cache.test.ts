import { randomBytes } from 'node:crypto';
import { loadEnv, WORKER_SECRETS } from '../../config/env';
import { cachedWorkflowsFor, KIB_PER_CACHED_LOAN } from '../../worker/cache';

const env = (extra: Record<string, string>) =>
  loadEnv(
    {
      DATABASE_URL: 'postgres://loanflow@127.0.0.1:1/loanflow',
      PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      ...extra,
    },
    WORKER_SECRETS,
  );

test('the cache holds as many loans as fit in its budget at their worst measured size', () => {
  expect(cachedWorkflowsFor(1024)).toBe(Math.floor((1024 * 1024) / KIB_PER_CACHED_LOAN));
  expect(cachedWorkflowsFor(1024) * KIB_PER_CACHED_LOAN).toBeLessThanOrEqual(1024 * 1024);
  expect(cachedWorkflowsFor(15_000)).toBe(10_000); // 10,000 open loans all cached in 15 GB
  expect(cachedWorkflowsFor(1, 4096)).toBe(2); // the SDK's least
});

test('the worker reads its cache budget in MiB, 1 GiB unless set, and refuses one too small to serve', () => {
  expect(env({}).WORKER_CACHE_MB).toBe(1024);
  expect(env({ WORKER_CACHE_MB: '4096' }).WORKER_CACHE_MB).toBe(4096);
  expect(() => env({ WORKER_CACHE_MB: '10' })).toThrow(/WORKER_CACHE_MB/);
  expect(() => env({ WORKER_CACHE_MB: 'lots' })).toThrow(/WORKER_CACHE_MB/);
});
