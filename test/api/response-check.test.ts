import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { mount } from '../../api/mount';
import { errorHandler } from '../../api/problem';
import { checkResponses, mismatchOf } from '../../api/response-check';
import { json, type Route, type RouteGroup, routeFor } from '../../api/route';

/**
 * Under jest every table route's answer is held to its declared schema (api/response-check.ts), so
 * the API tests prove the document true. These cases prove the check itself refuses what it should.
 */
const route = routeFor<{ answer: unknown; status?: number }>();
const Thing = z.object({ id: z.string(), amount: z.number().int() });
const thing = route({
  method: 'get',
  path: '/v1/things',
  summary: 'a thing',
  roles: 'public',
  responses: { 200: json('the thing', Thing) },
  handle({ ctx, res }) {
    res.status(ctx.status ?? 200).json(ctx.answer);
  },
});

function appAnswering(answer: unknown, status?: number) {
  const group: RouteGroup<{ answer: unknown; status?: number }> = { documented: false, routes: [thing] };
  const app = express();
  app.use(checkResponses);
  mount(app, group, { answer, status });
  app.use(errorHandler);
  return app;
}

test('an answer that matches its declared schema passes unchanged', async () => {
  const res = await request(appAnswering({ id: 'a', amount: 5 })).get('/v1/things');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ id: 'a', amount: 5 });
});

test.each([
  ['a field of the wrong type', { id: 'a', amount: 'five' }, 200, /amount/],
  ['a field the schema does not declare', { id: 'a', amount: 5, secret: 'x' }, 200, /secret is not declared/],
  ['a status the route does not declare', { id: 'a', amount: 5 }, 201, /status 201 is not declared/],
])('%s becomes a 500 naming the mismatch', async (_what, answer, status, why) => {
  const res = await request(appAnswering(answer, status)).get('/v1/things');
  expect(res.status).toBe(500);
  expect(res.headers['content-type']).toMatch(/problem\+json/);
  expect(res.body.detail).toMatch(why);
});

test('problems the route can answer are declared for it, with the problem schema', () => {
  const problem = JSON.stringify({ type: 'about:blank', title: 'Bad Request', status: 400, detail: 'x' });
  const withBody = { ...thing, body: Thing } as Route;
  expect(mismatchOf(withBody, 400, 'application/problem+json', problem)).toBeNull();
  expect(mismatchOf(withBody, 400, 'application/json', problem)).toMatch(/application\/json is not declared/);
  expect(mismatchOf(thing as Route, 400, 'application/problem+json', problem)).toMatch(/not declared/);
});
