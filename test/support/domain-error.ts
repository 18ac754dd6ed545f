import { DomainError } from '../../domain/errors';

/** Asserts that `fn` refuses its input with a DomainError naming `field` (and `code`, when given). */
export function expectDomainError(fn: () => unknown, field: string, code?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).field).toBe(field);
    if (code) expect((e as DomainError).code).toBe(code);
    return;
  }
  throw new Error(`expected a DomainError on ${field}`);
}
