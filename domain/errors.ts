/**
 * A business-rule violation caused by the caller's input. `field` names the offending input using
 * dotted paths (e.g. `amount`, `fees.origination`) so the API can point at it in problem+json and
 * the CLI can print one clear line.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly field: string,
    message: string,
    readonly code: string = 'invalid',
  ) {
    super(message);
  }
}
