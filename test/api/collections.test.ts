import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import request from 'supertest';
import { idFromKey } from '../../api/idempotency';
import { apiKeyRepository } from '../../db/api-keys';
import { collectionRepository } from '../../db/collection';
import { addDays, localDateAt } from '../../domain/localdate';
import { collectionWorkflowId, type TaskOutcome } from '../../contracts/collection';
import { creditLineWorkflowId } from '../../contracts/credit-line';
import { type ApiHarness, apiHarness } from '../support/api';
import { applicationBody } from '../support/applicants';
import { openCollectionTask, startQuietCollection } from '../support/collection-tasks';
import { testDataConverter } from '../support/temporal';
import { eventually } from '../support/eventually';

let h: ApiHarness;
let repo: ReturnType<typeof collectionRepository>;
let collectorId: string;
beforeAll(async () => {
  h = await apiHarness('test-api-collections');
  repo = collectionRepository(h.pool);
  collectorId = h.actorIds[2]!; // client, reviewer, collector, ...
});
afterAll(async () => {
  await h?.close();
});

const ZONE = 'Asia/Shanghai';
const today = () => localDateAt(Date.now(), ZONE);

const post = (path: string, body: unknown, apiKey: string, key: string | null = randomUUID()) => {
  const req = request(h.app).post(path).set('Authorization', `Bearer ${apiKey}`);
  return (key ? req.set('Idempotency-Key', key) : req).send(body as object);
};
const get = (path: string, apiKey: string) =>
  request(h.app).get(path).set('Authorization', `Bearer ${apiKey}`);

const debtor = (loanId: string) => ({ loanId, customerId: 'cust_hash_test', timeZone: ZONE });
async function startCollection(loanId = `ln_${randomUUID()}`) {
  await startQuietCollection(h, debtor(loanId));
  return loanId;
}
/** A task open now (its window straddles the present). */
const openTask = (loanId: string, window = { from: -1, to: 1 }) =>
  openCollectionTask(h, debtor(loanId), window);

/** The outcome signals the collection workflow received, decoded. */
async function signalsTo(loanId: string): Promise<TaskOutcome[]> {
  const history = await h.env.client.workflow.getHandle(collectionWorkflowId(loanId)).fetchHistory();
  const codec = testDataConverter.payloadCodecs![0]!;
  const out: TaskOutcome[] = [];
  for (const e of history.events ?? []) {
    const s = e.workflowExecutionSignaledEventAttributes;
    if (s?.signalName !== 'recordTaskOutcome') continue;
    const [p] = await codec.decode((s.input?.payloads ?? []) as Payload[]);
    out.push(defaultPayloadConverter.fromPayload<TaskOutcome>(p!));
  }
  return out;
}

const auditOf = async (subject: string) =>
  (await h.pool.query('select action from audit_log where subject = $1 order by id', [subject])).rows.map(
    (r) => r.action as string,
  );

async function activeLoan() {
  const line = await post('/v1/credit-lines', applicationBody({ amount: 3_000_000 }), h.keys.client);
  expect(line.body.status).toBe('active');
  const drawn = await post(
    `/v1/credit-lines/${line.body.id}/drawdowns`,
    { amount: { amount: 1_000_000, currency: 'CNY' }, termMonths: 12, purpose: 'home repair' },
    h.keys.client,
  );
  expect(drawn.status).toBe(201);
  const loanId = drawn.body.loanId as string;
  await eventually(
    () => get(`/v1/loans/${loanId}`, h.keys.client),
    (r) => r.body.status === 'active',
  );
  return loanId;
}

