import express from 'express';
import request from 'supertest';
import { authenticate, KEY_CACHE_MS } from '../../api/auth';
import type { Actor } from '../../db/api-keys';

function appWith(active: Map<string, Actor>, clock: { t: number }) {
  const lookups: string[] = [];
  const app = express();
  app.use(
    authenticate(
      {
        findActive: async (key) => {
          lookups.push(key);
          return active.get(key);
        },
      },
      () => clock.t,
    ),
  );
  app.get('/', (req, res) => void res.json({ actor: req.actor?.id }));
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(401).end();
  });
  return { app, lookups };
}

test('an active key is looked up once per cache period; revocation is seen once it lapses', async () => {
  const active = new Map<string, Actor>([['k1', { id: 'key_1', role: 'client', name: 'c' }]]);
  const clock = { t: 0 };
  const { app, lookups } = appWith(active, clock);
  const call = () => request(app).get('/').set('Authorization', 'Bearer k1');
  expect((await call()).body.actor).toBe('key_1');
  expect((await call()).body.actor).toBe('key_1');
  expect(lookups).toHaveLength(1);
  active.delete('k1');
  clock.t += KEY_CACHE_MS + 1;
  expect((await call()).status).toBe(401);
  expect(lookups).toHaveLength(2);
});

test('an unknown key is asked every time, so a key created just now works at once', async () => {
  const active = new Map<string, Actor>();
  const clock = { t: 0 };
  const { app, lookups } = appWith(active, clock);
  const call = () => request(app).get('/').set('Authorization', 'Bearer k2');
  expect((await call()).status).toBe(401);
  active.set('k2', { id: 'key_2', role: 'ops', name: 'o' });
  expect((await call()).body.actor).toBe('key_2');
  expect(lookups).toHaveLength(2);
});
