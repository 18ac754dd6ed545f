import { OpenAPIRegistry, OpenApiGeneratorV3, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { Problem } from './problem';
import { responsesOf, type Route, type RouteGroup, type Tag, TAGS } from './route';
import { COLLECTION_ROUTES } from './routes/collections';
import { CREDIT_LINE_ROUTES } from './routes/credit-lines';
import { HEALTH_ROUTES, METRICS_ROUTES } from './routes/health';
import { LOAN_ROUTES } from './routes/loans';
import { PORTFOLIO_ROUTES } from './routes/portfolio';
import { QUOTE_ROUTES } from './routes/quotes';
import { REVIEW_ROUTES } from './routes/reviews';
import { WEBHOOK_ROUTES } from './routes/webhooks';

export { type OperationRole, TAGS } from './route';

/** The groups of the API document, in its order; the console's routes are not the API's (api/routes/console.ts). */
const GROUPS: readonly RouteGroup[] = [
  QUOTE_ROUTES,
  CREDIT_LINE_ROUTES,
  REVIEW_ROUTES,
  LOAN_ROUTES,
  COLLECTION_ROUTES,
  PORTFOLIO_ROUTES,
  WEBHOOK_ROUTES,
  METRICS_ROUTES,
  HEALTH_ROUTES,
];

/** Every documented operation, with the zod schema that validates its body and its pre-filled example. */
export const OPERATIONS: readonly (Route & { tag: Tag })[] = GROUPS.flatMap((g) =>
  'tag' in g ? g.routes.map((r) => ({ ...r, tag: g.tag })) : [],
);

const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/)
    .openapi({
      description:
        '1–255 visible ASCII characters; the first response is stored and replayed for the same key (header Idempotent-Replayed: true)',
      example: 'apply-001',
    }),
});

const templates = OPERATIONS.map((op) => ({
  method: op.method.toUpperCase(),
  path: new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+')}$`),
}));

/**
 * A documented path asked with a method it does not take is a 405 naming the methods it does
 * (RFC 9110), not a 404: mount after the routes, before the 404 handler.
 */
export const methodNotAllowed: RequestHandler = (req, res, next) => {
  const allowed = [...new Set(templates.filter((t) => t.path.test(req.path)).map((t) => t.method))];
  if (allowed.length === 0 || allowed.includes(req.method)) return next();
  if (allowed.includes('GET')) allowed.push('HEAD');
  res.set('Allow', allowed.join(', '));
  next(
    Problem.field(405, 'method', `${req.method} is not taken here; this path takes ${allowed.join(', ')}`),
  );
};

function routeOf(op: Route & { tag: Tag }): RouteConfig {
  const roles = Array.isArray(op.roles) ? op.roles : [];
  const who = Array.isArray(op.roles)
    ? `Role ${roles.join(' or ')}${roles.includes('ops') ? ' (admin too)' : ''}.`
    : op.roles === 'provider'
      ? 'Authenticated by the provider signature, not an API key.'
      : 'No authentication.';
  const body = op.body && {
    required: true,
    content: {
      'application/json': { schema: op.body, ...(op.example === undefined ? {} : { example: op.example }) },
    },
  };
  return {
    method: op.method,
    path: op.path,
    operationId: `${op.method}${op.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ?? '').toUpperCase())}`,
    tags: [op.tag],
    summary: op.summary,
    description: who,
    'x-roles': op.roles,
    ...(Array.isArray(op.roles) ? { security: [{ bearer: [] }] } : {}),
    ...(op.roles === 'provider' ? { security: [{ providerSignature: [] }] } : {}),
    ...(op.roles === 'public' ? { security: [] } : {}),
    request: {
      ...(op.params ? { params: op.params } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(op.action ? { headers: idempotencyHeader } : {}),
      ...(body ? { body } : {}),
    },
    responses: responsesOf(op),
  };
}

/**
 * Two generator outputs that tools misread, rewritten:
 * - OpenAPI 3.0 ignores a sibling of `$ref`, so `allOf: [$ref, {nullable}]` forbids null; `anyOf: [$ref]`
 *   with `nullable` beside it reads as "the schema, or null".
 * - A regex with flags (`/…/u`) is printed with its flags after the last slash, which no string
 *   matches; the flags only say how JavaScript reads the escapes, which a pattern reads the same.
 */
function forTools(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forTools);
  if (!node || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  const all = o.allOf;
  if (
    Array.isArray(all) &&
    all.length === 2 &&
    (all[1] as Record<string, unknown>)?.nullable === true &&
    Object.keys(all[1] as object).length === 1
  ) {
    const { allOf: _a, ...rest } = o;
    return forTools({ ...rest, anyOf: [all[0]], nullable: true });
  }
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [
      k,
      k === 'pattern' && typeof v === 'string' ? v.replace(/(?<=\$)\/[dgimsuvy]+$/, '') : forTools(v),
    ]),
  );
}

/** The OpenAPI 3.0 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'API key; each operation names the roles it accepts in `x-roles`',
  });
  registry.registerComponent('securitySchemes', 'providerSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'Loanflow-Signature',
    description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>"> with the shared secret',
  });
  for (const op of OPERATIONS) registry.registerPath(routeOf(op));
  const doc = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'loanflow API',
      version: '1.0.0',
      description:
        'Money is an integer count of minor units with its currency beside it. Errors are application/problem+json: 400 malformed, 422 well-formed but refused by a rule, with `field` naming the input.',
    },
    servers: [{ url: '/' }],
    tags: TAGS.map((name) => ({ name })),
  });
  return forTools(doc) as object;
}
