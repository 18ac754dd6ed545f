import { signPayload } from '../../api/webhook-signature';
import { addDays, localDateAt } from '../../domain/localdate';
import { bankCard, idGranting, phone, plainSuffix } from './applicants';
import type { ApiClient } from './client';
import type { Prng } from './prng';

export type LifecycleKind =
  | 'collection'
  | 'autopay'
  | 'delinquent'
  | 'payoff'
  | 'review'
  | 'extension'
  | 'refund'
  | 'flaky-bank'
  | 'refused'
  | 'declined';
/** The slowest first: a collection call falls on DPD 31, minutes into the run even on the test clock. */
export const KINDS: readonly LifecycleKind[] = [
  'collection',
  'autopay',
  'delinquent',
  'payoff',
  'review',
  'extension',
  'refund',
  'flaky-bank',
  'refused',
  'declined',
];
/** What each lifecycle must end as: the loan's status (or the line's, when no loan is drawn). */
export const EXPECTED: Record<LifecycleKind, string> = {
  collection: 'closed',
  autopay: 'closed',
  delinquent: 'closed',
  payoff: 'closed',
  review: 'closed',
  extension: 'closed',
  refund: 'closed',
  'flaky-bank': 'closed',
  refused: 'disbursement_failed',
  declined: 'declined',
};

export interface Lifecycle {
  name: string;
  kind: LifecycleKind;
  lineId?: string;
  loanId?: string;
  state?: string;
  steps: string[];
  error?: string;
  /** Provider callbacks the API accepted (202, not a duplicate), by payment id. */
  callbacks: string[];
  refundsExpected: number;
}

export interface LifecycleDeps {
  api: ApiClient;
  keys: Record<string, string>;
  webhookSecret: string;
  deadline: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Lines of these kinds live on the API's test clock (a business day in seconds), so months pass in minutes. */
export const ON_TEST_CLOCK: ReadonlySet<LifecycleKind> = new Set(['collection', 'autopay', 'delinquent']);
/** Cards whose every debit the sandbox bank refuses (adapters/bank.ts): autopay fails, the loan goes late. */
const UNPAID: ReadonlySet<LifecycleKind> = new Set(['collection', 'delinquent']);
const cny = (amount: number) => ({ amount, currency: 'CNY' });

async function until<T>(
  d: LifecycleDeps,
  what: string,
  read: () => Promise<T>,
  done: (v: T) => boolean,
  everyMs = 1000,
): Promise<T> {
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > d.deadline) throw new Error(`${what}: not reached before the deadline`);
    await sleep(everyMs);
  }
}

