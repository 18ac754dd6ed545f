import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { DomainError } from '../domain/errors';

/** One wrong input: `field` is a dotted path into the body, or a header/parameter name. */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem; thrown by handlers and rendered as application/problem+json. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }

  static field(status: number, field: string, message: string): Problem {
    return new Problem(
      status,
      status === 422 ? 'Unprocessable request' : 'Bad request',
      `${field}: ${message}`,
      [{ field, message }],
    );
  }
}

export function sendProblem(res: Response, p: Problem, instance?: string): void {
  res
    .status(p.status)
    .type('application/problem+json')
    .json({
      type: 'about:blank',
      title: p.title,
      status: p.status,
      detail: p.message,
      ...(instance ? { instance } : {}),
      ...(p.errors.length ? { field: p.errors[0]?.field, errors: p.errors } : {}),
    });
}

/**
 * Shape errors (missing field, wrong type, unknown key) are 400; well-formed values that break a
 * rule (check digit, Luhn, unknown product) are 422.
 */
export function problemFromZod(error: z.ZodError, prefix = ''): Problem {
  const errors = error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || 'body',
    message: i.message,
  }));
  const semantic = error.issues.every((i) => i.code === 'custom');
  const status = semantic ? 422 : 400;
  const first = errors[0];
  return new Problem(
    status,
    semantic ? 'Unprocessable request' : 'Bad request',
    first ? `${first.field}: ${first.message}` : 'invalid request',
    errors,
  );
}

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const instance = req.originalUrl;
  if (err instanceof Problem) return sendProblem(res, err, instance);
  if (err instanceof DomainError)
    return sendProblem(res, Problem.field(422, err.field, err.message), instance);
  const e = err as { type?: string; status?: number };
  if (e.type === 'entity.parse.failed')
    return sendProblem(res, Problem.field(400, 'body', 'is not valid JSON'), instance);
  if (e.type === 'entity.too.large') {
    return sendProblem(
      res,
      new Problem(413, 'Payload too large', 'body: exceeds the size limit', [
        { field: 'body', message: 'exceeds the size limit' },
      ]),
      instance,
    );
  }
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return sendProblem(res, Problem.field(415, 'body', 'unsupported encoding'), instance);
  }
  req.log?.error({ err }, 'unhandled error');
  sendProblem(
    res,
    new Problem(500, 'Internal error', 'an unexpected error occurred; it has been logged'),
    instance,
  );
};
