import { idCheckCharacter, isValidCardNumber } from '../../domain/identity';

/** A valid GB 11643 ID number; `seq` and `region` are where the sandbox bureau reads its magic. */
export function idNumber(birth = '19900101', seq = '123', region = '110101'): string {
  const body = `${region}${birth}${seq}`;
  return `${body}${idCheckCharacter(body)}`;
}

/** A Luhn-valid card ending in `suffix`; `variant` gives different cards with the same ending. */
export function card(suffix: string, variant = 0): string {
  const middle = String(variant).padStart(5, '0');
  for (let d = 0; d <= 9; d++) {
    const c = `622202${d}${middle}${suffix}`;
    if (isValidCardNumber(c)) return c;
  }
  throw new Error('unreachable: one of ten digits always satisfies Luhn');
}

export function phone(suffix = '5678'): string {
  return `1380013${suffix}`;
}

export const consent = { version: 'bq-2026-01', acceptedAt: '2026-11-20T10:00:00+08:00' };

/** Rejection of a promise as a plain object, so tests can match its fields. */
export async function failure(
  p: Promise<unknown>,
): Promise<{ name: string; code: string; retryable: boolean; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; code: string; retryable: boolean; status?: number };
    return {
      name: err.name,
      code: err.code,
      retryable: err.retryable,
      ...(err.status === undefined ? {} : { status: err.status }),
    };
  }
  throw new Error('expected the call to fail');
}
