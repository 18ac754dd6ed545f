import { type AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { CURRENCIES, type Currency } from '../domain/money';
import { SandboxCollectionAgency } from './agency';
import { SandboxBank } from './bank';
import { SandboxCreditBureau } from './bureau';
import { ProviderError } from './errors';
import { SandboxIdentityVerifier } from './identity';
import { SandboxListScreener } from './lists';
import { SandboxNotifier } from './notify';
import { memorySandboxStore, type SandboxStore } from './sandbox-store';

export interface SandboxProviders {
  identity: SandboxIdentityVerifier;
  lists: SandboxListScreener;
  bureau: SandboxCreditBureau;
  bank: SandboxBank;
  notify: SandboxNotifier;
  agency: SandboxCollectionAgency;
}

export interface SandboxServerOptions {
  /** When set, every request must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Added before each request is handled; a range draws uniformly from `random`. */
  latencyMs?: number | { min: number; max: number };
  /** Share (0–1) of requests answered `503 INJECTED_FAULT`. */
  faultRate?: number;
  /**
   * Inject the fault after the provider acted, as when a response is lost on the way back. This is
   * the case idempotency keys exist for: the retry must get the original result, not a second effect.
   */
  faultAfterEffect?: boolean;
  /** Seedable source for latency and faults, so a flaky run can be replayed. */
  random?: () => number;
  /**
   * Decides each call's fault by what is asked (route, key or body, and the how-manieth time),
   * not by arrival order, so a seeded chaos run injects the same faults however its calls interleave.
   * Overrides faultRate / faultAfterEffect.
   */
  faultPlan?: (call: SandboxCall) => SandboxFault;
  /** Told when the provider has acted and before it answers: a harness can kill the caller in this window. */
  onEffect?: (call: SandboxCall) => Promise<void> | void;
  /** Told of every call as it arrives and as it is answered (with the status), for a harness to know what is in flight. */
  onCall?: (phase: 'begin' | 'end', call: SandboxCall, status?: number) => void;
  now?: () => Date;
  /**
   * Where the providers keep their records: sandboxStore(pool) (db/sandbox-providers.ts) for a
   * server that must answer a retried key after its own restart; memory, forgotten at exit, when absent.
   */
  store?: SandboxStore;
  providers?: Partial<SandboxProviders>;
}

export interface SandboxCall {
  route: string;
  /** The Idempotency-Key header, or '' for the calls that take none. */
  key: string;
  body: unknown;
  /** 1 for the first call with this route and key (or body), counted per server process. */
  attempt: number;
  /** The caller's TCP port, which names its process on this machine. */
  remotePort: number;
}

/**
 * `error`: a 503 before acting; `lost`: act, then answer 503 as if the answer never arrived;
 * `hang`: act, then hold the answer for `ms` (past the caller's timeout); `slow`: wait `ms`, then act and answer.
 */
export type SandboxFault =
  | { kind: 'none' }
  | { kind: 'error' }
  | { kind: 'lost' }
  | { kind: 'hang'; ms: number }
  | { kind: 'slow'; ms: number };

export interface SandboxServer {
  url: string;
  providers: SandboxProviders;
  close(): Promise<void>;
}

const nonEmpty = z.string().min(1);
const currency = z.enum(CURRENCIES as [Currency, ...Currency[]]);
const bodies = {
  identity: z.object({ name: nonEmpty, idNumber: nonEmpty, bankCard: nonEmpty, phone: nonEmpty }),
  screen: z.object({
    idNumber: nonEmpty,
    phone: nonEmpty,
    bankCard: nonEmpty.optional(),
    deviceId: nonEmpty.optional(),
  }),
  bureau: z.object({
    name: nonEmpty,
    idNumber: nonEmpty,
    consent: z.object({ version: nonEmpty, acceptedAt: nonEmpty }),
  }),
  payout: z.object({
    idempotencyKey: nonEmpty,
    amountMinor: z.number(),
    currency,
    toCard: nonEmpty,
    payee: nonEmpty,
  }),
  debit: z.object({
    idempotencyKey: nonEmpty,
    amountMinor: z.number(),
    currency,
    fromCard: nonEmpty,
    dueDate: nonEmpty,
  }),
  filing: z.object({
    loanId: nonEmpty,
    customerId: nonEmpty,
    status: z.enum(['current', 'delinquent', 'written_off', 'closed']),
    dpd: z.number().int().nonnegative(),
    bucket: nonEmpty,
    outstandingMinor: z.number().int(),
    currency: nonEmpty,
    asOf: nonEmpty,
  }),
  handOff: z.object({
    loanId: nonEmpty,
    customerId: nonEmpty,
    amountMinor: z.number().int(),
    currency: nonEmpty,
    dpd: z.number().int(),
    bucket: nonEmpty,
  }),
  notice: z.object({
    loanId: nonEmpty,
    customerId: nonEmpty,
    amountMinor: z.number().int(),
    currency: nonEmpty,
    dpd: z.number().int(),
  }),
  message: z.object({
    idempotencyKey: nonEmpty,
    channel: z.enum(['sms', 'push']),
    to: nonEmpty,
    template: nonEmpty,
    params: z.record(z.string(), z.string()),
    notAfter: z.iso.datetime().optional(),
    notBefore: z.iso.datetime().optional(),
  }),
};

/** The sandbox providers over HTTP (docs/design.md, "Sandbox providers"), so the HTTP adapters can be exercised end to end. */
export function createSandboxApp(options: SandboxServerOptions = {}): {
  app: Express;
  providers: SandboxProviders;
} {
  const now = options.now ?? (() => new Date());
  const store = options.store ?? memorySandboxStore();
  const providers: SandboxProviders = {
    identity: options.providers?.identity ?? new SandboxIdentityVerifier(),
    lists: options.providers?.lists ?? new SandboxListScreener(),
    bureau: options.providers?.bureau ?? new SandboxCreditBureau(now, store),
    bank: options.providers?.bank ?? new SandboxBank(now, { store }),
    notify: options.providers?.notify ?? new SandboxNotifier(now, store),
    agency: options.providers?.agency ?? new SandboxCollectionAgency(store),
  };
  const random = options.random ?? Math.random;
  const faultRate = options.faultRate ?? 0;

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '64kb' }));
  app.use((req, res, next) => {
    if (options.apiKey !== undefined && req.get('authorization') !== `Bearer ${options.apiKey}`) {
      res.status(401).json({ code: 'UNAUTHORIZED', message: 'missing or wrong API key' });
      return;
    }
    next();
  });

  const attempts = new Map<string, number>();
  const planOf = (call: SandboxCall): SandboxFault => {
    if (options.faultPlan) return options.faultPlan(call);
    if (!(faultRate > 0 && random() < faultRate)) return { kind: 'none' };
    return options.faultAfterEffect ? { kind: 'lost' } : { kind: 'error' };
  };

  /** Wraps each provider call with latency, faults and body validation. */
  const route = <S extends z.ZodType>(
    path: string,
    schema: S,
    handle: (body: z.infer<S>, key: string) => Promise<unknown>,
  ) => {
    app.post(path, async (req: Request, res: Response) => {
      await sleep(latency(options.latencyMs, random));
      const parsed = schema.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({
          code: 'INVALID_REQUEST',
          message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        });
        return;
      }
      const key = req.get('idempotency-key') ?? '';
      const identity = `${path} ${key || JSON.stringify(parsed.data)}`;
      const attempt = (attempts.get(identity) ?? 0) + 1;
      attempts.set(identity, attempt);
      const call: SandboxCall = {
        route: path,
        key,
        body: parsed.data,
        attempt,
        remotePort: req.socket.remotePort ?? 0,
      };
      options.onCall?.('begin', call);
      res.once('finish', () => options.onCall?.('end', call, res.statusCode));
      const fault = planOf(call);
      if (fault.kind === 'error') {
        res.status(503).json({ code: 'INJECTED_FAULT', message: 'sandbox fault injected before the effect' });
        return;
      }
      if (fault.kind === 'slow') await sleep(fault.ms);
      const result = await handle(parsed.data, key);
      await options.onEffect?.(call);
      if (fault.kind === 'hang') await sleep(fault.ms);
      if (fault.kind === 'lost') {
        res.status(503).json({ code: 'INJECTED_FAULT', message: 'sandbox fault injected after the effect' });
        return;
      }
      if (res.writableEnded || res.destroyed) return;
      res.status(200).json(result);
    });
  };

  route('/identity/four-elements', bodies.identity, (body) => providers.identity.verifyFourElements(body));
  route('/lists/screen', bodies.screen, (body) => providers.lists.screen(body));
  route('/bureau/reports', bodies.bureau, (body, key) => providers.bureau.pullReport(body, key));
  route('/bureau/filings', bodies.filing, (body, key) =>
    providers.bureau.fileAccountReport({ ...body, idempotencyKey: key }),
  );
  route('/agency/assignments', bodies.handOff, (body, key) =>
    providers.agency.handOff({ ...body, idempotencyKey: key }),
  );
  route('/legal/notices', bodies.notice, (body, key) =>
    providers.agency.serveLegalNotice({ ...body, idempotencyKey: key }),
  );
  route('/bank/payouts', bodies.payout, (body) => providers.bank.pay(body));
  route('/bank/debits', bodies.debit, (body) => providers.bank.debit(body));
  route('/notify/messages', bodies.message, (body) => providers.notify.send(body));

  app.post('/notify/messages/:key/withdraw', async (req: Request, res: Response) => {
    res.status(200).json(await providers.notify.withdraw(String(req.params.key)));
  });
  // A debit by the key it was asked under: JSON null when the bank has none.
  app.get('/bank/debits/:key', async (req: Request, res: Response) => {
    res.status(200).json(await providers.bank.findDebit(String(req.params.key)));
  });

  // The statement reconciliation reads: what the bank paid out and debited on a date.
  app.get('/bank/statements', async (req: Request, res: Response) => {
    const date = typeof req.query.date === 'string' ? req.query.date : '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      res.status(400).json({ code: 'INVALID_REQUEST', message: 'date: must be YYYY-MM-DD' });
      return;
    }
    res.status(200).json(await providers.bank.statement(date));
  });

  app.use((req: Request, res: Response) => {
    res.status(404).json({ code: 'NOT_FOUND', message: `no sandbox route ${req.method} ${req.path}` });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ProviderError) {
      const status = err.retryable ? 503 : err.code === 'IDEMPOTENCY_CONFLICT' ? 409 : 422;
      res.status(status).json({ code: err.code, message: err.message });
      return;
    }
    const parseFailure =
      typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'entity.parse.failed';
    if (parseFailure) {
      res.status(400).json({ code: 'INVALID_REQUEST', message: 'body is not JSON' });
      return;
    }
    res.status(500).json({ code: 'INTERNAL', message: 'sandbox failure' });
  });

  return { app, providers };
}

/** Listens on `host:port` (defaults 127.0.0.1 and an ephemeral port). */
export async function startSandboxServer(
  options: SandboxServerOptions & { host?: string; port?: number } = {},
): Promise<SandboxServer> {
  const { app, providers } = createSandboxApp(options);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<Express['listen']>>((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    providers,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // fetch keeps connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

function latency(setting: SandboxServerOptions['latencyMs'], random: () => number): number {
  if (setting === undefined) return 0;
  if (typeof setting === 'number') return setting;
  return setting.min + Math.floor(random() * (setting.max - setting.min + 1));
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
