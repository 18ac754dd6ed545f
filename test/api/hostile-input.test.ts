/**
 * Every route of the OpenAPI document, sent what a hostile or broken client sends: NUL and lone
 * surrogates in strings, strings far over any length, exponent rates, dates out of any range, wrong
 * types, unknown keys, malformed cursors and path ids, the wrong content type and broken JSON. Each
 * answer must be a quick 4xx problem naming the field, and none may write anything.
 */
import request from 'supertest';
import { openApiDocument } from '../../api/openapi';
import { signPayload } from '../../api/webhook-signature';
import { apiKeyRepository } from '../../db/api-keys';
import { type ApiHarness, apiHarness, TEST_WEBHOOK_SECRET } from '../support/api';
import { applicationBody, bankCard, phone } from '../support/applicants';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness('test-api-hostile');
});
afterAll(async () => {
  await h?.close();
});

const money = { amount: 100_000, currency: 'CNY' };
const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** A well-formed request per route; the walk breaks one part of it at a time. */
const SAMPLES: Record<string, { body?: object; query?: Record<string, string> }> = {
  'POST /v1/quotes': {
    body: {
      amount: money,
      annualRate: '0.12',
      termCount: 12,
      method: 'annuity',
      startDate: '2026-01-15',
      dayCount: 'ACT/360',
      period: 'P1M',
      firstDueDate: '2026-02-20',
      fees: { origination: { rate: '0.01', mode: 'deducted' }, servicePerPeriod: { amount: 100 } },
    },
  },
  'POST /v1/credit-lines': {
    body: { ...applicationBody(), customer: { ...applicationBody().customer, deviceId: 'dev-1' } },
  },
  'GET /v1/credit-lines/{id}': {},
  'POST /v1/credit-lines/{id}/drawdowns': {
    body: { amount: money, termMonths: 12, purpose: 'home repair', method: 'annuity', bankCard: bankCard() },
  },
  'POST /v1/credit-lines/{id}/cards': { body: { bankCard: bankCard() } },
  'POST /v1/credit-lines/{id}/info': {
    body: {
      monthlyIncome: money,
      occupation: 'teacher',
      emergencyContact: { name: '李四', phone: phone(), relation: 'sister' },
    },
  },
  'POST /v1/credit-lines/{id}/freeze': { body: { reason: 'fraud alert' } },
  'POST /v1/credit-lines/{id}/unfreeze': { body: { reason: 'cleared' } },
  'POST /v1/credit-lines/{id}/close': { body: { reason: 'customer asked' } },
  'POST /v1/credit-lines/{id}/limit': { body: { reason: 'review', limit: money } },
  'GET /v1/reviews': {
    query: { status: 'pending', dueBefore: '2026-12-01T00:00:00Z', limit: '10', cursor: 'c' },
  },
  'GET /v1/reviews/{id}': {},
  'POST /v1/reviews/{id}/decision': { body: { decision: 'decline', reason: 'too risky' } },
  'GET /v1/loans': {
    query: { status: 'active', bucket: 'M1', stage: 'early', creditLineId: 'cl_x', limit: '10', cursor: 'c' },
  },
  'GET /v1/loans/{id}': {},
  'GET /v1/loans/{id}/schedule': {},
  'GET /v1/loans/{id}/payoff-quote': { query: { date: '2026-12-01' } },
  'POST /v1/loans/{id}/repayments': { body: { amount: money, channel: 'app', mode: 'reduce-term' } },
  'POST /v1/loans/{id}/extensions': { body: { days: 10 } },
  'GET /v1/collection-tasks': {
    query: { status: 'open', loanId: 'ln_x', callable: 'true', limit: '10', cursor: 'c' },
  },
  'POST /v1/collection-tasks/{id}/outcome': {
    body: { outcome: 'promise_to_pay', note: 'will pay', promise: { date: '2026-12-05', amount: money } },
  },
  'POST /v1/loans/{id}/promises-to-pay': { body: { date: '2026-12-05', amount: money } },
  'POST /v1/loans/{id}/settlement-offers': {
    body: { amount: money, payBy: '2026-12-20', reason: 'hardship' },
  },
  'POST /v1/loans/{id}/settlement-offers/{offerId}/decision': { body: { decision: 'approve', reason: 'ok' } },
  'GET /v1/portfolio/metrics': {
    query: { date: '2026-10-31', productCode: 'cash-installment', lagMonths: '1', currency: 'CNY' },
  },
  'GET /v1/portfolio/cashflows': {
    query: { from: '2026-11-01', to: '2026-11-30', productCode: 'cash-installment' },
  },
  'POST /v1/webhooks/payments': {
    body: {
      eventId: 'evt_hostile',
      type: 'payment.succeeded',
      loanId: 'ln_AAAAAAAAAAAAAAAAAAAAAA',
      paymentId: 'prov_1',
      amount: money,
      occurredAt: '2026-11-20T10:00:00+08:00',
    },
  },
};

interface Route {
  method: 'get' | 'post';
  path: string;
  role: keyof ApiHarness['keys'] | 'webhook';
  query: string[];
}

