/**
 * The console's pages against a read model holding 1,000 loans, 1,000 reviews and 1,000 call tasks:
 * each page's calls over real HTTP with the session cookie, as the browser makes them, p50 / p95 /
 * max per page (dev server: the review page's credit line is applied by update-with-start):
 * `npx tsx bench/console-pages.bench.ts [runs-per-page]`.
 */
import { randomUUID } from 'node:crypto';
import { collectionRepository } from '../db/collection';
import { operationsRepository } from '../db/operations';
import { applicationBody, idNumberGrantingUpTo } from '../test/support/applicants';
import { buildConsole } from '../web/build';
import { benchStack, type BenchStack, call } from './stack';
import { atMost, benchMain, type BenchRow, pct, row } from './table';

const LOANS = 1_000;
const BUDGET_MS = 200;
/** The dashboard's latest day and the three earlier ones it asks. */
const SNAPSHOT_DATES = ['2038-01-04', '2038-01-01', '2038-01-02', '2038-01-03'];
const PRODUCT = 'bench-lat';

/** The bench's database is fresh each run, so its rows need no scoping or removal. */
async function seed(s: BenchStack) {
  await s.pool.query(
    `insert into credit_lines (id, customer_id, product_code, status, currency, requested_limit)
     select 'cl_lat' || n, 'cust_lat', $1, 'pending_review', 'CNY', 6000000
       from generate_series(1, $2) n`,
    [PRODUCT, LOANS],
  );
  await s.pool.query(
    `insert into loans (id, credit_line_id, customer_id, product_code, status, currency, principal, outstanding, dpd, bucket)
     select 'ln_lat' || n, 'cl_lat' || n, 'cust_lat', $1,
            (array['active', 'delinquent', 'closed'])[1 + n % 3], 'CNY', 1000000, 500000, (n % 3) * 20, (array['M0', 'M1', 'M0'])[1 + n % 3]
       from generate_series(1, $2) n`,
    [PRODUCT, LOANS],
  );
  await s.pool.query(
    `insert into reviews (id, credit_line_id, status, reviewers_required, approvals, proposed_limit, currency, grade, escalations, due_at)
     select 'rv_cl_lat' || n, 'cl_lat' || n, 'pending', 1 + n % 2, '[]', 6000000, 'CNY', 'B', n % 5 / 4,
            now() + interval '30 days' + make_interval(mins => n)
       from generate_series(1, $1) n`,
    [LOANS],
  );
  const tasks = collectionRepository(s.pool);
  for (let i = 0; i < LOANS; i += 50)
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        tasks.createTask({
          id: `ct_lat${i + j}`,
          loanId: `ln_lat${i + j}`,
          customerId: 'cust_lat',
          bucket: 'M1',
          dpd: 20,
          timeZone: 'Asia/Shanghai',
          notBefore: new Date(Date.now() - 3_600_000).toISOString(),
          notAfter: new Date(Date.now() + 12 * 3_600_000 + (i + j) * 1000).toISOString(),
        }),
      ),
    );
  // Every day the dashboard asks has a snapshot, so no call is a cheap 404.
  for (const date of SNAPSHOT_DATES) await operationsRepository(s.pool).snapshotPortfolio(date);
}

async function signIn(s: BenchStack, apiKey: string): Promise<string> {
  const res = await fetch(`${s.base}/console/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiKey }),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!res.ok || !cookie) throw new Error(`console sign-in: ${res.status} ${await res.text()}`);
  return cookie;
}

/** Throws on a failed call so a broken page is never timed as a fast one. */
async function fetchOk(url: string, cookie?: string): Promise<Response> {
  const res = await fetch(url, cookie ? { headers: { Cookie: cookie } } : {});
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res;
}

async function timed(runs: number, page: () => Promise<unknown>): Promise<number[]> {
  await page(); // warm: prepared plans, the workflow in the worker's cache
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await page();
    ms.push(performance.now() - t);
  }
  return ms;
}

export async function consolePagesBench(args: string[]): Promise<BenchRow[]> {
  const runs = Number(args[0] ?? 25);
  await buildConsole();
  const s = await benchStack('loanflow_console_bench', 'dev');
  try {
    console.error('console-pages: seeding');
    await seed(s);
    const amount = 6_000_000;
    const applied = await call(
      s,
      s.keys.client,
      'POST',
      '/v1/credit-lines',
      applicationBody({ amount, idNumber: await idNumberGrantingUpTo(amount) }),
      randomUUID(),
    );
    const reviewId = (applied.review as { id?: string } | undefined)?.id;
    if (!reviewId) throw new Error(`the application went to no review: ${JSON.stringify(applied)}`);
    const cookie = {
      reviewer: await signIn(s, s.keys.reviewer),
      collector: await signIn(s, s.keys.collector),
      ops: await signIn(s, s.keys.ops),
    };
    const get = async (path: string, as: string) =>
      (await fetchOk(`${s.base}${path}`, as)).json() as Promise<{ items?: { loanId: string }[] }>;

    const pages: Record<string, () => Promise<unknown>> = {
      'sign-in (/console + assets)': () =>
        Promise.all(
          ['/console', '/console/assets/app.js', '/console/assets/app.css'].map((p) =>
            fetchOk(`${s.base}${p}`).then((r) => r.arrayBuffer()),
          ),
        ),
      'reviewer queue (25 of 1,000 pending)': () =>
        get('/v1/reviews?status=pending&limit=25', cookie.reviewer),
      'review page (dossier from the workflow)': () => get(`/v1/reviews/${reviewId}`, cookie.reviewer),
      'operator dashboard (latest + 13 earlier days)': () =>
        Promise.all([
          get(`/v1/portfolio/metrics?productCode=${PRODUCT}`, cookie.ops),
          ...Array.from({ length: 13 }, (_, k) =>
            fetchOk(
              `${s.base}/v1/portfolio/metrics?productCode=${PRODUCT}&date=2038-01-0${(k % 3) + 1}`,
              cookie.ops,
            ).then((r) => r.arrayBuffer()),
          ),
        ]),
      'loan search (25 newest of the book)': () => get('/v1/loans?status=active&limit=25', cookie.ops),
      'collector tasks (25 tasks + their histories)': async () => {
        const page = await get('/v1/collection-tasks?status=open&limit=25', cookie.collector);
        // An empty queue would time no histories at all.
        if (page.items?.length !== 25) throw new Error(`collector queue: ${page.items?.length} tasks`);
        await Promise.all(
          page.items.map((t) =>
            get(`/v1/collection-tasks?loanId=${t.loanId}&status=done&limit=20`, cookie.collector),
          ),
        );
      },
    };
    const rows: BenchRow[] = [];
    for (const [name, page] of Object.entries(pages)) {
      console.error(`console-pages: ${name}`);
      const ms = await timed(runs, page);
      const p95 = pct(ms, 95);
      rows.push(
        row(
          `console ${name} p95 (1,000 loans)`,
          `≤ ${BUDGET_MS} ms`,
          `p50 ${pct(ms, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${pct(ms, 100).toFixed(1)} ms`,
          p95,
          atMost(BUDGET_MS),
        ),
      );
    }
    return rows;
  } finally {
    await s.stop();
  }
}

if (require.main === module) benchMain(consolePagesBench);
