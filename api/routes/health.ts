import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Pool } from 'pg';

export function healthRoutes(deps: { pool: Pool; temporal: Client }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [db, temporal] = await Promise.all([
      deps.pool.query('select 1').then(
        () => 'ok',
        (e: Error) => e.message,
      ),
      deps.temporal.workflowService.getSystemInfo({}).then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    ]);
    const ready = db === 'ok' && temporal === 'ok';
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not_ready', checks: { postgres: db, temporal } });
  });
  return router;
}