type Op = { summary?: string; 'x-roles'?: string[] | string; parameters?: { in: string; name: string }[] };

/** The first role an operation accepts: `x-roles` where the document has it, else its summary's "(role …)". */
function roleOf(op: Op): Route['role'] {
  const roles = op['x-roles'];
  if (Array.isArray(roles)) return roles[0] as Route['role'];
  if (roles === 'provider') return 'webhook';
  return (/\(role ([a-z]+)/.exec(op.summary ?? '')?.[1] ?? 'webhook') as Route['role'];
}

const ROUTES: Route[] = Object.entries((openApiDocument() as { paths?: Record<string, object> }).paths ?? {})
  .filter(([path]) => path.startsWith('/v1/'))
  .flatMap(([path, ops]) =>
    Object.entries(ops as Record<string, Op>).map(([method, op]) => ({
      method: method as Route['method'],
      path,
      role: roleOf(op),
      query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
    })),
  );
const nameOf = (r: Route) => `${r.method.toUpperCase()} ${r.path}`;

/** A well-formed id of the kind the segment before it names, that no workflow or row has. */
const PREFIX: Record<string, string> = {
  'credit-lines': 'cl',
  loans: 'ln',
  reviews: 'rv',
  'collection-tasks': 'ct',
  'settlement-offers': 'so',
};
const absentId = (segment: string) => `${PREFIX[segment] ?? 'xx'}_hostileAbsent0123456789`;

const HOSTILE_IDS = [
  'x'.repeat(300),
  'cl_%00',
  'cl_%E0%A4%A',
  '..%2F..%2Fetc%2Fpasswd',
  '%F0%9F%92%A5',
  "cl_'%20or%201%3D1--",
  `cl_${'A'.repeat(3000)}`,
  'cl_%ED%A0%80',
];
const HOSTILE_QUERY = [
  '\u0000',
  'v1\u0000',
  'x'.repeat(5_000),
  '1e-99999999',
  '0000-01-01',
  '99999-01-01',
  '-1',
  ['a', 'b'],
];
const HOSTILE_CURSORS = [
  'not-a-cursor!',
  b64('12:ln_\u0000'),
  b64('99999999999999999999:ln_x'),
  b64('-5:ln_x'),
  b64(JSON.stringify({ dueAt: '0000-01-01T00:00:00Z', id: 'rv_x' })),
  b64(JSON.stringify({ dueAt: 'garbage', id: 'rv_x' })),
  b64(JSON.stringify({ dueAt: '2026-01-01T00:00:00Z', id: 'rv_\u0000' })),
  b64(`12:${'a'.repeat(140)}`),
];
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}/;

/** Each leaf and object of a body, by its dotted path. */
function* parts(value: unknown, path: string[] = []): Generator<{ path: string[]; value: unknown }> {
  yield { path, value };
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) yield* parts(v, [...path, k]);
}
function withValue(body: object, path: string[], value: unknown): object {
  if (path.length === 0) return value as object;
  const [head, ...rest] = path as [string, ...string[]];
  return { ...body, [head]: withValue((body as Record<string, object>)[head]!, rest, value) };
}
function mutationsOf(value: unknown): { label: string; value: unknown; status?: number; field?: string }[] {
  if (typeof value === 'string') {
    const out = [
      { label: 'NUL', value: 'v1\u0000' },
      { label: 'lone surrogate', value: 'a\uD800b' },
      { label: '5 kB', value: 'x'.repeat(5_000) },
      { label: '100 kB', value: 'x'.repeat(100_000), status: 413, field: 'body' },
      { label: 'empty', value: '' },
      { label: 'number', value: 5 },
    ];
    // A decimal string must not take an exponent: 1e-99999999 would build a 100 MB number.
    if (/^\d+(\.\d+)?$/.test(value)) out.push({ label: 'exponent', value: '1e-99999999' });
    if (DATE_LIKE.test(value)) {
      const rest = value.slice(10);
      for (const year of ['0000', '1899', '2200', '99999'])
        out.push({ label: `year ${year}`, value: `${year}${value.slice(4, 10)}${rest}` });
    }
    return out;
  }
  if (typeof value === 'number')
    return [-1, 0.5, 1e300, '5', null, true].map((v) => ({ label: JSON.stringify(v), value: v }));
  return [
    { label: 'string', value: 'x' },
    { label: 'array', value: [] },
    { label: 'null', value: null },
  ];
}

interface Case {
  label: string;
  pathParams?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  raw?: { type: string; text: string };
  status?: number;
  field: string | string[];
}

