import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { EffectResult } from './idempotency';
import { IdSchema, ProblemSchema } from './schemas';

/**
 * The route table: each route is declared once, in the file of its group under api/routes/, with what
 * both the app (api/mount.ts) and the OpenAPI document (api/openapi.ts) read from it, and what the
 * tests hold its answers to (api/response-check.ts).
 */

/** The areas of the API document; every documented group files its operations under one. */
export const TAGS = [
  'Quotes',
  'Credit lines',
  'Loans',
  'Reviews',
  'Collections',
  'Portfolio',
  'Webhooks',
  'Health',
] as const;
export type Tag = (typeof TAGS)[number];

/** The roles a key may hold for an operation (`x-roles`); admin may do whatever ops may. */
export type OperationRole = 'client' | 'reviewer' | 'collector' | 'ops';
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 503;

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler is given: its group's context, the request, and the inputs as their schemas parsed them. */
export interface Call<C, P = unknown, Q = unknown, B = unknown> {
  ctx: C;
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
}
/** An effect answers with what the idempotency store keeps and replays, so it never writes `res` itself. */
export type EffectCall<C, P = unknown, Q = unknown, B = unknown> = Omit<Call<C, P, Q, B>, 'res'> & {
  key: string;
};

interface Declaration<P, Q, B> {
  method: 'get' | 'post' | 'delete';
  /** In OpenAPI form: `{id}` for a path parameter. */
  path: string;
  summary: string;
  /** Bearer roles, `provider` for the HMAC-signed callback, `public` for no authentication. */
  roles: readonly OperationRole[] | 'provider' | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /**
   * Refuse with 415 whatever is not a JSON body, an absent one too (by default only a body that is
   * there must be JSON): a cross-site form cannot send JSON without a preflight.
   */
  jsonOnly?: true;
  /** What the docs page pre-fills; the spec test holds it to `body` (and posts the quote's to the app). */
  example?: unknown;
  /** The answers that are not problems, by status. */
  responses: Record<number, ResponseConfig>;
  /** Where each problem can really happen, in this route's words; `problemsOf` adds the rest. */
  problems?: Partial<Record<ProblemStatus, string>>;
}

type Handling<C, P, Q, B> =
  | { action?: undefined; handle(call: Call<C, P, Q, B>): unknown }
  /** Run at most once per Idempotency-Key (api/idempotency.ts) and audited as `action`. */
  | { action: string; effect(call: EffectCall<C, P, Q, B>): Promise<EffectResult> };

type Input = z.ZodObject | undefined;
export type Route<C = never> = Declaration<Input, Input, z.ZodType | undefined> & Handling<C, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- erased once `routeFor` has checked the handler against its schemas

/** `routeFor<Ctx>()({...})`: a route whose handler sees the parsed types of the schemas it declares. */
export const routeFor =
  <C>() =>
  <P extends Input = undefined, Q extends Input = undefined, B extends z.ZodType | undefined = undefined>(
    route: Declaration<P, Q, B> & Handling<C, Parsed<P>, Parsed<Q>, Parsed<B>>,
  ): Route<C> =>
    route as unknown as Route<C>;

interface GroupBase<C> {
  /**
   * For routes outside `/v1`, which the app's key middleware does not reach: bearer routes are
   * authenticated by it before their role check, the provider's callback by it before its body is read.
   */
  authenticate?: (ctx: C) => RequestHandler;
  routes: readonly Route<C>[];
}
/** The routes of one file of api/routes/; undocumented groups (the console's) stay out of the API document. */
export type RouteGroup<C = never> = GroupBase<C> & ({ tag: Tag } | { documented: false });

export const json = (description: string, schema: z.ZodType): ResponseConfig => ({
  description,
  content: { 'application/json': { schema } },
});
const problem = (description: string): ResponseConfig => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

export const page = (item: z.ZodType) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export const accepted = (fields: Record<string, z.ZodType>) =>
  z.object({ ...fields, accepted: z.literal(true) });
/** A path id with the example the docs page and the fuzz run start from. */
export const pathId = (example: string, what: string) =>
  IdSchema.openapi({ example, description: `the ${what}'s id` });

/** The problems a route can answer, from what it takes: its own words first, defaults for the rest. */
export function problemsOf(route: Route): Partial<Record<ProblemStatus, string>> {
  const own = route.problems ?? {};
  const out: Partial<Record<ProblemStatus, string>> = {};
  const malformed = [
    route.params && 'a path id this API did not issue',
    route.body && 'broken JSON, a missing, unknown or mistyped field',
    route.query && 'a bad or unknown query parameter',
    route.action && 'a missing or malformed Idempotency-Key',
  ].filter(Boolean);
  if (malformed.length) out[400] = `malformed: ${malformed.join('; ')}`;
  if (Array.isArray(route.roles)) {
    out[401] = 'no or unknown API key';
    out[403] = `the key's role may not call this (needs ${route.roles.join(' or ')})`;
    out[503] =
      'the workflow engine or the database did not answer in time; retry after the Retry-After seconds';
  }
  if (route.body) {
    out[413] = 'body over 32 kB';
    out[415] = 'an unsupported charset or content encoding';
  }
  for (const [status, text] of Object.entries(own)) out[Number(status) as ProblemStatus] = text;
  if (route.action) {
    const also = (status: ProblemStatus, text: string) =>
      (out[status] = out[status] ? `${out[status]}; or ${text}` : text);
    also(409, 'a request with this Idempotency-Key is still in progress');
    also(422, 'the Idempotency-Key was used with another request');
  }
  return out;
}

/** Every answer a route may give, by status: what the document lists and what the response check allows. */
export function responsesOf(route: Route): Record<string, ResponseConfig> {
  const responses: Record<string, ResponseConfig> = { ...route.responses };
  for (const [status, text] of Object.entries(problemsOf(route))) responses[status] = problem(text);
  return responses;
}

/** The Express form of an OpenAPI path: `{id}` becomes `:id`. */
export const expressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

export type { Request, Response };
