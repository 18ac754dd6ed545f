import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createAdapters } from '../adapters';
import { loanflowDataConverter } from '../codec/data-converter';
import { isDevKeyring, keyringFromEnv } from '../codec/keyring';
import { adapterConfig, loadEnv, temporalConnection } from '../config/env';
import { createLogger } from '../config/logger';
import { createPool } from '../db/pool';
import { ensureSchedules } from './schedules';
import { createLoanflowWorkers } from './worker';

/** Worker process: `npm run worker`: the main worker and the provider queues' workers, and the daily schedules. */
async function main(): Promise<void> {
  const env = loadEnv();
  Runtime.install({
    logger: new DefaultLogger(env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN'),
    // Task latencies, poller and cache figures of the SDK, scraped at http://<bind>/metrics.
    telemetryOptions: { metrics: { prometheus: { bindAddress: env.WORKER_METRICS_ADDRESS } } },
  });
  const log = createLogger(env.LOG_LEVEL);
  const settings = temporalConnection(env);
  const keyring = keyringFromEnv(env.PAYLOAD_KEYS);
  if (isDevKeyring(keyring))
    log.warn('PAYLOAD_KEYS is not set: payloads are encrypted with the public development key');
  const connection = await NativeConnection.connect(settings);
  const pool = createPool(env.DATABASE_URL);
  const dataConverter = loanflowDataConverter(keyring);
  const schedules = await ensureSchedules(
    new Client({ connection, namespace: settings.namespace, dataConverter }),
    env.TEMPORAL_TASK_QUEUE,
  );
  log.info({ schedules }, 'schedules in place');
  const workers = await createLoanflowWorkers({
    connection,
    namespace: settings.namespace,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    pool,
    adapters: createAdapters(adapterConfig(env)),
    dataConverter,
  });
  log.info(
    {
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      providerQueues: workers.all.slice(1).map((w) => w.options.taskQueue),
      namespace: settings.namespace,
    },
    'workers started',
  );
  try {
    // SIGINT/SIGTERM stop polling on every worker; running activities get the grace time to finish.
    await workers.runAll();
  } finally {
    await pool.end();
    await connection.close();
    log.info('worker stopped');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
