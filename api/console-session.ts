import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { ConsoleSessionRepository } from '../db/console-sessions';
import { Problem } from './problem';

export const SESSION_COOKIE = 'lf_console';
export const CSRF_HEADER = 'X-CSRF-Token';
/** A working day; the console asks for the key again after it. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionToken(req: Request): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}

export function csrfMatches(sent: string | undefined, expected: string): boolean {
  if (!sent) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `/v1` for the console: a request with no Authorization header but a session cookie acts as the
 * session's API key. The cookie is SameSite=Strict, and every state change must also carry the
 * session's CSRF token in a header, which another origin's page can neither read nor send.
 * Everything else goes to the API-key authentication unchanged.
 */
export function sessionOrApiKey(
  sessions: ConsoleSessionRepository,
  apiKeyAuth: RequestHandler,
): RequestHandler {
  return (req, res, next) => {
    const token = req.header('authorization') ? undefined : sessionToken(req);
    if (!token) return apiKeyAuth(req, res, next);
    sessions.find(token).then((session) => {
      if (!session) return next(Problem.field(401, 'Cookie', 'the console session has ended; sign in again'));
      if (!SAFE_METHODS.has(req.method) && !csrfMatches(req.header(CSRF_HEADER), session.csrfToken))
        return next(Problem.field(403, CSRF_HEADER, 'a state change from the console needs its CSRF token'));
      req.actor = session.actor;
      req.log?.setBindings?.({ actor: session.actor.id, via: 'console' });
      next();
    }, next);
  };
}
