import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ApiKeyRepository } from '../../db/api-keys';
import type { ConsoleSessionRepository } from '../../db/console-sessions';
import { PRODUCTS } from '../../domain/products';
import { CSRF_HEADER, csrfMatches, SESSION_COOKIE, SESSION_TTL_MS, sessionToken } from '../console-session';
import { mount } from '../mount';
import { Problem } from '../problem';
import { json, type RouteGroup, routeFor } from '../route';

export interface ConsoleRouteDeps {
  apiKeys: ApiKeyRepository;
  sessions: ConsoleSessionRepository;
  /** Where the operator's links to a loan's run point; the local stack's UI by default. */
  temporalUiUrl?: string;
  /** The built console (web/build.ts writes it); tests may point elsewhere. */
  distDir?: string;
}

export const CONSOLE_DIST = path.resolve(__dirname, '..', '..', 'dist', 'console');

/** Scripts and styles from this origin only: no inline script, no eval, no framing. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SignInSchema = z.strictObject({ apiKey: z.string().min(1).max(200) });

/** Roles with console pages; a client key is a partner's integration, not staff. */
const STAFF = new Set(['reviewer', 'collector', 'ops', 'admin']);

function setCookie(req: Request, res: Response, token: string, maxAgeMs: number) {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.secure,
    path: '/',
    maxAge: maxAgeMs,
  });
}

type Ctx = ConsoleRouteDeps & { temporalUiUrl: string };
const route = routeFor<Ctx>();

const SessionSchema = z.object({
  id: z.string(),
  role: z.string(),
  name: z.string(),
  csrfToken: z.string(),
  expiresAt: z.string(),
});
const notSignedIn = { 401: 'no session cookie, or one that has ended' } as const;

/**
 * The console's sign-in and settings. Its own routes, not the `/v1` API's: the session is read from
 * the cookie by each handler, and the group stays out of the API document.
 */
export const CONSOLE_ROUTES: RouteGroup<Ctx> = {
  documented: false,
  routes: [
    route({
      method: 'post',
      path: '/console/session',
      summary: "Sign in with a staff key: a session cookie and the session's CSRF token",
      roles: 'public',
      body: SignInSchema,
      jsonOnly: true,
      responses: { 201: json('signed in', SessionSchema) },
      problems: { 401: 'the key is not valid', 403: 'a client key: the console is for staff' },
      async handle({ ctx, req, res, body: { apiKey } }) {
        const actor = await ctx.apiKeys.findActive(apiKey);
        if (!actor) throw Problem.field(401, 'apiKey', 'this API key is not valid');
        if (!STAFF.has(actor.role))
          throw Problem.field(
            403,
            'apiKey',
            `the console is for staff; a ${actor.role} key has no console pages`,
          );
        const session = await ctx.sessions.open(actor.id, SESSION_TTL_MS);
        setCookie(req, res, session.token, SESSION_TTL_MS);
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json({
          id: actor.id,
          role: actor.role,
          name: actor.name,
          csrfToken: session.csrfToken,
          expiresAt: session.expiresAt,
        });
      },
    }),
    route({
      method: 'get',
      path: '/console/session',
      // The page reload path: the cookie survives it, the CSRF token (held in memory) does not.
      summary: 'The signed-in session again, with its CSRF token',
      roles: 'public',
      responses: { 200: json('the session', SessionSchema) },
      problems: notSignedIn,
      async handle({ ctx, req, res }) {
        const token = sessionToken(req);
        const session = token && (await ctx.sessions.find(token));
        if (!session) throw Problem.field(401, 'Cookie', 'not signed in');
        res.setHeader('Cache-Control', 'no-store');
        res.json({
          id: session.actor.id,
          role: session.actor.role,
          name: session.actor.name,
          csrfToken: session.csrfToken,
          expiresAt: session.expiresAt,
        });
      },
    }),
    route({
      method: 'delete',
      path: '/console/session',
      summary: 'Sign out: ends the session and clears its cookie',
      roles: 'public',
      responses: { 204: { description: 'signed out' } },
      problems: { ...notSignedIn, 403: 'without the session CSRF token' },
      async handle({ ctx, req, res }) {
        const token = sessionToken(req);
        const session = token && (await ctx.sessions.find(token));
        if (!token || !session) throw Problem.field(401, 'Cookie', 'not signed in');
        if (!csrfMatches(req.header(CSRF_HEADER), session.csrfToken))
          throw Problem.field(403, CSRF_HEADER, 'signing out needs the session CSRF token');
        await ctx.sessions.end(token);
        res.clearCookie(SESSION_COOKIE, {
          httpOnly: true,
          sameSite: 'strict',
          secure: req.secure,
          path: '/',
        });
        res.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/console/config',
      summary: "Where the operator's links to a loan's run point, and the product codes to search by",
      roles: 'public',
      responses: {
        200: json('the settings', z.object({ temporalUiUrl: z.string(), productCodes: z.array(z.string()) })),
      },
      handle({ ctx, res }) {
        res.json({ temporalUiUrl: ctx.temporalUiUrl, productCodes: PRODUCTS.map((p) => p.code) });
      },
    }),
  ],
};

/**
 * The staff console and its sign-in, as an app of its own mounted beside the API: the OpenAPI
 * document describes the `/v1` API, which the console is one more client of.
 */
export function consoleRoutes(deps: ConsoleRouteDeps): Express {
  const router = express();
  router.disable('x-powered-by');
  const dist = deps.distDir ?? CONSOLE_DIST;

  router.use('/console', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });

  mount(router, CONSOLE_ROUTES, {
    ...deps,
    temporalUiUrl: deps.temporalUiUrl ?? process.env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233',
  });

  router.get(/^\/console\/?$/, (_req, res) => {
    const index = path.join(dist, 'index.html');
    if (!existsSync(index))
      throw Problem.field(503, 'console', 'the console is not built: run npm run setup');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  router.use(
    '/console/assets',
    express.static(path.join(dist, 'assets'), { index: false, fallthrough: true }),
  );

  return router;
}