describe('call tasks', () => {
  test('GET /v1/collection-tasks: collectors and ops list by loan, status and callable now; others are refused; bad query fields are named', async () => {
    const loanId = `ln_${randomUUID()}`;
    const now = await openTask(loanId);
    const later = await openTask(loanId, { from: 1, to: 3 });
    const past = await openTask(loanId, { from: -3, to: -1 });
    const ids = (res: request.Response) => res.body.items.map((t: { id: string }) => t.id);

    const callable = await get(`/v1/collection-tasks?loanId=${loanId}&callable=true`, h.keys.collector);
    expect(callable.status).toBe(200);
    expect(ids(callable)).toEqual([now]);
    expect(callable.body.items[0]).not.toHaveProperty('customerId');
    expect(ids(await get(`/v1/collection-tasks?loanId=${loanId}&status=open`, h.keys.ops))).toEqual([
      now,
      later,
    ]);
    expect(ids(await get(`/v1/collection-tasks?loanId=${loanId}&status=expired`, h.keys.admin))).toEqual([
      past,
    ]);

    const first = await get(`/v1/collection-tasks?loanId=${loanId}&limit=2`, h.keys.collector);
    expect(ids(first)).toEqual([past, now]);
    const second = await get(
      `/v1/collection-tasks?loanId=${loanId}&limit=2&cursor=${first.body.nextCursor}`,
      h.keys.collector,
    );
    expect(ids(second)).toEqual([later]);
    expect(second.body.nextCursor).toBeNull();

    for (const key of [h.keys.client, h.keys.reviewer]) {
      expect((await get('/v1/collection-tasks', key)).status).toBe(403);
    }
    for (const [query, field] of [
      ['status=finished', 'status'],
      ['callable=yes', 'callable'],
      ['limit=0', 'limit'],
      ['limit=500', 'limit'],
      ['cursor=forged', 'cursor'],
    ]) {
      const res = await get(`/v1/collection-tasks?${query}`, h.keys.collector);
      expect(res.status).toBe(400);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.field).toBe(field);
    }
  });

  test('every bad outcome is refused naming the field; nothing is written and no signal is sent', async () => {
    const loanId = await startCollection();
    const taskId = await openTask(loanId);
    const path = `/v1/collection-tasks/${taskId}/outcome`;
    const promise = { date: addDays(today(), 3), amount: { amount: 50_000, currency: 'CNY' } };
    const cases: [unknown, string, number, string][] = [
      [{}, h.keys.collector, 400, 'outcome'],
      [{ outcome: 'maybe' }, h.keys.collector, 400, 'outcome'],
      [{ outcome: 'promise_to_pay' }, h.keys.collector, 422, 'promise'],
      [{ outcome: 'reached', promise }, h.keys.collector, 422, 'promise'],
      [
        { outcome: 'promise_to_pay', promise: { ...promise, date: '2026-02-30' } },
        h.keys.collector,
        400,
        'promise.date',
      ],
      [
        { outcome: 'promise_to_pay', promise: { date: promise.date } },
        h.keys.collector,
        400,
        'promise.amount',
      ],
      [
        { outcome: 'promise_to_pay', promise: { ...promise, amount: { amount: -5, currency: 'CNY' } } },
        h.keys.collector,
        400,
        'promise.amount.amount',
      ],
      [
        { outcome: 'promise_to_pay', promise: { ...promise, date: addDays(today(), -1) } },
        h.keys.collector,
        422,
        'promise.date',
      ],
      [{ outcome: 'reached', note: 'call him on 138 0013 8000' }, h.keys.collector, 422, 'note'],
      [{ outcome: 'reached', note: '   ' }, h.keys.collector, 400, 'note'],
    ];
    for (const [body, key, status, field] of cases) {
      const res = await post(path, body, key);
      expect({ body, status: res.status, field: res.body.field }).toEqual({ body, status, field });
      expect(res.type).toBe('application/problem+json');
    }
    const noKey = await post(path, { outcome: 'reached' }, h.keys.collector, null);
    expect([noKey.status, noKey.body.field]).toEqual([400, 'Idempotency-Key']);
    for (const key of [h.keys.client, h.keys.reviewer, h.keys.ops]) {
      expect((await post(path, { outcome: 'reached' }, key)).status).toBe(403);
    }
    const unknown = await post(
      `/v1/collection-tasks/ct_${randomUUID()}/outcome`,
      { outcome: 'reached' },
      h.keys.collector,
    );
    expect(unknown.status).toBe(404);

    expect((await repo.getTask(taskId))?.status).toBe('open');
    expect(await repo.contacts(loanId)).toEqual([]);
    expect(await signalsTo(loanId)).toEqual([]);
    expect(await auditOf(loanId)).toEqual([]);
  });

  test('an outcome retried with the same Idempotency-Key is recorded and signalled once; a different report is a 409', async () => {
    const loanId = await startCollection();
    const taskId = await openTask(loanId);
    const path = `/v1/collection-tasks/${taskId}/outcome`;
    const key = randomUUID();
    const body = {
      outcome: 'promise_to_pay',
      note: 'salary arrives Friday',
      promise: { date: addDays(today(), 3), amount: { amount: 50_000, currency: 'CNY' } },
    };
    const first = await post(path, body, h.keys.collector, key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      id: taskId,
      loanId,
      status: 'done',
      outcome: 'promise_to_pay',
      collectorId,
    });
    const again = await post(path, body, h.keys.collector, key);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);

    // A signal that arrives while a workflow task is running is buffered out of the history until it ends.
    let signals = await signalsTo(loanId);
    for (let i = 0; i < 50 && signals.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      signals = await signalsTo(loanId);
    }
    expect(signals).toEqual([
      {
        taskId,
        outcome: 'promise_to_pay',
        collectorId,
        note: 'salary arrives Friday',
        at: first.body.outcomeAt,
        promise: { ...body.promise, promiseId: idFromKey('ptp', collectorId, key, 'promise') },
      },
    ]);
    expect((await repo.contacts(loanId)).map((c) => [c.channel, c.outcome, c.taskId])).toEqual([
      ['call', 'promise_to_pay', taskId],
    ]);

    const other = await post(path, { outcome: 'refused' }, h.keys.collector);
    expect([other.status, other.body.field]).toEqual([409, 'task']);
    expect(await signalsTo(loanId)).toHaveLength(1);
    expect(await auditOf(loanId)).toEqual(['collection.task_outcome']);
  });

  test('an outcome for a cancelled task, or for a loan not in collection, is a 409 and records nothing', async () => {
    const loanId = await startCollection();
    const cancelled = await openTask(loanId);
    await repo.closeOpenTasks(loanId, 'cured');
    const res = await post(
      `/v1/collection-tasks/${cancelled}/outcome`,
      { outcome: 'reached' },
      h.keys.collector,
    );
    expect([res.status, res.body.field]).toEqual([409, 'task']);
    expect(res.body.detail).toMatch(/cancelled/);

    const orphan = await openTask(`ln_${randomUUID()}`);
    const noCollection = await post(
      `/v1/collection-tasks/${orphan}/outcome`,
      { outcome: 'reached' },
      h.keys.collector,
    );
    expect([noCollection.status, noCollection.body.field]).toEqual([409, 'loan']);
    expect((await repo.getTask(orphan))?.status).toBe('open');
    expect(await signalsTo(loanId)).toEqual([]);
  });
});

