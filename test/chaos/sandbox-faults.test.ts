import { seededFaultPlan } from '../../adapters/sandbox-fault-plan';
import { type SandboxCall, startSandboxServer } from '../../adapters/sandbox-server';
import { memorySandboxStore } from '../../adapters/sandbox-store';

const call = (over: Partial<SandboxCall> = {}): SandboxCall => ({
  route: '/bank/payouts',
  key: 'ln_1:disbursement',
  body: {},
  attempt: 1,
  remotePort: 1,
  ...over,
});

describe('seeded provider faults', () => {
  const plan = seededFaultPlan({ seed: 's1', rate: 0.3, hangMs: 11_000, slowMs: 500, maxFaultedAttempts: 3 });

  it('chooses by what is asked, not by when: the same call gets the same fault', () => {
    const calls = Array.from({ length: 200 }, (_, i) => call({ key: `ln_${i}:disbursement` }));
    expect(calls.map(plan)).toEqual(calls.map(plan));
  });

  it('faults about the configured share of calls, some of them as lost answers, none after the last faulted attempt', () => {
    const calls = Array.from({ length: 2000 }, (_, i) => call({ key: `ln_${i}:disbursement` }));
    const kinds = calls.map((c) => plan(c).kind);
    const faulted = kinds.filter((k) => k !== 'none').length / kinds.length;
    expect(faulted).toBeGreaterThan(0.25);
    expect(faulted).toBeLessThan(0.35);
    expect(kinds.filter((k) => k === 'lost').length).toBeGreaterThan(100);
    expect(calls.map((c) => plan({ ...c, attempt: 4 }).kind).every((k) => k === 'none')).toBe(true);
  });
});

describe('the sandbox server under a fault plan', () => {
  it('pays once when the answer is lost, tells of the effect before answering, and answers the retry with the same payout', async () => {
    const effects: string[] = [];
    const phases: string[] = [];
    const server = await startSandboxServer({
      store: memorySandboxStore(),
      faultPlan: (c) => (c.attempt === 1 ? { kind: 'lost' } : { kind: 'none' }),
      onEffect: (c) => void effects.push(`${c.route} ${c.key} ${c.attempt}`),
      onCall: (phase, c, status) => phases.push(`${phase} ${c.attempt}${status ? ` ${status}` : ''}`),
    });
    try {
      const pay = () =>
        fetch(`${server.url}/bank/payouts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'ln_9:disbursement' },
          body: JSON.stringify({
            idempotencyKey: 'ln_9:disbursement',
            amountMinor: 1000,
            currency: 'CNY',
            toCard: '6222020200112233446',
            payee: 'borrower',
          }),
        });
      const lost = await pay();
      expect(lost.status).toBe(503);
      const retried = await pay();
      expect(retried.status).toBe(200);
      const { payoutId } = (await retried.json()) as { payoutId: string };
      expect(effects).toEqual(['/bank/payouts ln_9:disbursement 1', '/bank/payouts ln_9:disbursement 2']);
      expect(phases).toEqual(['begin 1', 'end 1 503', 'begin 2', 'end 2 200']);
      const again = (await (await pay()).json()) as { payoutId: string };
      expect(again.payoutId).toBe(payoutId);
    } finally {
      await server.close();
    }
  });

  it('without a plan keeps the old faultRate behaviour: every call refused before the effect at rate 1', async () => {
    const effects: string[] = [];
    const server = await startSandboxServer({ faultRate: 1, onEffect: (c) => void effects.push(c.route) });
    try {
      const res = await fetch(`${server.url}/lists/screen`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ idNumber: '110101199003076632', phone: '13800138000' }),
      });
      expect(res.status).toBe(503);
      expect(effects).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
