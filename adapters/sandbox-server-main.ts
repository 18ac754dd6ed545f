import { createPool } from '../db/pool';
import { sandboxStore } from '../db/sandbox-providers';
import { seededFaultPlan } from './sandbox-fault-plan';
import { type SandboxCall, startSandboxServer } from './sandbox-server';

/**
 * The sandbox providers as their own process (PROVIDERS=http points workers here), keeping their
 * records in PostgreSQL like the other party would. With SANDBOX_FAULT_RATE it injects seeded faults;
 * with SANDBOX_ANNOUNCE=1 it prints one JSON line per call and per effect, and holds a payout's answer
 * SANDBOX_EFFECT_HOLD_MS after paying, so a harness can kill the worker between the effect and its report.
 */
const env = process.env;
const required = (name: string): string => {
  const v = env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

async function main(): Promise<void> {
  const pool = createPool(required('DATABASE_URL'));
  const announce = env.SANDBOX_ANNOUNCE === '1';
  const holdMs = Number(env.SANDBOX_EFFECT_HOLD_MS ?? 0);
  const rate = Number(env.SANDBOX_FAULT_RATE ?? 0);
  const say = (event: string, call: SandboxCall, extra: Record<string, unknown> = {}) => {
    if (announce)
      process.stdout.write(
        `${JSON.stringify({ event, route: call.route, key: call.key, attempt: call.attempt, port: call.remotePort, ...extra })}\n`,
      );
  };
  const server = await startSandboxServer({
    host: '127.0.0.1',
    port: Number(env.SANDBOX_PORT ?? 0),
    apiKey: required('SANDBOX_API_KEY'),
    store: sandboxStore(pool),
    ...(rate > 0
      ? {
          faultPlan: seededFaultPlan({
            seed: env.SANDBOX_SEED ?? '1',
            rate,
            hangMs: Number(env.SANDBOX_HANG_MS ?? 11_000),
            slowMs: Number(env.SANDBOX_SLOW_MS ?? 3_000),
            maxFaultedAttempts: Number(env.SANDBOX_MAX_FAULTED_ATTEMPTS ?? 3),
          }),
        }
      : {}),
    onCall: (phase, call, status) => say(phase, call, status === undefined ? {} : { status }),
    onEffect: async (call) => {
      say('effect', call);
      if (call.route === '/bank/payouts' && holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
    },
  });
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: server.url })}\n`);
  const stop = () => void server.close().finally(() => pool.end().finally(() => process.exit(0)));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