describe('promises to pay', () => {
  test('a promise is recorded once per key; a second open one is refused with its field and rule code', async () => {
    const loanId = await startCollection();
    const path = `/v1/loans/${loanId}/promises-to-pay`;
    const body = { date: addDays(today(), 5), amount: { amount: 60_000, currency: 'CNY' } };
    const key = randomUUID();
    const first = await post(path, body, h.keys.collector, key);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      id: idFromKey('ptp', collectorId, key, 'promise'),
      date: body.date,
      amount: body.amount,
      status: 'open',
      recordedBy: collectorId,
    });
    expect((await post(path, body, h.keys.collector, key)).body).toEqual(first.body);
    const second = await post(path, body, h.keys.collector);
    expect(second.status).toBe(422);
    expect(second.body.field).toBe('promise');
    expect(second.body.errors[0].code).toBe('promise_open');
    expect(await auditOf(loanId)).toEqual(['collection.promise_to_pay']);
  });

  test('bad promises are refused naming the field and record nothing; a loan not in collection is a 409', async () => {
    const loanId = await startCollection();
    const path = `/v1/loans/${loanId}/promises-to-pay`;
    const amount = { amount: 60_000, currency: 'CNY' };
    const cases: [unknown, string, number, string, string?][] = [
      [{ amount }, h.keys.collector, 400, 'date'],
      [{ date: 'tomorrow', amount }, h.keys.collector, 400, 'date'],
      [{ date: addDays(today(), 5) }, h.keys.collector, 400, 'amount'],
      [
        { date: addDays(today(), 5), amount: { amount: 1.5, currency: 'CNY' } },
        h.keys.collector,
        400,
        'amount.amount',
      ],
      [{ date: addDays(today(), 5), amount, extra: 1 }, h.keys.collector, 400, 'extra'],
      [{ date: addDays(today(), 60), amount }, h.keys.collector, 422, 'date', 'date_out_of_range'],
      [{ date: addDays(today(), -1), amount }, h.keys.collector, 422, 'date', 'date_out_of_range'],
      [
        { date: addDays(today(), 5), amount: { amount: 9_000_000, currency: 'CNY' } },
        h.keys.collector,
        422,
        'amount.amount',
        'amount_above_outstanding',
      ],
      [{ date: addDays(today(), 5), amount }, h.keys.client, 403, 'Authorization'],
      [{ date: addDays(today(), 5), amount }, h.keys.reviewer, 403, 'Authorization'],
    ];
    for (const [body, key, status, field, code] of cases) {
      const res = await post(path, body, key);
      expect({ body, status: res.status, field: res.body.field ?? '' }).toEqual({ body, status, field });
      if (code) expect(res.body.errors[0].code).toBe(code);
    }
    const view = await h.env.client.workflow.getHandle(collectionWorkflowId(loanId)).query('getCollection');
    expect((view as { promises: unknown[] }).promises).toEqual([]);

    const stray = await post(
      `/v1/loans/ln_${randomUUID()}/promises-to-pay`,
      { date: addDays(today(), 5), amount },
      h.keys.collector,
    );
    expect([stray.status, stray.body.field]).toEqual([409, 'loan']);
    expect(stray.body.detail).toMatch(/not in collection/);
    expect(await auditOf(loanId)).toEqual([]);
  });
});

