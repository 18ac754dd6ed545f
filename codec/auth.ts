import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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

/**
 * Who may call /encode and /decode: a bearer token (CLI, scripts), or a browser session the operator
 * opened on /login with the same token. The session exists because the Temporal UI only sends a
 * bearer token it got from its own OIDC login, over HTTPS; without that it can only send cookies
 * ("include cross-origin credentials"). Sessions are signed with a per-process key, so restarting
 * the codec server signs everyone out, and never contain the token itself.
 */
export function codecAuth(authToken: string, sessionTtlMs: number) {
  const sessionKey = randomBytes(32);
  const sign = (expires: number) =>
    createHmac('sha256', sessionKey).update(`codec-session:${expires}`).digest('base64url');

  return {
    tokenMatches: (candidate: string) => sameSecret(candidate, authToken),

    newSession(now = Date.now()): { value: string; maxAgeSeconds: number } {
      const expires = now + sessionTtlMs;
      return { value: `${expires}.${sign(expires)}`, maxAgeSeconds: Math.floor(sessionTtlMs / 1000) };
    },

    isAuthorised(req: Request, now = Date.now()): boolean {
      const token = bearer(req);
      if (token !== undefined) return sameSecret(token, authToken);
      const session = cookie(req, SESSION_COOKIE);
      const dot = session?.indexOf('.') ?? -1;
      if (!session || dot <= 0) return false;
      const expires = Number(session.slice(0, dot));
      return (
        Number.isSafeInteger(expires) && expires > now && sameSecret(session.slice(dot + 1), sign(expires))
      );
    },
  };
}
