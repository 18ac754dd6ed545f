import { type z } from 'zod';
import { ProviderError, isRetryableStatus } from './errors';

export interface HttpProviderOptions {
  baseUrl: string;
  apiKey: string;
  /** Per call, including reading the body. Providers that hang must not hold an activity slot. */
  timeoutMs?: number;
  /** Injected by tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The one place that talks HTTP to providers, so every adapter classifies failures the same way.
 * Every effectful call carries an Idempotency-Key, which is what makes a retry after an unknown
 * outcome (timeout, reset connection, unreadable answer) safe: the provider answers the original.
 */
export class HttpProviderClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: HttpProviderOptions) {
    if (!options.baseUrl) throw new TypeError('baseUrl is required');
    if (!options.apiKey) throw new TypeError('apiKey is required');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchFn = options.fetch ?? fetch;
  }

  async post<S extends z.ZodType>(
    path: string,
    body: unknown,
    schema: S,
    idempotencyKey?: string,
  ): Promise<z.infer<S>> {
    return this.send('POST', path, body, schema, idempotencyKey);
  }

  /** A read: nothing to key, and a retry changes nothing at the provider. */
  async get<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
    return this.send('GET', path, undefined, schema);
  }

  private async send<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: S,
    idempotencyKey?: string,
  ): Promise<z.infer<S>> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.apiKey}`,
      accept: 'application/json',
    };
    if (method === 'POST') headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;

    const what = `${method} ${path}`;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      throw transportError(what, err, this.timeoutMs);
    }

    const json = parseJson(text);
    if (!response.ok) throw statusError(what, response.status, json);

    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      // The provider may have acted and we cannot tell how; asking again with the same key is the
      // only way to learn the outcome, so this is retryable rather than a reason to compensate.
      throw ProviderError.retryable(
        'BAD_RESPONSE',
        `${what}: unreadable response (${parsed.error.issues.length} issues)`,
        {
          status: response.status,
        },
      );
    }
    return parsed.data;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Duck-typed: fetch's DOMException and TypeError may come from another realm (jest's vm), where `instanceof Error` is false. */
function transportError(what: string, err: unknown, timeoutMs: number): ProviderError {
  const { name, message, cause } = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (name === 'TimeoutError' || name === 'AbortError') {
    return ProviderError.retryable('TIMEOUT', `${what}: no answer within ${timeoutMs} ms`, { cause: err });
  }
  // undici reports "fetch failed" and puts the useful part (ECONNREFUSED, ...) in `cause`.
  const detail =
    typeof cause === 'object' && cause !== null && 'code' in cause ? ` (${String(cause.code)})` : '';
  return ProviderError.retryable(
    'NETWORK',
    `${what}: ${typeof message === 'string' ? message : String(err)}${detail}`,
    { cause: err },
  );
}

function statusError(what: string, status: number, body: unknown): ProviderError {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof fields.code === 'string' ? fields.code : `HTTP_${status}`;
  const detail = typeof fields.message === 'string' ? fields.message : `status ${status}`;
  return new ProviderError(code, `${what}: ${detail}`, isRetryableStatus(status), { status });
}