describe('settlements', () => {
  test('a collector offers, a reviewer approves at the nested route; refusals carry the field and rule code', async () => {
    const loanId = await startCollection(await activeLoan());
    const offers = `/v1/loans/${loanId}/settlement-offers`;
    const offer = {
      amount: { amount: 1_010_000, currency: 'CNY' },
      payBy: addDays(today(), 10),
      reason: 'hardship',
    };

    for (const [body, key, status, field, code] of [
      [{ ...offer, reason: undefined }, h.keys.collector, 400, 'reason'],
      [{ ...offer, payBy: '20261201' }, h.keys.collector, 400, 'payBy'],
      [offer, h.keys.reviewer, 403, 'Authorization'],
      [
        { ...offer, amount: { amount: 900_000, currency: 'CNY' } },
        h.keys.collector,
        422,
        'amount.amount',
        'below_floor',
      ],
      [{ ...offer, payBy: addDays(today(), 90) }, h.keys.collector, 422, 'payBy', 'date_out_of_range'],
    ] as [unknown, string, number, string, string?][]) {
      const res = await post(offers, body, key);
      expect({ body, status: res.status, field: res.body.field ?? '' }).toEqual({ body, status, field });
      if (code) expect(res.body.errors[0].code).toBe(code);
    }

    const made = await post(offers, offer, h.keys.collector);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      status: 'pending_approval',
      waived: 60_000,
      reviewersRequired: 1,
      proposedBy: collectorId,
    });
    const decide = (offerId: string, body: unknown, key: string) =>
      post(`${offers}/${offerId}/decision`, body, key);

    expect((await decide(made.body.id, { decision: 'approve', reason: 'ok' }, h.keys.collector)).status).toBe(
      403,
    );
    const noReason = await decide(made.body.id, { decision: 'approve' }, h.keys.reviewer);
    expect([noReason.status, noReason.body.field]).toEqual([400, 'reason']);
    const unknown = await decide('so_unknown', { decision: 'approve', reason: 'ok' }, h.keys.reviewer);
    expect([unknown.status, unknown.body.field]).toEqual([404, 'offerId']);

    const approved = await decide(
      made.body.id,
      { decision: 'approve', reason: 'documents checked' },
      h.keys.reviewer,
    );
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id: made.body.id, status: 'approved', approvals: [h.actorIds[1]] });
    const late = await decide(
      made.body.id,
      { decision: 'decline', reason: 'too generous' },
      h.keys.reviewer2,
    );
    expect([late.status, late.body.field, late.body.errors[0].code]).toEqual([422, 'offer', 'not_pending']);

    const loan = await get(`/v1/loans/${loanId}`, h.keys.ops);
    expect(loan.status).toBe(200);
    const actions = (await auditOf(loanId)).filter((a) => a.startsWith('collection.'));
    expect(actions).toEqual(['collection.settlement_offer', 'collection.settlement_decision']);
  });
});

