import { randomInt, randomUUID } from 'node:crypto';
import { idCheckCharacter, isValidCardNumber } from '../../domain/identity';
import { SandboxCreditBureau } from '../../adapters/bureau';
import { creditBoundsFor } from '../../domain/credit-line';
import { decideCredit } from '../../domain/decision';
import { getProduct } from '../../domain/products';
import type { CreditLineApplication } from '../../contracts/credit-line';

/** A valid GB 11643 ID number for someone born on `birth` (YYYYMMDD). */
export function idNumber(birth = '19900101', region = '110101'): string {
  const body = `${region}${birth}${String(randomInt(0, 999)).padStart(3, '0')}`;
  return `${body}${idCheckCharacter(body)}`;
}

/** A Luhn-valid card whose last four digits are `suffix` (sandbox magic values end this way). */
export function bankCard(suffix = String(randomInt(1000, 9999)).padStart(4, '0')): string {
  const middle = Array.from({ length: 5 }, () => randomInt(0, 10)).join('');
  for (let d = 0; d <= 9; d++) {
    const card = `622202${d}${middle}${suffix}`;
    if (isValidCardNumber(card)) return card;
  }
  throw new Error('unreachable: one of ten digits always satisfies Luhn');
}

export function phone(suffix = String(randomInt(2000, 9999))): string {
  return `13${String(randomInt(0, 10 ** (9 - suffix.length))).padStart(9 - suffix.length, '0')}${suffix}`;
}

export interface ApplicantOverrides {
  card?: string;
  phone?: string;
  amount?: number;
  productCode?: string;
  idNumber?: string;
}

export function applicationBody(overrides: ApplicantOverrides = {}) {
  return {
    customer: {
      name: '张三',
      idNumber: overrides.idNumber ?? idNumber(),
      phone: overrides.phone ?? phone(),
      bankCard: overrides.card ?? bankCard(),
    },
    productCode: overrides.productCode ?? 'cash-installment',
    requestedLimit: { amount: overrides.amount ?? 2_000_000, currency: 'CNY' },
    consents: { bureauQuery: { version: 'bq-2026-01', acceptedAt: '2026-11-20T10:00:00+08:00' } },
  };
}

export function application(overrides: ApplicantOverrides = {}): CreditLineApplication {
  const body = applicationBody(overrides);
  return {
    creditLineId: `cl_test_${randomUUID()}`,
    customerId: `cus_test_${randomUUID()}`,
    applicant: body.customer,
    productCode: body.productCode,
    requestedLimit: { amount: body.requestedLimit.amount, currency: 'CNY' },
    consents: body.consents,
    submittedBy: 'key_test_client',
  };
}

/**
 * The real credit rules' decision on each of up to 500 applicants from `nextId`, over the file the
 * sandbox bureau keeps for that ID, listed nowhere and identified: a test takes the first that fits.
 */
export async function* sandboxDecisions(
  nextId: () => string,
  limitMinor: number,
  asOf: string,
  productCode = 'cash-installment',
) {
  const bureau = new SandboxCreditBureau();
  for (let i = 0; i < 500; i++) {
    const id = nextId();
    const report = await bureau.pullReport(
      { name: 'x', idNumber: id, consent: { version: 'v', acceptedAt: '2026-01-01T00:00:00Z' } },
      `probe-${id}`,
    );
    const decision = decideCredit({
      applicant: { idNumber: id },
      requestedLimit: { amount: limitMinor, currency: 'CNY' },
      product: creditBoundsFor(getProduct(productCode)),
      asOf,
      screening: { listed: null },
      identity: { matched: true },
      bureau: report,
    });
    yield { id, decision, report };
  }
}

/**
 * An ID number whose sandbox bureau file grades high enough for `limitMinor` not to be capped, so
 * the amount alone decides how many reviewers are needed (found by running the real rules).
 */
export async function idNumberGrantingUpTo(
  limitMinor: number,
  nextId: () => string = () => idNumber(),
): Promise<string> {
  for await (const { id, decision } of sandboxDecisions(nextId, limitMinor, '2026-11-22'))
    if (decision.limit.amount === limitMinor) return id;
  throw new Error(`no sandbox applicant grants ${limitMinor}`);
}

/** As idNumberGrantingUpTo, for an applicant the bureau reports owing nothing (about 1 in 50). */
export async function idNumberWithoutDebtsGrantingUpTo(limitMinor: number): Promise<string> {
  for (let round = 0; round < 20; round++)
    for await (const { id, decision, report } of sandboxDecisions(() => idNumber(), limitMinor, '2026-11-22'))
      if (report.currentDebtsMinor === 0 && decision.limit.amount === limitMinor) return id;
  throw new Error(`no debt-free sandbox applicant grants ${limitMinor}`);
}
