import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Request } from 'express';

export const SESSION_COOKIE = 'loanflow_codec_session';

/** Hashing first gives equal lengths, so the comparison time says nothing about the token. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearer(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** As the socket reports it: IPv4 127/8, IPv6 ::1, or 127/8 mapped into IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return isIP(address) === 6 && new URL(`http://[${address}]`).hostname === '[::1]';
}

/** A page served from this machine: http(s) on 127/8, localhost or [::1]. */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.origin === origin &&
    (host === 'localhost' || isLoopbackAddress(host))
  );
}

/**
 * Who may call /encode and /decode: a bearer token (CLI, scripts), or a browser session the operator
 * opened on /login with the same token. The session exists because the Temporal UI only sends a
 * bearer token it got from its own OIDC login, over HTTPS; without that it can only send cookies
 * ("include cross-origin credentials"). Sessions are signed with a per-process key, so restarting
 * the codec server signs everyone out, and never contain the token itself.
 *
 * `trustedLocalUi` lists the local stack's UI origins, whose pages get in without either when they
 * come over loopback (see `trustLocalUi` in codec-server.ts for why that is safe only there).
 */
export function codecAuth(
  authToken: string,
  sessionTtlMs: number,
  trustedLocalUi: ReadonlySet<string> = new Set(),
) {
  const sessionKey = randomBytes(32);
  const sign = (expires: number) =>
    createHmac('sha256', sessionKey).update(`codec-session:${expires}`).digest('base64url');

  const validSession = (session: string, now: number) => {
    const dot = session.indexOf('.');
    const expires = Number(session.slice(0, dot));
    return (
      dot > 0 &&
      Number.isSafeInteger(expires) &&
      expires > now &&
      sameSecret(session.slice(dot + 1), sign(expires))
    );
  };
  // The socket's peer, never a header: a forwarded-for header is whatever the caller wrote.
  const isTrustedLocalUi = (req: Request) =>
    trustedLocalUi.has(req.get('origin') ?? '') && isLoopbackAddress(req.socket.remoteAddress);

  return {
    tokenMatches: (candidate: string) => sameSecret(candidate, authToken),

    newSession(now = Date.now()): { value: string; maxAgeSeconds: number } {
      const expires = now + sessionTtlMs;
      return { value: `${expires}.${sign(expires)}`, maxAgeSeconds: Math.floor(sessionTtlMs / 1000) };
    },

    isAuthorised(req: Request, now = Date.now()): boolean {
      // A token that is presented must be right, even from a trusted page; a stale session cookie is
      // only a browser that signed in before the codec server restarted.
      const token = bearer(req);
      if (token !== undefined) return sameSecret(token, authToken);
      const session = cookie(req, SESSION_COOKIE);
      return (session !== undefined && validSession(session, now)) || isTrustedLocalUi(req);
    },
  };
}
