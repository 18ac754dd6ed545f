import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createAdapters } from '../adapters';
import { loanflowDataConverter } from '../codec/data-converter';
import { isDevKeyring, keyringFromEnv } from '../codec/keyring';
import { adapterConfig, loadEnv, temporalConnection, WORKER_SECRETS } from '../config/env';
import { createLogger } from '../config/logger';
import { createPool } from '../db/pool';
import { scheduleTargets } from './schedules';
import { cachedWorkflowsFor } from './cache';
import { createLoanflowWorkers } from './worker';

/**
 * Worker process: `npm run worker`: the main worker and the provider queues' workers. The daily
 * schedules belong to the deployment (`worker/schedules-cli.ts`), so a worker started on another
 * queue (a canary, a test) only reports where they point and never moves them.
 */
async function main(): Promise<void> {
  const env = loadEnv(process.env, WORKER_SECRETS);
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
  const schedules = await scheduleTargets(
    new Client({ connection, namespace: settings.namespace, dataConverter }),
  );
  if (Object.values(schedules).includes(null))
    log.warn({ schedules }, 'daily schedules missing: run worker/schedules-cli.ts in the deployment');
  else log.info({ schedules }, 'daily schedules and the task queues they start on');
  const workers = await createLoanflowWorkers({
    connection,
    namespace: settings.namespace,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    pool,
    adapters: createAdapters(adapterConfig(env)),
    dataConverter,
    maxCachedWorkflows: cachedWorkflowsFor(env.WORKER_CACHE_MB),
  });
  log.info(
    {
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      providerQueues: workers.all.slice(1).map((w) => w.options.taskQueue),
      cachedWorkflows: workers.main.options.maxCachedWorkflows,
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