function casesOf(route: Route): Case[] {
  const sample = SAMPLES[nameOf(route)] ?? {};
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const out: Case[] = [];
  for (const p of params)
    for (const id of HOSTILE_IDS)
      out.push({
        label: `path ${p}=${id.slice(0, 40)}`,
        pathParams: { [p]: id },
        body: sample.body,
        field: [p, 'path'],
      });
  for (const q of route.query) {
    const values = q === 'cursor' ? [...HOSTILE_QUERY, ...HOSTILE_CURSORS] : HOSTILE_QUERY;
    for (const v of values)
      out.push({ label: `query ${q}=${JSON.stringify(v).slice(0, 40)}`, query: { [q]: v }, field: q });
  }
  if (route.query.length > 0)
    out.push({ label: 'unknown query aprCap', query: { aprCap: '5' }, field: 'aprCap' });
  if (sample.body) {
    for (const { path, value } of parts(sample.body)) {
      const field = path.join('.');
      if (path.length > 0)
        for (const m of mutationsOf(value))
          out.push({
            label: `${field} ${m.label}`,
            body: withValue(sample.body, path, m.value),
            status: m.status,
            field: m.field ?? field,
          });
      if (value && typeof value === 'object')
        out.push({
          label: `${field || 'body'} + aprCap`,
          body: withValue(sample.body, path, { ...value, aprCap: '5' }),
          field: [...path, 'aprCap'].join('.'),
        });
    }
    out.push({
      label: 'text/plain',
      raw: { type: 'text/plain', text: JSON.stringify(sample.body) },
      status: 415,
      field: 'Content-Type',
    });
    out.push({
      label: 'broken JSON',
      raw: { type: 'application/json', text: '{"amount": ' },
      status: 400,
      field: 'body',
    });
    out.push({
      label: 'latin1 JSON',
      raw: { type: 'application/json; charset=latin1', text: '{}' },
      status: 415,
      field: 'body',
    });
    out.push({ label: 'JSON array', body: [sample.body], field: 'body' });
  }
  return out;
}

let keyCounter = 0;
async function send(route: Route, c: Case) {
  let url = route.path.replace(/\{(\w+)\}/g, (_, p: string) => {
    const before = route.path.split('/').at(route.path.split('/').indexOf(`{${p}}`) - 1)!;
    return c.pathParams?.[p] ?? absentId(before);
  });
  if (c.query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(c.query)) for (const one of [v].flat()) qs.append(k, String(one));
    url += `?${qs.toString()}`;
  }
  const req = route.method === 'get' ? request(h.app).get(url) : request(h.app).post(url);
  req.set('Idempotency-Key', `hostile-${++keyCounter}`);
  const text = c.raw?.text ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
  if (route.role === 'webhook') {
    req.set(
      'Loanflow-Signature',
      signPayload(TEST_WEBHOOK_SECRET, text ?? '', Math.floor(Date.now() / 1000)),
    );
  } else req.set('Authorization', `Bearer ${h.keys[route.role]}`);
  if (text !== undefined) req.set('Content-Type', c.raw?.type ?? 'application/json').send(text);
  const started = performance.now();
  const res = await req;
  return { res, ms: performance.now() - started };
}

test('the walk covers every /v1 route of the OpenAPI document, each with a sample', () => {
  expect(ROUTES.length).toBeGreaterThan(20);
  expect(ROUTES.map(nameOf).filter((n) => !(n in SAMPLES))).toEqual([]);
  expect(ROUTES.filter((r) => r.role !== 'webhook' && !(r.role in h.keys)).map(nameOf)).toEqual([]);
});

describe.each(ROUTES.map((r) => [nameOf(r), r] as const))('%s', (_name, route) => {
  test('refuses every malformed input with a quick 4xx problem naming the field', async () => {
    const failures: string[] = [];
    for (const c of casesOf(route)) {
      const { res, ms } = await send(route, c);
      const fields = [c.field].flat();
      const ok =
        res.status >= 400 &&
        res.status < 500 &&
        (c.status === undefined || res.status === c.status) &&
        String(res.headers['content-type']).startsWith('application/problem+json') &&
        fields.includes(res.body?.field) &&
        ms < 1_000;
      if (!ok)
        failures.push(
          `${c.label}: ${res.status} field=${String(res.body?.field)} (want ${fields.join('|')}${c.status ? ` ${c.status}` : ''}) in ${Math.round(ms)} ms: ${String(res.body?.detail ?? res.text).slice(0, 120)}`,
        );
    }
    expect(failures).toEqual([]);
  });
});

test('none of it wrote anything: no idempotency key, audit row, credit line or callback kept', async () => {
  const actors = h.actorIds;
  const count = async (sql: string, args: unknown[]) => (await h.pool.query(sql, args)).rows[0].n as number;
  expect(await count('select count(*)::int as n from idempotency_keys where actor = any($1)', [actors])).toBe(
    0,
  );
  expect(await count('select count(*)::int as n from audit_log where actor = any($1)', [actors])).toBe(0);
  const client = await apiKeyRepository(h.pool).findActive(h.keys.client);
  const { creditLineIdFor } = await import('../../api/routes/credit-lines');
  const ids = Array.from({ length: keyCounter }, (_, k) => creditLineIdFor(client!.id, `hostile-${k + 1}`));
  expect(await count('select count(*)::int as n from credit_lines where id = any($1)', [ids])).toBe(0);
  expect(
    await count("select count(*)::int as n from webhook_events where event_id like 'evt_hostile%'", []),
  ).toBe(0);
});