describe('extensions', () => {
  test("only the loan's own client may extend; the policy's refusal names the field and rule; a grant is replayed per key", async () => {
    const loanId = await activeLoan();
    const path = `/v1/loans/${loanId}/extensions`;
    const stranger = (await apiKeyRepository(h.pool).create('client', 'another client')).key;

    expect((await post(path, { days: 10 }, stranger)).status).toBe(404);
    expect((await post(path, { days: 10 }, h.keys.collector)).status).toBe(403);
    for (const [body, field] of [
      [{}, 'days'],
      [{ days: 0 }, 'days'],
      [{ days: 2.5 }, 'days'],
      [{ days: '10' }, 'days'],
    ] as [unknown, string][]) {
      const res = await post(path, body, h.keys.client);
      expect({ body, status: res.status, field: res.body.field }).toEqual({ body, status: 400, field });
    }
    const early = await post(path, { days: 10 }, h.keys.client);
    expect([early.status, early.body.field, early.body.errors[0].code]).toEqual([
      422,
      'loan',
      'extension_min_paid',
    ]);

    const schedule = await get(`/v1/loans/${loanId}/schedule`, h.keys.client);
    const firstDue = schedule.body.installments[0];
    const paid = await post(
      `/v1/loans/${loanId}/repayments`,
      { amount: { amount: firstDue.total, currency: 'CNY' }, channel: 'app' },
      h.keys.client,
    );
    expect(paid.status).toBe(201);

    const key = randomUUID();
    const granted = await post(path, { days: 10 }, h.keys.client, key);
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({ days: 10, extensionsUsed: 1 });
    expect(granted.body.dueDates[0]).toMatchObject({
      from: schedule.body.installments[1].dueDate,
      to: addDays(schedule.body.installments[1].dueDate, 10),
    });
    expect((await post(path, { days: 10 }, h.keys.client, key)).body).toEqual(granted.body);
    const twice = await post(path, { days: 5 }, h.keys.client);
    expect([twice.status, twice.body.field, twice.body.errors[0].code]).toEqual([
      422,
      'loan',
      'extension_limit',
    ]);
    expect((await auditOf(loanId)).filter((a) => a === 'loan.extension')).toEqual(['loan.extension']);
  });

  test("the loan's owner reaches it when its line's workflow cannot answer (gone past retention)", async () => {
    const loanId = await activeLoan();
    const { creditLineId } = (await get(`/v1/loans/${loanId}`, h.keys.client)).body;
    await h.env.client.workflowService.deleteWorkflowExecution({
      namespace: h.env.namespace ?? 'default',
      workflowExecution: { workflowId: creditLineWorkflowId(creditLineId) },
    });
    await eventually(
      () =>
        h.env.client.workflow
          .getHandle(creditLineWorkflowId(creditLineId))
          .describe()
          .then(
            () => false,
            () => true,
          ),
      (gone) => gone,
    );
    // Ownership comes from the line's row: the policy answers, not a 404 for a line nobody can query.
    const early = await post(`/v1/loans/${loanId}/extensions`, { days: 10 }, h.keys.client);
    expect([early.status, early.body.errors?.[0]?.code]).toEqual([422, 'extension_min_paid']);
    const stranger = (await apiKeyRepository(h.pool).create('client', 'another client')).key;
    expect((await post(`/v1/loans/${loanId}/extensions`, { days: 10 }, stranger)).status).toBe(404);
  });
});

test('the OpenAPI document lists the collection routes with their schemas', async () => {
  const doc = (await request(h.app).get('/openapi.json')).body;
  for (const path of [
    '/v1/collection-tasks',
    '/v1/collection-tasks/{id}/outcome',
    '/v1/loans/{id}/promises-to-pay',
    '/v1/loans/{id}/extensions',
    '/v1/loans/{id}/settlement-offers',
    '/v1/loans/{id}/settlement-offers/{offerId}/decision',
  ])
    expect(doc.paths).toHaveProperty([path]);
  expect(Object.keys(doc.components.schemas)).toEqual(
    expect.arrayContaining([
      'TaskOutcome',
      'CollectionTask',
      'PromiseView',
      'SettlementOffer',
      'ExtensionResult',
    ]),
  );
});
