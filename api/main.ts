import { Client, Connection } from '@temporalio/client';
import { loanflowDataConverter } from '../codec/data-converter';
import { keyringFromEnv } from '../codec/keyring';
import { API_SECRETS, loadEnv, temporalConnection } from '../config/env';
import { createLogger } from '../config/logger';
import { createPool } from '../db/pool';
import { createApp } from './app';

/** API process: `npm run api`. */
async function main(): Promise<void> {
  const env = loadEnv(process.env, API_SECRETS);
  const logger = createLogger(env.LOG_LEVEL);
  const settings = temporalConnection(env);
  const connection = await Connection.connect(settings);
  const temporal = new Client({
    connection,
    namespace: settings.namespace,
    // The worker's codec and failure converter: failures arrive with their messages decoded.
    dataConverter: loanflowDataConverter(keyringFromEnv(env.PAYLOAD_KEYS)),
  });
  const pool = createPool(env.DATABASE_URL);
  const app = createApp({
    pool,
    temporal,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    logger,
    customerIdKey: env.CUSTOMER_ID_KEY,
    webhookSecret: env.PAYMENT_WEBHOOK_SECRET,
    ...(env.LOANFLOW_TEST_CLOCK ? { testClock: env.LOANFLOW_TEST_CLOCK } : {}),
  });
  const server = app.listen(env.PORT, () => logger.info({ port: env.PORT }, 'API listening'));
  const stop = () => {
    server.close(() => {
      void Promise.all([pool.end(), connection.close()]).then(() => process.exit(0));
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
