import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Runtime settings shared by the API and the worker, read from the environment. Defaults are the
 * embedded local stack; a real cluster is one set of variables away (README "Production").
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
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Key for the opaque customer id (a keyed hash of the ID number); set a secret one in production. */
  CUSTOMER_ID_KEY: z.string().min(16).default('loanflow-dev-customer-id-key'),
  /** Payload encryption keys, current first: `k2:<base64 32 bytes>,k1:<base64>` (codec/keyring.ts). */
  PAYLOAD_KEYS: z.string().optional(),
  /** Shared secret that signs the payment provider's callbacks (HMAC-SHA256). */
  PAYMENT_WEBHOOK_SECRET: z.string().min(16).default('loanflow-dev-webhook-secret'),
  PROVIDERS: z.enum(['sandbox', 'http']).default('sandbox'),
  PROVIDER_BASE_URL: z.string().optional(),
  PROVIDER_API_KEY: z.string().optional(),
});

export type Env = z.infer<typeof schema>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
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