/** Drives one lifecycle through the API; every choice (amounts, keys, cards) comes from `r`. */
export async function runLifecycle(
  d: LifecycleDeps,
  r: Prng,
  name: string,
  kind: LifecycleKind,
): Promise<Lifecycle> {
  const onClock = ON_TEST_CLOCK.has(kind);
  const lc: Lifecycle = {
    name,
    kind,
    steps: [],
    callbacks: [],
    refundsExpected: kind === 'refund' || onClock ? 1 : 0,
  };
  const key = (step: string) => `${name}:${step}`;
  const client = d.keys.client as string;
  // A problem body carries a numeric `status` too: only a 200 is the loan.
  const ok = (r: { status: number; body: Record<string, unknown> }) => (r.status === 200 ? r.body : {});
  const getLoan = async () => ok(await d.api.call('GET', `/v1/loans/${lc.loanId}`, { apiKey: client }));
  const step = (s: string) => lc.steps.push(s);
  try {
    const limit = kind === 'review' ? r.int(50, 120) * 100_000 : r.int(20, 45) * 100_000;
    const suffix =
      kind === 'refused' ? '0002' : kind === 'flaky-bank' ? '0003' : UNPAID.has(kind) ? '0004' : '';
    const card = bankCard(r, suffix || plainSuffix(r));
    const body = {
      customer: {
        name: '张三',
        idNumber: await idGranting(r, limit),
        phone: phone(r, kind === 'declined' ? '0000' : plainSuffix(r)),
        bankCard: card,
      },
      productCode: 'cash-installment',
      requestedLimit: cny(limit),
      consents: { bureauQuery: { version: 'bq-2026-01', acceptedAt: '2026-11-20T10:00:00+08:00' } },
    };
    const applied = await d.api.effect(name, 'apply', '/v1/credit-lines', {
      key: key('apply'),
      apiKey: client,
      body,
      ...(onClock ? { headers: { 'loanflow-test-clock': '1' } } : {}),
    });
    if (applied.status !== 201 && applied.status !== 200) throw new Error(`apply: ${applied.status}`);
    lc.lineId = applied.body.id as string;
    lc.state = applied.body.status as string;
    step(`apply:${lc.state}`);
    if (kind === 'declined') return lc;
    if (lc.state === 'pending_review') {
      const reviews = await until(
        d,
        'review listed',
        async () =>
          (
            await d.api.call('GET', `/v1/reviews?status=pending&limit=100`, {
              apiKey: d.keys.reviewer as string,
            })
          ).body,
        (b) =>
          ((b.items as { creditLineId: string }[] | undefined) ?? []).some(
            (i) => i.creditLineId === lc.lineId,
          ),
      );
      const review = (reviews.items as { id: string; creditLineId: string }[]).find(
        (i) => i.creditLineId === lc.lineId,
      );
      const decided = await d.api.effect(name, 'review', `/v1/reviews/${review?.id}/decision`, {
        key: key('review'),
        apiKey: d.keys.reviewer as string,
        body: { decision: 'approve', reason: 'chaos run: income verified' },
      });
      step(`review:${decided.status}`);
      await until(
        d,
        'line active',
        async () => ok(await d.api.call('GET', `/v1/credit-lines/${lc.lineId}`, { apiKey: client })),
        (b) => b.status === 'active',
      );
    }
    const amount = r.int(5, 15) * 100_000;
    const drawn = await d.api.effect(name, 'drawdown', `/v1/credit-lines/${lc.lineId}/drawdowns`, {
      key: key('drawdown'),
      apiKey: client,
      body: { amount: cny(amount), termMonths: onClock ? 3 : r.pick([3, 6, 12]), purpose: 'chaos run' },
    });
    if (drawn.status !== 201) throw new Error(`drawdown: ${drawn.status} ${JSON.stringify(drawn.body)}`);
    lc.loanId = drawn.body.loanId as string;
    const started = await until(
      d,
      'disbursed',
      getLoan,
      (b) => typeof b.status === 'string' && b.status !== 'disbursing',
    );
    lc.state = started.status as string;
    step(`disbursement:${lc.state}`);
    if (lc.state !== 'active') return lc;
    if (onClock) await serviceOnTestClock(d, lc, r, getLoan);
    else await serviceByApp(d, lc, r, key);
    const end = await until(
      d,
      'closed',
      getLoan,
      (b) =>
        b.status === 'closed' && ((b.refunds as unknown[] | undefined) ?? []).length === lc.refundsExpected,
    );
    lc.state = end.status as string;
    step(`end:${lc.state}`);
  } catch (err) {
    lc.error = err instanceof Error ? err.message : String(err);
  }
  return lc;
}

/** Repayments through the app (a part, or the first installment then an extension), a provider callback, then payoff. */
async function serviceByApp(
  d: LifecycleDeps,
  lc: Lifecycle,
  r: Prng,
  key: (step: string) => string,
): Promise<void> {
  const client = d.keys.client as string;
  const step = (s: string) => lc.steps.push(s);
  const kind = lc.kind;
  if (kind === 'extension') {
    const schedule = await d.api.call('GET', `/v1/loans/${lc.loanId}/schedule`, { apiKey: client });
    const due = (schedule.body.installments as { total: number }[] | undefined)?.[0]?.total ?? 0;
    const paid = await d.api.effect(lc.name, 'repayment', `/v1/loans/${lc.loanId}/repayments`, {
      key: key('pay-first'),
      apiKey: client,
      body: { amount: cny(due), channel: 'app' },
    });
    step(`pay-first:${paid.status}`);
    const ext = await d.api.effect(lc.name, 'extension', `/v1/loans/${lc.loanId}/extensions`, {
      key: key('extension'),
      apiKey: client,
      body: { days: r.int(5, 30) },
    });
    step(`extension:${ext.status}`);
    if (ext.status !== 201) throw new Error(`extension: ${ext.status} ${JSON.stringify(ext.body)}`);
  } else {
    const part = r.int(1, 5) * 10_000;
    const paid = await d.api.effect(lc.name, 'repayment', `/v1/loans/${lc.loanId}/repayments`, {
      key: key('pay-part'),
      apiKey: client,
      body: { amount: cny(part), channel: 'app' },
    });
    step(`repayment:${paid.status}`);
  }
  await callback(d, lc, `prov-${lc.name}-1`, r.int(1, 3) * 10_000);

  const quote = await d.api.call('GET', `/v1/loans/${lc.loanId}/payoff-quote`, { apiKey: client });
  const payoff = ((quote.body.amount as { amount: number } | undefined)?.amount ?? 0) as number;
  if (kind === 'refund') await callback(d, lc, `prov-${lc.name}-payoff`, payoff + r.int(1, 9) * 1_000);
  else {
    const paid = await d.api.effect(lc.name, 'repayment', `/v1/loans/${lc.loanId}/repayments`, {
      key: key('payoff'),
      apiKey: client,
      body: { amount: cny(payoff), channel: 'app' },
    });
    step(`payoff:${paid.status}`);
  }
}

