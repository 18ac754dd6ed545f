import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { RequestHandler, Response } from 'express';
import { z } from 'zod';
import { ProblemSchema } from './schemas';
import { type Route, responsesOf } from './route';

/** The table route a response answers, set by api/mount.ts before anything of the route runs. */
const answering = new WeakMap<Response, Route>();
export const markRoute = (res: Response, route: Route): void => void answering.set(res, route);

/** What any route may answer when it fails on our side: a problem, logged (api/problem.ts). */
const INTERNAL: ResponseConfig = {
  description: 'internal error',
  content: { 'application/problem+json': { schema: ProblemSchema } },
};

/**
 * Keys the value has and the parsed value lost: zod objects drop the keys they do not declare, so
 * these are the fields a route returns without documenting them.
 */
function undeclared(sent: unknown, parsed: unknown, at: string, out: string[]): void {
  if (Array.isArray(sent) && Array.isArray(parsed))
    sent.forEach((v, i) => undeclared(v, parsed[i], `${at}[${i}]`, out));
  else if (sent && typeof sent === 'object' && parsed && typeof parsed === 'object')
    for (const [k, v] of Object.entries(sent)) {
      const path = at ? `${at}.${k}` : k;
      if (k in parsed) undeclared(v, (parsed as Record<string, unknown>)[k], path, out);
      else out.push(`${path} is not declared`);
    }
}

/** Why a response is not what its route declares for its status, or null when it is. */
export function mismatchOf(
  route: Route,
  status: number,
  contentType: string | undefined,
  body: string | Buffer,
): string | null {
  const declared = responsesOf(route)[status] ?? (status === 500 ? INTERNAL : undefined);
  if (!declared) return `status ${status} is not declared`;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const media = declared.content?.[type];
  if (!declared.content) return body.length === 0 ? null : `status ${status} declares no body`;
  if (!media) return `${type || 'no content type'} is not declared for status ${status}`;
  if (!(media.schema instanceof z.ZodType)) return null;
  const text = body.toString();
  let value: unknown = text;
  if (type.endsWith('json'))
    try {
      value = JSON.parse(text);
    } catch {
      return 'the body is not JSON';
    }
  const parsed = media.schema.safeParse(value);
  if (!parsed.success)
    return parsed.error.issues
      .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
      .slice(0, 5)
      .join('; ');
  const extra: string[] = [];
  undeclared(value, parsed.data, '', extra);
  return extra.length ? extra.slice(0, 5).join('; ') : null;
}

/**
 * Tests run the app with this (api/app.ts `checkResponses`): every answer of a table route is held to
 * the schema its route declares for the status, and one that does not match is replaced by a 500
 * naming the mismatch, which fails whichever test or fuzz check sees it.
 */
export const checkResponses: RequestHandler = (req, res, next) => {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    const route = answering.get(res);
    // An object comes back through res.json as a string; that is the one to check.
    if (!route || !(typeof body === 'string' || Buffer.isBuffer(body))) return send(body);
    const mismatch = mismatchOf(route, res.statusCode, res.get('Content-Type'), body);
    if (!mismatch) return send(body);
    const detail = `${req.method} ${route.path} ${res.statusCode} does not match its declared response: ${mismatch}`;
    req.log?.error({ route: route.path, status: res.statusCode, mismatch }, 'undeclared response');
    answering.delete(res);
    res.status(500).type('application/problem+json');
    return send(JSON.stringify({ type: 'about:blank', title: 'Internal error', status: 500, detail }));
  };
  next();
};
