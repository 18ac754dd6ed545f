import { LocalDate } from '@js-joda/core';

/**
 * Well-formedness of the four elements. These are format checks only; whether the elements belong
 * together is the bank's four-element verification (an adapter), not ours.
 */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643-1999: 18 characters, 17 digits and a mod-11 check character, with a real birth date. */
export function isValidIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * (ID_WEIGHTS[i] ?? 0);
  if (ID_CHECK[sum % 11] !== id[17]) return false;
  return birthDateOf(id) !== undefined;
}

/** The check character for the first 17 digits; tests and the sandbox use it to make valid ids. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK[sum % 11] ?? '';
}

/** Birth date encoded in positions 7–14, or undefined when it is not a real calendar date. */
export function birthDateOf(id: string): string | undefined {
  const text = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  try {
    return LocalDate.parse(text).toString();
  } catch {
    return undefined;
  }
}

/** Age in whole years on `onDate` (ISO local date). */
export function ageOn(birthDate: string, onDate: string): number {
  const birth = LocalDate.parse(birthDate);
  const on = LocalDate.parse(onDate);
  let age = on.year() - birth.year();
  if (
    on.monthValue() < birth.monthValue() ||
    (on.monthValue() === birth.monthValue() && on.dayOfMonth() < birth.dayOfMonth())
  ) {
    age -= 1;
  }
  return age;
}

/** Luhn mod-10 over a 12–19 digit card number. */
export function isValidCardNumber(card: string): boolean {
  if (!/^\d{12,19}$/.test(card)) return false;
  let sum = 0;
  for (let i = 0; i < card.length; i++) {
    let digit = Number(card[card.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit for a partial card number. */
export function luhnCheckDigit(partial: string): string {
  for (let d = 0; d <= 9; d++) if (isValidCardNumber(`${partial}${d}`)) return String(d);
  return '';
}

/** Mainland mobile numbers: 11 digits starting with 1. */
export function isValidPhone(phone: string): boolean {
  return /^1\d{10}$/.test(phone);
}
