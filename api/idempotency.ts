import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { AuditRepository } from '../db/audit';
import type { Claim, IdempotencyRepository } from '../db/idempotency';
import { actorOf } from './auth';
import { Problem } from './problem';

export interface EffectResult {
  status: number;
  body: unknown;
  /** What the audit row names as the subject of the effect (a credit line id, a loan id). */
  subject?: string;
}

export interface IdempotencyDeps {
  idempotency: IdempotencyRepository;
  audit: AuditRepository;
}

/** Stable JSON (sorted keys) so the same body always hashes the same whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A resource id derived from (actor, Idempotency-Key): a retry after a crash between the effect and
 * the stored response reaches the same workflow, never a second one. `scope` keeps ids of different
 * kinds apart for the same key.
 */
export function idFromKey(prefix: string, actor: string, key: string, scope?: string): string {
  const material = scope ? `${scope}\n${actor}\n${key}` : `${actor}\n${key}`;
  return `${prefix}_${createHash('sha256').update(material).digest('base64url').slice(0, 22)}`;
}

export function idempotencyKeyOf(req: Request): string {
  const key = req.header('idempotency-key');
  if (!key) throw Problem.field(400, 'Idempotency-Key', 'header is required on this request');
  if (!/^[\x21-\x7e]{1,255}$/.test(key))
    throw Problem.field(400, 'Idempotency-Key', 'must be 1–255 visible ASCII characters');
  return key;
}

/**
 * Runs an effectful handler at most once per (actor, Idempotency-Key): the first response is stored
 * and replayed byte for byte; the same key with another body is refused with 422; a failure on our
 * side releases the key so the client may retry. A request in progress holds the key under a lease
 * it renews; a retry meanwhile gets 409 with Retry-After, and once the lease lapses (the process
 * died) the retry takes the key over and runs the handler again. Handlers must therefore be safe to
 * re-run (they derive resource ids from the key), which a crash between effect and store needs too.
 * Each accepted request leaves one audit row with its actor.
 */
export function idempotent(
  deps: IdempotencyDeps,
  action: string,
  handler: (req: Request, key: string) => Promise<EffectResult>,
): RequestHandler {
  return async (req, res, next) => {
    try {
      const actor = actorOf(req);
      const key = idempotencyKeyOf(req);
      const requestHash = createHash('sha256')
        .update(`${req.method} ${req.path}\n${canonical(req.body)}`)
        .digest('hex');
      const claimed = await deps.idempotency.claim({
        actor: actor.id,
        key,
        method: req.method,
        path: req.path,
        requestHash,
      });
      if (!claimed.claimed) {
        const { existing } = claimed;
        if (existing.requestHash !== requestHash) {
          throw Problem.field(422, 'Idempotency-Key', 'was already used with a different request');
        }
        if (existing.state === 'in_progress') {
          res.set('Retry-After', String(existing.retryAfterSeconds));
          throw Problem.field(409, 'Idempotency-Key', 'a request with this key is still in progress');
        }
        const { response } = existing;
        res.status(response.status).set('Idempotent-Replayed', 'true').type(response.contentType);
        res.send(response.body);
        return;
      }
      const { claim } = claimed;
      let result: EffectResult;
      try {
        result = await whileRenewing(deps.idempotency, claim, () => handler(req, key));
      } catch (err) {
        await deps.idempotency.release(claim);
        throw err;
      }
      await deps.audit.record({
        actor: actor.id,
        role: actor.role,
        action,
        subject: result.subject,
        requestId: String(req.id),
        details: { status: result.status, idempotencyKey: key },
      });
      // Serialised once: what is stored is exactly what this response carries.
      const response = {
        status: result.status,
        body: Buffer.from(JSON.stringify(result.body) ?? 'null'),
        contentType: 'application/json; charset=utf-8',
      };
      await deps.idempotency.complete(claim, response);
      res.status(response.status).type(response.contentType).send(response.body);
    } catch (err) {
      next(err);
    }
  };
}

/** Renews the claim's lease a few times per lease while `run` is busy, so only a dead holder's lapses. */
async function whileRenewing<T>(
  repo: IdempotencyRepository,
  claim: Claim,
  run: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(
    () => {
      repo.renew(claim).catch(() => undefined); // a missed renewal is retried at the next tick
    },
    (repo.leaseSeconds * 1000) / 3,
  );
  try {
    return await run();
  } finally {
    clearInterval(timer);
  }
}
