/**
 * Temporal turns a thrown Error into an ApplicationFailure whose `type` is the error's `name`, and a
 * retry policy names its non-retryable types. So retryability is carried in the name itself: an
 * activity's retry policy lists `NON_RETRYABLE_PROVIDER_ERROR` and nothing else has to be mapped.
 */
export const RETRYABLE_PROVIDER_ERROR = 'ProviderRetryableError';
export const NON_RETRYABLE_PROVIDER_ERROR = 'ProviderNonRetryableError';

export type ProviderErrorName = typeof RETRYABLE_PROVIDER_ERROR | typeof NON_RETRYABLE_PROVIDER_ERROR;

/** A provider call that did not produce a business answer. `code` is stable and safe to log. */
export class ProviderError extends Error {
  override readonly name: ProviderErrorName;
  readonly retryable: boolean;
  readonly code: string;
  /** HTTP status when the failure came over the wire; absent for sandbox and network failures. */
  readonly status: number | undefined;

  constructor(
    code: string,
    message: string,
    retryable: boolean,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = retryable;
    this.status = options.status;
    this.name = retryable ? RETRYABLE_PROVIDER_ERROR : NON_RETRYABLE_PROVIDER_ERROR;
  }

  /** Same as `name`, for code that reads failure types the way Temporal's ApplicationFailure does. */
  get type(): ProviderErrorName {
    return this.name;
  }

  static retryable(
    code: string,
    message: string,
    options?: { status?: number; cause?: unknown },
  ): ProviderError {
    return new ProviderError(code, message, true, options);
  }

  static fatal(code: string, message: string, options?: { status?: number; cause?: unknown }): ProviderError {
    return new ProviderError(code, message, false, options);
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError;
}

/**
 * Status classes that are worth asking again. Everything else in 4xx is our request being wrong,
 * which no retry fixes. 409 is the provider saying an idempotency key was reused with another body.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
