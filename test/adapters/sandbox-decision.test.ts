import fc from 'fast-check';
import { createAdapters, memorySandboxStore } from '../../adapters/index';
import { decideCredit, type CreditInput } from '../../domain/decision';
import { card, consent, idNumber, phone } from './fixtures';

/**
 * The sandbox table (docs/design.md, "Sandbox providers") is a promise to demo users and the workflow tests; this checks
 * that the sandbox providers and the default credit policy keep it together.
 */
const AS_OF = '2026-11-20';
const product = { minAge: 18, maxAge: 60, minLimitMinor: 100_000, maxLimitMinor: 50_000_000 };

async function decide(applicant: { idNumber: string; phone: string; bankCard: string }, amount: number) {
  const a = createAdapters({ mode: 'sandbox', store: memorySandboxStore() });
  const key = `cl_${applicant.idNumber}`;
  const screening = await a.lists.screen(applicant);
  const identity = await a.identity.verifyFourElements({ name: '张三', ...applicant }, `${key}:identity`);
  const bureau = await a.bureau.pullReport(
    { name: '张三', idNumber: applicant.idNumber, consent },
    `${key}:bureau`,
  );
  const input: CreditInput = {
    applicant,
    requestedLimit: { amount, currency: 'CNY' },
    product,
    asOf: AS_OF,
    screening,
    identity: identity.matched ? { matched: true } : { matched: false, reasonCode: identity.reasonCode },
    bureau,
  };
  return decideCredit(input);
}

const birth = fc
  .record({
    y: fc.integer({ min: 1967, max: 2007 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ y, m, d }) => `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`);
const seq = fc.integer({ min: 0, max: 998 }).map((n) => String(n).padStart(3, '0'));
const applicant = fc
  .record({ birth, seq, variant: fc.integer({ min: 0, max: 99_999 }) })
  .map(({ birth: b, seq: s, variant }) => ({
    idNumber: idNumber(b, s),
    phone: phone('2468'),
    bankCard: card('7777', variant),
  }));

test('a well-formed applicant below 50,000.00 is approved for the requested amount', async () => {
  await fc.assert(
    fc.asyncProperty(applicant, fc.integer({ min: 100_000, max: 4_999_999 }), async (who, amount) => {
      const d = await decide(who, amount);
      expect(d.outcome).toBe('approve');
      expect(d.limit.amount).toBe(amount);
    }),
    { numRuns: 300 },
  );
});

test('50,000.00 and more goes to one reviewer, 200,000.00 and more to two', async () => {
  await fc.assert(
    fc.asyncProperty(applicant, fc.integer({ min: 5_000_000, max: 30_000_000 }), async (who, amount) => {
      const d = await decide(who, amount);
      expect(d.outcome).toBe('review');
      expect(d.limit.amount).toBe(amount);
      expect(d.reviewersRequired).toBe(amount >= 20_000_000 ? 2 : 1);
    }),
    { numRuns: 200 },
  );
});

test('the magic values decline with their reason codes, and the whitelist fast-tracks', async () => {
  const id = idNumber('19900101');
  expect(
    (await decide({ idNumber: id, phone: phone('0000'), bankCard: card('1234') }, 1_000_000)).reasons.map(
      (r) => r.code,
    ),
  ).toEqual(['BLACKLISTED']);
  expect(
    (await decide({ idNumber: id, phone: phone('2222'), bankCard: card('0001') }, 1_000_000)).reasons.map(
      (r) => r.code,
    ),
  ).toEqual(['IDENTITY_MISMATCH']);
  const severe = idNumber('19900101', '123', '999998');
  expect(
    (await decide({ idNumber: severe, phone: phone('2222'), bankCard: card('1234') }, 1_000_000)).reasons.map(
      (r) => r.code,
    ),
  ).toEqual(['BUREAU_SEVERE_DELINQUENCY']);
  const weak = idNumber('19900101', '123', '999997');
  expect(
    (await decide({ idNumber: weak, phone: phone('2222'), bankCard: card('1234') }, 1_000_000)).reasons.map(
      (r) => r.code,
    ),
  ).toEqual(['SCORE_TOO_LOW']);
  const fastTracked = await decide(
    { idNumber: weak, phone: phone('1111'), bankCard: card('1234') },
    1_000_000,
  );
  expect(fastTracked).toMatchObject({ outcome: 'approve', whitelisted: true });
});
