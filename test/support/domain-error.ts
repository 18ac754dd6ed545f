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

/** Asserts that a workflow update was refused by its validator with a DomainError naming `field` (and `code`). */
export async function expectDomainFailure(
  call: Promise<unknown>,
  field: string,
  code?: string,
): Promise<void> {
  const err = await call.then(
    () => null,
    (e: unknown) => e as { cause?: { type?: string; details?: unknown[] } },
  );
  if (!err) throw new Error(`expected the update to be refused on ${field}`);
  expect(err.cause?.type).toBe('DomainError');
  expect(err.cause?.details?.[0]).toMatchObject(code ? { field, code } : { field });
}
