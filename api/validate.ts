import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { Problem, problemFromZod } from './problem';
import { DomainError } from '../domain/errors';

/**
 * A request that carries a body must say it is JSON: any other type would reach the schema as an
 * empty body and be answered as if fields were missing.
 */
export const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json'))
    return next(Problem.field(415, 'Content-Type', 'must be application/json'));
  next();
};

/** Replaces req.body with the parsed value, or answers problem+json naming the field. */
export function validateBody(schema: z.ZodType): RequestHandler {
  return (req, res, next) =>
    requireJson(req, res, (err?: unknown) => {
      if (err) return next(err);
      const parsed = schema.safeParse(req.body ?? {});
      if (!parsed.success) return next(problemFromZod(parsed.error));
      req.body = parsed.data;
      next();
    });
}

/** The parsed query string or body, or the problem naming the offending field. */
export function parseInput<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw problemFromZod(parsed.error);
  return parsed.data;
}

/**
 * A page read whose repository refuses the cursor (its DomainError names `field`): a cursor this API
 * did not issue is a malformed request, a 400 naming `cursor`, not a broken rule.
 */
export function pageRead<T>(read: Promise<T>, field: 'after' | 'cursor'): Promise<T> {
  return read.catch((err: unknown) => {
    if (err instanceof DomainError && err.field === field) throw Problem.field(400, 'cursor', err.message);
    throw err;
  });
}