/**
 * Months of servicing on the test clock: the first installment autopaid after its reminder, or
 * autopay failing into delinquency and, for `collection`, a collector's call with a promise to pay.
 * The loan is then paid off by the provider's callback with a little over the payoff (interest
 * accrues by the second here), and the excess is refunded.
 */
async function serviceOnTestClock(
  d: LifecycleDeps,
  lc: Lifecycle,
  r: Prng,
  getLoan: () => Promise<Record<string, unknown>>,
): Promise<void> {
  const client = d.keys.client as string;
  if (lc.kind === 'autopay') {
    await until(
      d,
      'first installment autopaid',
      async () => (await d.api.call('GET', `/v1/loans/${lc.loanId}/schedule`, { apiKey: client })).body,
      (b) => (b.installments as { status: string }[] | undefined)?.[0]?.status === 'paid',
    );
    lc.steps.push('autopaid:1');
  } else {
    const late = await until(d, 'delinquent', getLoan, (b) => b.status === 'delinquent');
    lc.steps.push(`delinquent:${String(late.bucket)}`);
  }
  if (lc.kind === 'collection') await promiseOnCall(d, lc);
  for (let i = 1; ; i++) {
    const quote = await d.api.call('GET', `/v1/loans/${lc.loanId}/payoff-quote`, { apiKey: client });
    const payoff = (quote.body.amount as { amount: number } | undefined)?.amount ?? 0;
    const paymentId = `prov-${lc.name}-close-${i}`;
    await callback(d, lc, paymentId, payoff + r.int(20, 60) * 100);
    // Pay again only once this payment is on the loan and left some owing: with workers being killed
    // it can take a while to apply, and a second payment sent meanwhile reaches a loan already closed.
    const settled = await until(d, `payment ${paymentId} applied`, getLoan, (b) => {
      const payments = (b.payments as { paymentId: string }[] | undefined) ?? [];
      return b.status === 'closed' || payments.some((p) => p.paymentId === paymentId);
    });
    let closed = settled.status === 'closed';
    // Applied, the loan closes after refunding the excess: give that its time before paying again.
    for (const start = Date.now(); !closed && Date.now() - start < 30_000; await sleep(1000))
      closed = (await getLoan()).status === 'closed';
    if (closed || i >= 5) return;
  }
}

/** A collector finds the loan's call task while it is callable and records a promise to pay. */
async function promiseOnCall(d: LifecycleDeps, lc: Lifecycle): Promise<void> {
  const collector = d.keys.collector as string;
  for (;;) {
    const tasks = await until(
      d,
      'call task callable',
      async () =>
        (
          await d.api.call(
            'GET',
            `/v1/collection-tasks?loanId=${lc.loanId}&status=open&callable=true&limit=10`,
            { apiKey: collector },
          )
        ).body,
      (b) => ((b.items as unknown[] | undefined) ?? []).length > 0,
      // A task is callable for about two seconds of a test-clock day (10:00-20:00 of a 5-second day):
      // a poll a second missed both of a loan's tasks in the full run.
      100,
    );
    const task = (tasks.items as { id: string; timeZone: string }[])[0]!;
    const loan = await d.api.call('GET', `/v1/loans/${lc.loanId}`, { apiKey: d.keys.client as string });
    const owed = (loan.body.outstanding as { amount: number } | undefined)?.amount ?? 0;
    const res = await d.api.effect(lc.name, 'call outcome', `/v1/collection-tasks/${task.id}/outcome`, {
      key: `${lc.name}:outcome:${task.id}`,
      apiKey: collector,
      body: {
        outcome: 'promise_to_pay',
        note: 'chaos run: will pay in full',
        promise: { date: addDays(localDateAt(Date.now(), task.timeZone), 2), amount: cny(owed) },
      },
    });
    // The window of a test-clock day is seconds long: a task that closed meanwhile has a successor.
    if (res.status === 409 || res.status === 422) {
      lc.steps.push('call:window-closed');
      continue;
    }
    lc.steps.push(`call:${res.status}`);
    if (res.status < 300) return;
    throw new Error(`call outcome: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** A signed provider callback, delivered twice (the second must be a duplicate that changes nothing). */
async function callback(d: LifecycleDeps, lc: Lifecycle, paymentId: string, amount: number): Promise<void> {
  const event = {
    eventId: `evt-${paymentId}`,
    type: 'payment.succeeded',
    loanId: lc.loanId,
    paymentId,
    amount: cny(amount),
  };
  const raw = JSON.stringify(event);
  for (let i = 0; i < 2; i++) {
    const signature = signPayload(d.webhookSecret, raw, Math.floor(Date.now() / 1000));
    const res = await d.api.call('POST', '/v1/webhooks/payments', {
      apiKey: '',
      raw,
      headers: { 'loanflow-signature': signature },
    });
    if (res.status === 202 && res.body.accepted === true) lc.callbacks.push(paymentId);
    lc.steps.push(`callback:${res.status}${res.body.duplicate ? ':dup' : ''}`);
  }
}
