import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { isDatabaseUnavailable } from '../db/pool';
import { DomainError } from '../domain/errors';

/** One wrong input: `field` is a dotted path into the body, or a header/parameter name. */
export interface FieldError {
  field: string;
  message: string;
  /** the rule's code, when a rule refused it */
  code?: string;
}

/** The one place a status gets its title, so a 401 never reads "Bad request". */
export const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable request',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};
export const titleOf = (status: number): string =>
  TITLES[status] ?? (status < 500 ? 'Bad request' : 'Internal error');

/** An RFC 9457 problem; thrown by handlers and rendered as application/problem+json. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors: FieldError[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
  }

  /** A dependency busy for a moment; the same request (with its Idempotency-Key) may be sent again. */
  static unavailable(message: string, retryAfterSeconds = 1): Problem {
    return new Problem(503, titleOf(503), message, [], retryAfterSeconds);
  }

  /** A 404 naming the input that pointed at nothing: the path id, or a query parameter. */
  static notFound(field: string, what: string): Problem {
    const message = `${what} does not exist`;
    return new Problem(404, titleOf(404), message, [{ field, message }]);
  }

  /** The row a path id names, or the 404 that names the id. */
  static async found<T>(row: Promise<T | null | undefined>, what: string, id: string): Promise<T> {
    const value = await row;
    if (value === null || value === undefined) throw Problem.notFound('id', `${what} ${id}`);
    return value;
  }

  static field(status: number, field: string, message: string, code?: string): Problem {
    return new Problem(status, titleOf(status), `${field}: ${message}`, [
      { field, message, ...(code ? { code } : {}) },
    ]);
  }
}

export function sendProblem(res: Response, p: Problem, instance?: string): void {
  if (p.retryAfterSeconds !== undefined) res.set('Retry-After', String(p.retryAfterSeconds));
  res
    .status(p.status)
    .type('application/problem+json')
    .json({
      type: 'about:blank',
      title: titleOf(p.status),
      status: p.status,
      detail: p.message,
      ...(instance ? { instance } : {}),
      ...(p.errors.length ? { field: p.errors[0]?.field, errors: p.errors } : {}),
    });
}

/**
 * Shape errors (missing field, wrong type, unknown key) are 400; well-formed values that break a
 * rule (check digit, Luhn, unknown product) are 422. An unknown key is named by its own path, so
 * `{"aprCap": "5"}` points at `aprCap`.
 */
export function problemFromZod(error: z.ZodError, prefix = ''): Problem {
  const errors = error.issues.map((i) => {
    const key = i.code === 'unrecognized_keys' ? i.keys.slice(0, 1) : [];
    const message = i.code === 'unrecognized_keys' ? 'is not a field of this request' : i.message;
    return {
      field: [prefix, ...i.path.map(String), ...key].filter(Boolean).join('.') || 'body',
      message,
    };
  });
  const semantic = error.issues.every((i) => i.code === 'custom');
  const first = errors[0];
  const status = semantic ? 422 : 400;
  return new Problem(
    status,
    titleOf(status),
    first ? `${first.field}: ${first.message}` : 'invalid request',
    errors,
  );
}

/** What the body parser and the router refuse before any handler runs: always the client's, never ours. */
function parserProblem(e: { type?: string; status?: number; expose?: boolean }): Problem | undefined {
  if (e.type === 'entity.parse.failed') return Problem.field(400, 'body', 'is not valid JSON');
  if (e.type === 'entity.too.large') return Problem.field(413, 'body', 'exceeds the size limit');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
    return Problem.field(415, 'body', 'unsupported encoding');
  if (e instanceof URIError || (e.status === 400 && !e.type))
    return Problem.field(400, 'path', 'is not a valid percent-encoded URL path');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose)
    return Problem.field(e.status, 'body', e.type ? e.type.replace(/\./g, ' ') : 'refused');
  return undefined;
}

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const instance = req.originalUrl;
  if (err instanceof Problem) return sendProblem(res, err, instance);
  if (err instanceof DomainError)
    return sendProblem(
      res,
      Problem.field(422, err.field, err.message, err.code === 'invalid' ? undefined : err.code),
      instance,
    );
  const parsed = err && typeof err === 'object' ? parserProblem(err) : undefined;
  if (parsed) return sendProblem(res, parsed, instance);
  if (isDatabaseUnavailable(err)) {
    // A restart or failover, not a defect: the client retries (with its Idempotency-Key) shortly.
    req.log?.warn({ err }, 'database unavailable');
    return sendProblem(res, Problem.unavailable('the database did not answer; retry shortly'), instance);
  }
  req.log?.error({ err }, 'unhandled error');
  sendProblem(
    res,
    new Problem(500, 'Internal error', 'an unexpected error occurred; it has been logged'),
    instance,
  );
};
