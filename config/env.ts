import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isDevKeyring, keyringFromEnv } from '../codec/keyring';
import { testClockOf } from '../domain/localdate';

/**
 * Runtime settings shared by the API and the worker, read from the environment. Defaults are the
 * embedded local stack; a real cluster is one set of variables away (docs/operations.md, "Production").
 */
const schema = z.object({
  DATABASE_URL: z.string().min(1),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('loanflow'),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  /** Where the worker serves the Temporal SDK's Prometheus metrics. */
  WORKER_METRICS_ADDRESS: z.string().default('127.0.0.1:9464'),
  /**
   * Memory the worker may spend on its cache of workflows, MiB: the cache holds as many as fit at the
   * worst measured size of a loan (worker/cache.ts). Loans past it sleep out of memory and replay, a
   * year of history at most, when they next wake.
   */
  WORKER_CACHE_MB: z.coerce.number().int().min(64).max(65_536).default(1024),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `1` only in the embedded local stack (`scripts/dev.ts`): the public development secrets may stand in. */
  LOANFLOW_LOCAL: z.enum(['1', '0', '']).optional(),
  /** Key for the opaque customer id (a keyed hash of the ID number). */
  CUSTOMER_ID_KEY: z.string().min(16).optional(),
  /** Payload encryption keys, current first: `k2:<base64 32 bytes>,k1:<base64>` (codec/keyring.ts). */
  PAYLOAD_KEYS: z.string().optional(),
  /** Shared secret that signs the payment provider's callbacks (HMAC-SHA256). */
  PAYMENT_WEBHOOK_SECRET: z.string().min(16).optional(),
  PROVIDERS: z.enum(['sandbox', 'http']).default('sandbox'),
  PROVIDER_BASE_URL: z.string().optional(),
  PROVIDER_API_KEY: z.string().optional(),
  /**
   * Fault-harness only: new credit lines live on a compressed business calendar
   * (`test-clock:<ms per day>:<epoch ms>`, domain/localdate.ts), so months of servicing pass in
   * minutes. Refused unless the providers are the sandbox ones on this machine.
   */
  LOANFLOW_TEST_CLOCK: z
    .string()
    .refine((v) => testClockOf(v) !== undefined, 'must be test-clock:<ms per day dividing a day>:<epoch ms>')
    .optional(),
});

/**
 * Public values, known to anyone who reads this repository: fine for the local stack, and refused
 * anywhere else, where a forged webhook or a reversible customer id would cost real money.
 */
const DEV_SECRETS = {
  CUSTOMER_ID_KEY: 'loanflow-dev-customer-id-key',
  PAYMENT_WEBHOOK_SECRET: 'loanflow-dev-webhook-secret',
} as const;

export type Secret = keyof typeof DEV_SECRETS | 'PAYLOAD_KEYS';
/** What each process holds: the worker never sees the webhook secret or the customer id key. */
export const API_SECRETS: readonly Secret[] = ['CUSTOMER_ID_KEY', 'PAYMENT_WEBHOOK_SECRET', 'PAYLOAD_KEYS'];
export const WORKER_SECRETS: readonly Secret[] = ['PAYLOAD_KEYS'];

type Parsed = z.infer<typeof schema>;
export type Env = Omit<Parsed, keyof typeof DEV_SECRETS> & Record<keyof typeof DEV_SECRETS, string>;

/**
 * Reads and checks the environment. Outside the local stack (`LOANFLOW_LOCAL=1`) each of `secrets`
 * must be set, and not to its public development value: the process stops at start, naming it.
 */
export function loadEnv(
  source: NodeJS.ProcessEnv = process.env,
  secrets: readonly Secret[] = API_SECRETS,
): Env {
  const parsed = schema.safeParse(source);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const local = source.LOANFLOW_LOCAL === '1';
  if (!local) problems.push(...secrets.flatMap((name) => secretProblem(name, source[name])));
  if (parsed.success && parsed.data.LOANFLOW_TEST_CLOCK && !sandboxProviders(parsed.data))
    problems.push(
      'LOANFLOW_TEST_CLOCK: only with the sandbox providers (PROVIDERS=sandbox, or http on loopback)',
    );
  if (problems.length || !parsed.success)
    throw new Error(`invalid environment:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return {
    ...parsed.data,
    CUSTOMER_ID_KEY: parsed.data.CUSTOMER_ID_KEY ?? DEV_SECRETS.CUSTOMER_ID_KEY,
    PAYMENT_WEBHOOK_SECRET: parsed.data.PAYMENT_WEBHOOK_SECRET ?? DEV_SECRETS.PAYMENT_WEBHOOK_SECRET,
  };
}

function sandboxProviders(env: Parsed): boolean {
  if (env.PROVIDERS === 'sandbox') return true;
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(env.PROVIDER_BASE_URL ?? '').hostname);
  } catch {
    return false;
  }
}

function secretProblem(name: Secret, value: string | undefined): string[] {
  const unset = `${name}: is required outside the local stack (LOANFLOW_LOCAL=1); set a secret value`;
  if (!value?.trim()) return [unset];
  if (name === 'PAYLOAD_KEYS') {
    try {
      if (isDevKeyring(keyringFromEnv(value)))
        return [`${name}: is the public development key; set a secret one`];
    } catch (err) {
      return [(err as Error).message];
    }
    return [];
  }
  return value === DEV_SECRETS[name] ? [`${name}: is the public development value; set a secret one`] : [];
}

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  apiKey?: string;
  tls?: boolean | { clientCertPair: { crt: Buffer; key: Buffer } };
}

/** Temporal Cloud takes an API key (TLS implied) or mTLS; a self-hosted cluster may take neither. */
export function temporalConnection(env: Env): TemporalConnectionSettings {
  const base = { address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE };
  if (env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_TLS_KEY_PATH) {
    return {
      ...base,
      tls: {
        clientCertPair: {
          crt: readFileSync(env.TEMPORAL_TLS_CERT_PATH),
          key: readFileSync(env.TEMPORAL_TLS_KEY_PATH),
        },
      },
    };
  }
  if (env.TEMPORAL_API_KEY) return { ...base, apiKey: env.TEMPORAL_API_KEY, tls: true };
  return { ...base, tls: env.TEMPORAL_TLS === 'true' };
}

/** Real providers must be configured completely: a half-set HTTP config never falls back to the sandbox. */
export function adapterConfig(
  env: Env,
): { mode: 'sandbox' } | { mode: 'http'; baseUrl: string; apiKey: string } {
  if (env.PROVIDERS === 'sandbox') return { mode: 'sandbox' };
  if (!env.PROVIDER_BASE_URL || !env.PROVIDER_API_KEY) {
    throw new Error('PROVIDERS=http needs PROVIDER_BASE_URL and PROVIDER_API_KEY');
  }
  return { mode: 'http', baseUrl: env.PROVIDER_BASE_URL, apiKey: env.PROVIDER_API_KEY };
}
