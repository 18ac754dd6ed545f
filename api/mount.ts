import type { IRouter, Request, RequestHandler } from 'express';
import type { Role } from '../db/api-keys';
import { requireRole } from './auth';
import { type IdempotencyDeps, idempotent } from './idempotency';
import { Problem } from './problem';
import { markRoute } from './response-check';
import { expressPath, type Route, type RouteGroup } from './route';
import { parseInput, requireJson, validateBody } from './validate';

/** A path parameter of the shape its schema gives, checked before anything looks it up or checks the key's role. */
function validParams(route: Route): RequestHandler {
  const shape = route.params?.shape ?? {};
  return (req, _res, next) => {
    for (const [name, schema] of Object.entries(shape)) {
      const parsed = schema.safeParse(req.params[name]);
      if (!parsed.success)
        return next(Problem.field(400, name, parsed.error.issues[0]?.message ?? 'is not valid'));
    }
    next();
  };
}

const jsonOnly: RequestHandler = (req, _res, next) =>
  next(
    req.is('application/json') ? undefined : Problem.field(415, 'Content-Type', 'must be application/json'),
  );

/**
 * Registers a group's routes on `target`, each as one stack: its path parameters, its key's role, a
 * JSON body, the provider's signature (over the body's bytes, so after the body is known to be JSON),
 * the body and the query by their schemas, then the handler, once per Idempotency-Key for an effect.
 * The order is the order of the answers: a wrong role is a 403 before a wrong content type is a 415.
 */
export function mount<C, T extends IRouter>(
  target: T,
  group: RouteGroup<C>,
  ctx: C,
  idempotency?: IdempotencyDeps,
): T {
  const authenticate = group.authenticate?.(ctx);
  for (const route of group.routes) {
    const stack: RequestHandler[] = [
      (_req, res, next) => {
        markRoute(res, route as Route);
        next();
      },
    ];
    if (route.params) stack.push(validParams(route as Route));
    if (Array.isArray(route.roles)) {
      if (authenticate) stack.push(authenticate);
      stack.push(requireRole(...(route.roles as Role[])));
    }
    if (route.body && route.jsonOnly) stack.push(jsonOnly);
    if (route.body && route.roles !== 'provider') stack.push(validateBody(route.body));
    if (route.roles === 'provider') {
      if (!authenticate) throw new Error(`${route.path}: a provider callback needs its group's authenticate`);
      // The callback is the signed bytes as sent: an absent body is not read as `{}`.
      const body = route.body;
      stack.push(requireJson, authenticate, (req, _res, next) => {
        if (body) req.body = parseInput(body, req.body);
        next();
      });
    }
    const params = (req: Request) => route.params?.parse(req.params);
    const query = (req: Request) => route.query && parseInput(route.query, req.query);
    if (route.action !== undefined) {
      if (!idempotency) throw new Error(`${route.path}: an effect needs the idempotency store`);
      const { effect } = route;
      stack.push(
        idempotent(idempotency, route.action, (req, key) =>
          effect({ ctx, req, key, params: params(req), query: query(req), body: req.body }),
        ),
      );
    } else {
      const { handle } = route;
      stack.push(async (req, res) => {
        await handle({ ctx, req, res, params: params(req), query: query(req), body: req.body });
      });
    }
    target[route.method](expressPath(route.path), ...stack);
  }
  return target;
}
