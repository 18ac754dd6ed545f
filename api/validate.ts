import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { problemFromZod } from './problem';

/** Replaces req.body with the parsed value, or answers problem+json naming the field. */
export function validateBody(schema: z.ZodType): RequestHandler {
  return (req, _res, next) => {
    const parsed = schema.safeParse(req.body ?? {});
    if (!parsed.success) return next(problemFromZod(parsed.error));
    req.body = parsed.data;
    next();
  };
}
