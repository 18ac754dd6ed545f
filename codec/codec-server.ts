import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { codecAuth, isLoopbackOrigin, SESSION_COOKIE } from './auth';
import type { Keyring } from './keyring';
import { EncryptionCodec, PayloadDecryptionError } from './payload-codec';
import { fromJson, payloadsBody, toJson } from './payload-json';

export interface CodecServerOptions {
  keyring: Keyring;
  /** Shared secret for `Authorization: Bearer …` and for opening a browser session on /login. */
  authToken: string;
  /** Browser origins allowed to call (the Temporal UI); non-browser clients send no Origin. */
  allowedOrigins?: string[];
  /**
   * Only for the local stack (`npm start`), never in production: a browser page on one of the
   * allowed origins, all of which must then be loopback origins, decodes without a token when its
   * request comes over loopback. The Temporal dev server's UI cannot be told to send credentials,
   * so this is what lets the operator see decoded payloads on first open. It is safe there because
   * only processes on this machine reach a loopback socket (the check is on the socket's peer, not
   * on a header), and those can already read the unauthenticated dev server and its UI; and a
   * browser sets Origin itself, so no other web page the operator visits can claim the UI's origin.
   * It is not safe behind a reverse proxy on the same host: every request would then come over
   * loopback, and anyone can write an Origin header outside a browser.
   */
  trustLocalUi?: boolean;
  sessionTtlMs?: number;
  /** Unexpected (5xx) errors; the response itself says only "internal error". */
  onError?: (err: unknown) => void;
}

export const DEFAULT_UI_ORIGINS = ['http://127.0.0.1:8233', 'http://localhost:8233'];
const MIN_TOKEN_LENGTH = 16;

const LOGIN_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>loanflow codec server</title></head>
<body>
<h1>loanflow codec server</h1>
<p>Sign this browser in so the Temporal UI can decrypt payloads. Then, in the UI's codec server settings, use the
browser setting with this server's address and tick "Include cross-origin credentials". Open the UI on the same
host name as this page (127.0.0.1 or localhost): the session cookie is not sent across sites.</p>
<form method="post" action="login"><label>Codec token <input type="password" name="token" autocomplete="off" required></label> <button>Sign in</button></form>
</body></html>
`;

/**
 * The Temporal codec server protocol (POST …/encode, …/decode with proto3-JSON `Payloads`), so the
 * UI and `temporal … --codec-endpoint` can show what the workers encrypted. It holds the keys, so
 * it answers only authenticated callers and only browsers on the allowed origins.
 */
export function createCodecServer(opts: CodecServerOptions): Express {
  if (opts.authToken.length < MIN_TOKEN_LENGTH)
    throw new Error(`codec auth token must be at least ${MIN_TOKEN_LENGTH} characters`);
  const codec = new EncryptionCodec(opts.keyring);
  const allowed = new Set(opts.allowedOrigins ?? DEFAULT_UI_ORIGINS);
  const remote = [...allowed].filter((o) => !isLoopbackOrigin(o));
  if (opts.trustLocalUi && remote.length > 0)
    throw new Error(`trustLocalUi is only for a UI on this machine, not for ${remote.join(', ')}`);
  const auth = codecAuth(
    opts.authToken,
    opts.sessionTtlMs ?? 8 * 3600_000,
    opts.trustLocalUi ? allowed : undefined,
  );
  const app = express();
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    // Decoded payloads are PII: nothing here may be cached by the browser or a proxy.
    res.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.vary('Origin');
    const origin = req.get('origin');
    // Same-origin posts (the /login form) carry an Origin too, and need no CORS grant.
    if (origin === undefined || origin === `${req.protocol}://${req.get('host')}`) return next();
    if (!allowed.has(origin)) return void res.status(403).json({ error: `origin ${origin} is not allowed` });
    // Credentials are allowed because the UI can only authenticate with the /login session cookie.
    res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' });
    if (req.method !== 'OPTIONS') return next();
    res.set({
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
      'Access-Control-Max-Age': '600',
    });
    res.status(204).end();
  });

  app.get('/login', (_req, res) => {
    res
      .set('Content-Security-Policy', "default-src 'none'; form-action 'self'; frame-ancestors 'none'")
      .type('html')
      .send(LOGIN_PAGE);
  });
  app.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const token: unknown = (req.body as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || !auth.tokenMatches(token))
      return void res.status(401).type('text').send('wrong token\n');
    const session = auth.newSession();
    res.cookie(SESSION_COOKIE, session.value, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
      maxAge: session.maxAgeSeconds * 1000,
    });
    res.type('text').send('Signed in; the Temporal UI on this host can now decode payloads.\n');
  });

  const authenticate: RequestHandler = (req, res, next) => {
    if (auth.isAuthorised(req)) return next();
    res
      .set('WWW-Authenticate', 'Bearer')
      .status(401)
      .json({ error: 'codec server needs Authorization: Bearer <token> or a /login session' });
  };
  // A JSON content type forces browsers into a CORS preflight, so other pages cannot post here blind.
  const jsonOnly: RequestHandler = (req, res, next) =>
    req.is('application/json')
      ? next()
      : void res.status(415).json({ error: 'Content-Type must be application/json' });

  const convert =
    (op: 'encode' | 'decode'): RequestHandler =>
    async (req, res) => {
      const body = payloadsBody.safeParse(req.body);
      if (!body.success)
        return void res
          .status(400)
          .json({ error: 'body must be {"payloads":[{"metadata":{"key":"<base64>"},"data":"<base64>"}]}' });
      try {
        const out = await codec[op](body.data.payloads.map(fromJson));
        res.json({ payloads: out.map(toJson) });
      } catch (err) {
        if (!(err instanceof PayloadDecryptionError)) throw err;
        res.status(422).json({ error: err.message });
      }
    };
  const parse = [authenticate, jsonOnly, express.json({ limit: '8mb' })];
  // The protocol says to look only at the last path segment, so the server can be mounted under a prefix.
  app.post(/\/encode$/, ...parse, convert('encode'));
  app.post(/\/decode$/, ...parse, convert('decode'));

  const errors: ErrorRequestHandler = (err: { status?: number; statusCode?: number }, _req, res, _next) => {
    const status = err.status ?? err.statusCode ?? 500;
    if (status >= 500) opts.onError?.(err);
    // Never echo internals: the request may have carried PII.
    res
      .status(status >= 400 && status < 500 ? status : 500)
      .json({ error: status < 500 ? 'bad request' : 'internal error' });
  };
  app.use(errors);
  return app;
}
