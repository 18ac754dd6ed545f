import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Actor, ApiKeyRepository, Role } from '../db/api-keys';
import { Problem } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

/**
 * A key found active is trusted this long without asking the database again: one round trip less on
 * most requests, at the price of a revocation taking up to this long to reach each API process.
 */
export const KEY_CACHE_MS = 5_000;
const KEY_CACHE_MAX = 10_000;

/** `Authorization: Bearer <api key>`; the key is looked up by its hash. Unknown keys are never cached. */
export function authenticate(
  keys: Pick<ApiKeyRepository, 'findActive'>,
  now: () => number = Date.now,
): RequestHandler {
  const found = new Map<string, { actor: Actor; until: number }>();
  const lookup = async (key: string): Promise<Actor | undefined> => {
    const hit = found.get(key);
    if (hit && hit.until > now()) return hit.actor;
    const actor = await keys.findActive(key);
    if (found.size >= KEY_CACHE_MAX) found.clear();
    if (actor) found.set(key, { actor, until: now() + KEY_CACHE_MS });
    else found.delete(key);
    return actor;
  };
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) return next(unauthorized());
    lookup(match[1]).then((actor) => {
      if (!actor) return next(unauthorized());
      req.actor = actor;
      req.log?.setBindings?.({ actor: actor.id });
      next();
    }, next);
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    // admin may do anything an operator may; other roles are kept apart (a client cannot review).
    const allowed =
      req.actor && (roles.includes(req.actor.role) || (req.actor.role === 'admin' && roles.includes('ops')));
    // The key is what the client got wrong, so the problem names the header that carried it.
    next(
      allowed
        ? undefined
        : Problem.field(403, 'Authorization', `this route needs the role ${roles.join(' or ')}`),
    );
  };
}

export function actorOf(req: Request): Actor {
  if (!req.actor) throw Problem.field(401, 'Authorization', 'missing actor');
  return req.actor;
}

const unauthorized = () => Problem.field(401, 'Authorization', 'a valid API key is required: Bearer <key>');
