import { idCheckCharacter, isValidCardNumber } from '../../domain/identity';
import { idNumberGrantingUpTo } from '../../test/support/applicants';
import type { Prng } from './prng';

const digits = (r: Prng, n: number) => Array.from({ length: n }, () => r.int(0, 9)).join('');

export function idNumber(r: Prng): string {
  // Sequence code 999 is the sandbox bureau's outage (adapters/bureau.ts): the advance check of
  // `idGranting` asks a bureau of its own that does not retry, so such an applicant failed the run.
  const born = `${r.int(1970, 1999)}0${r.int(1, 9)}1${r.int(0, 9)}`;
  const body = `110101${born}${digits(r, 3).replace(/^999$/, '998')}`;
  return `${body}${idCheckCharacter(body)}`;
}

/** A Luhn-valid card ending in `suffix`; the sandbox bank's behaviours are chosen by the last four digits. */
export function bankCard(r: Prng, suffix: string): string {
  const middle = digits(r, 5);
  for (let d = 0; d <= 9; d++) {
    const card = `622202${d}${middle}${suffix}`;
    if (isValidCardNumber(card)) return card;
  }
  throw new Error('unreachable: one of ten digits satisfies Luhn');
}

/** Sandbox-neutral suffixes: no magic ending (0000/1111 phones, 0001–0005 cards). */
export const plainSuffix = (r: Prng) => String(r.int(2000, 9999));
export const phone = (r: Prng, suffix = plainSuffix(r)) => `13${digits(r, 5)}${suffix}`;

/**
 * An ID whose sandbox bureau file grants `limitMinor` uncapped, so the amount alone decides whether
 * people review it: the sandbox is deterministic, so the real rules can be asked in advance.
 */
export function idGranting(r: Prng, limitMinor: number): Promise<string> {
  return idNumberGrantingUpTo(limitMinor, () => idNumber(r));
}
