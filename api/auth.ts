import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Actor, ApiKeyRepository, Role } from '../db/api-keys';
import { Problem } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

/** `Authorization: Bearer <api key>`; the key is looked up by its hash. */
export function authenticate(keys: ApiKeyRepository): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) return next(unauthorized());
    keys.findActive(match[1]).then((actor) => {
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
