import { z } from 'zod';
import { createCodecServer, DEFAULT_UI_ORIGINS } from './codec-server';
import { isDevKeyring, keyringFromEnv } from './keyring';

/**
 * Codec server process: `npx tsx codec/codec-server-main.ts`. Binds to loopback unless told
 * otherwise: whoever reaches it with the token reads every customer's PII.
 */
const schema = z.object({
  PAYLOAD_KEYS: z.string().optional(),
  CODEC_AUTH_TOKEN: z
    .string({ error: 'CODEC_AUTH_TOKEN is required' })
    .min(16, 'CODEC_AUTH_TOKEN must be at least 16 characters'),
  CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8234),
  CODEC_HOST: z.string().default('127.0.0.1'),
  CODEC_ALLOWED_ORIGINS: z.string().optional(),
  // Set by the local stack only; see `trustLocalUi` in codec-server.ts.
  CODEC_TRUST_LOCAL_UI: z
    .enum(['true', 'false', '1', '0', ''])
    .default('')
    .transform((v) => v === 'true' || v === '1'),
});

function main(): void {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success)
    throw new Error(
      `invalid environment:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  const env = parsed.data;
  const keyring = keyringFromEnv(env.PAYLOAD_KEYS);
  if (isDevKeyring(keyring))
    console.warn(
      '[codec] PAYLOAD_KEYS unset: using the public development key; never point this at real data',
    );
  const allowedOrigins =
    env.CODEC_ALLOWED_ORIGINS?.split(',')
      .map((o) => o.trim())
      .filter(Boolean) ?? DEFAULT_UI_ORIGINS;
  const app = createCodecServer({
    keyring,
    authToken: env.CODEC_AUTH_TOKEN,
    allowedOrigins,
    trustLocalUi: env.CODEC_TRUST_LOCAL_UI,
    onError: (err) =>
      console.error(
        '[codec] request failed:',
        err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error',
      ),
  });
  const server = app.listen(env.CODEC_PORT, env.CODEC_HOST, () => {
    console.log(
      `[codec] listening on http://${env.CODEC_HOST}:${env.CODEC_PORT} (key ${keyring.currentKeyId}; origins ${allowedOrigins.join(' ')}${env.CODEC_TRUST_LOCAL_UI ? ', trusted without a token over loopback' : ''})`,
    );
  });
  server.on('error', (err) => {
    console.error(`[codec] ${err.message}`);
    process.exit(1);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
