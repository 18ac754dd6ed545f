import { Client, Connection } from '@temporalio/client';
import { loanflowDataConverter } from '../codec/data-converter';
import { keyringFromEnv } from '../codec/keyring';
import { loadEnv, temporalConnection, WORKER_SECRETS } from '../config/env';
import { ensureSchedules } from './schedules';

/**
 * Deployment step, like the migrations: creates the daily schedules or brings them to the current
 * definition, starting on `TEMPORAL_TASK_QUEUE`, the deployment's main queue. Run once per
 * deploy (`npx tsx worker/schedules-cli.ts`), never from a worker start.
 */
async function main(): Promise<void> {
  const env = loadEnv(process.env, WORKER_SECRETS);
  const settings = temporalConnection(env);
  const connection = await Connection.connect(settings);
  try {
    const client = new Client({
      connection,
      namespace: settings.namespace,
      dataConverter: loanflowDataConverter(keyringFromEnv(env.PAYLOAD_KEYS)),
    });
    const ids = await ensureSchedules(client, env.TEMPORAL_TASK_QUEUE);
    console.log(`schedules in place on task queue ${env.TEMPORAL_TASK_QUEUE}: ${ids.join(', ')}`);
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
