import { randomInt, randomUUID } from 'node:crypto';
import { idCheckCharacter, isValidCardNumber } from '../../domain/identity';
import type { CreditLineApplication } from '../../workflows/messages';

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

export function applicationBody(overrides: { card?: string; phone?: string; amount?: number; productCode?: string } = {}) {
  return {
    customer: { name: '张三', idNumber: idNumber(), phone: overrides.phone ?? phone(), bankCard: overrides.card ?? bankCard() },
    productCode: overrides.productCode ?? 'cash-installment',
    requestedLimit: { amount: overrides.amount ?? 2_000_000, currency: 'CNY' },
    consents: { bureauQuery: { version: 'bq-2026-01', acceptedAt: '2026-11-20T10:00:00+08:00' } },
  };
}

export function application(overrides: Parameters<typeof applicationBody>[0] = {}): CreditLineApplication {
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
