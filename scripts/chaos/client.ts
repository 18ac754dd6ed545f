import type { Cluster } from './stack';
import type { Prng } from './prng';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}
/** A request the API acknowledged with a 2xx: its effect must be there at the end. */
export interface Acknowledged {
  lifecycle: string;
  what: string;
  path: string;
  status: number;
  body: Record<string, unknown>;
}

export interface ClientOptions {
  cluster: Cluster;
  random: Prng;
  /** Share of effectful requests whose API process is SIGKILLed while they run. */
  apiKillRate: number;
  onApiKill: (name: string) => void;
  deadline: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The harness's API client: effectful calls carry an Idempotency-Key and are retried with the same
 * key on any API (after a dropped connection, a 5xx, or a 409 while the key is held), as a real
 * client must. It also kills the API process serving a request now and then, mid-request.
 */
export function apiClient(o: ClientOptions) {
  const acknowledged: Acknowledged[] = [];
  /** Every 500 the API gave, retried or not: a 5xx other than 503 is always our defect. */
  const internalErrors: string[] = [];
  let answers = 0;
  let deadline = o.deadline;
  let restarting = Promise.resolve();

  async function once(
    url: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ) {
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      json = { raw: text };
    }
    return { status: res.status, body: json, retryAfter: Number(res.headers.get('retry-after') ?? 0) };
  }

  function killApi(index: number) {
    const name = `api-${index + 1}`;
    const proc = o.cluster.processes.get(name);
    if (!proc?.running()) return;
    const killed = Promise.resolve(proc.kill('SIGKILL'));
    o.onApiKill(name);
    restarting = restarting.then(() => killed.then(() => proc.start()).catch(() => undefined));
  }

  async function call(
    method: 'GET' | 'POST',
    path: string,
    opts: { key?: string; apiKey: string; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts.key) headers['idempotency-key'] = opts.key;
    const urls = o.cluster.apiUrls;
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline) throw new Error(`${method} ${path}: no answer before the deadline`);
      const index = o.random.int(0, urls.length - 1);
      const kill = method === 'POST' && attempt === 0 && o.random.chance(o.apiKillRate);
      const killDelay = o.random.int(5, 120);
      try {
        const pending = once(urls[index] as string, method, path, headers, body);
        if (kill) setTimeout(() => killApi(index), killDelay);
        const r = await pending;
        answers++;
        if (r.status === 500) internalErrors.push(`${method} ${path}: ${String(r.body.detail ?? r.status)}`);
        const held = r.status === 409 && (r.body as { field?: string }).field === 'Idempotency-Key';
        if (r.status >= 500 || held || r.status === 429) {
          await sleep(held ? Math.max(1, Math.min(r.retryAfter, 5)) * 1000 : 500 + attempt * 250);
          continue;
        }
        return { status: r.status, body: r.body };
      } catch {
        await sleep(300 + Math.min(attempt, 10) * 200);
      }
    }
  }

  return {
    acknowledged,
    internalErrors,
    answers: () => answers,
    call,
    /** An effectful call whose 2xx is remembered with what it promised. */
    async effect(lifecycle: string, what: string, path: string, opts: Parameters<typeof call>[2]) {
      const r = await call('POST', path, opts);
      if (r.status >= 200 && r.status < 300)
        acknowledged.push({ lifecycle, what, path, status: r.status, body: r.body });
      return r;
    },
    /** The end-of-run checks read after the lifecycles' deadline, and get their own. */
    extendDeadline(until: number) {
      deadline = Math.max(deadline, until);
    },
    /** Restarts of killed APIs run in the background; the end waits for them. */
    settled: () => restarting,
  };
}
export type ApiClient = ReturnType<typeof apiClient>;
