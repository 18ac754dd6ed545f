import request from 'supertest';
import { type ApiHarness, apiHarness } from '../support/api';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness('test-console-session');
});
afterAll(async () => {
  await h?.close();
});

const signIn = (apiKey: string) => request(h.app).post('/console/session').send({ apiKey });
const cookieOf = (res: request.Response) => String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]!;

test('an API key becomes an httpOnly SameSite=Strict cookie with an expiry; sign-out ends it on the server', async () => {
  const res = await signIn(h.keys.reviewer);
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ role: 'reviewer', csrfToken: expect.any(String) });
  const setCookie = String(res.headers['set-cookie']?.[0]);
  expect(setCookie).toMatch(/^lf_console=[\w-]{20,};/);
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  expect(setCookie).toMatch(/Max-Age=28800/);
  expect(setCookie).toMatch(/Expires=/);
  const cookie = cookieOf(res);

  expect((await request(h.app).get('/v1/reviews').set('Cookie', cookie)).status).toBe(200);
  expect((await request(h.app).get('/v1/loans').set('Cookie', cookie)).status).toBe(403);
  const again = await request(h.app).get('/console/session').set('Cookie', cookie);
  expect(again.body.csrfToken).toBe(res.body.csrfToken);

  expect((await request(h.app).delete('/console/session').set('Cookie', cookie)).status).toBe(403);
  const out = await request(h.app)
    .delete('/console/session')
    .set('Cookie', cookie)
    .set('X-CSRF-Token', res.body.csrfToken);
  expect(out.status).toBe(204);
  // The old cookie is dead even if a browser kept it.
  expect((await request(h.app).get('/v1/reviews').set('Cookie', cookie)).status).toBe(401);
  const row = await h.pool.query(
    'select count(*)::int as n from console_sessions where ended_at is not null',
  );
  expect(row.rows[0].n).toBeGreaterThan(0);
});

test('a state change with the cookie but without the CSRF token is refused before any handler runs', async () => {
  const res = await signIn(h.keys.reviewer);
  const cookie = cookieOf(res);
  const decide = (csrf?: string) => {
    const r = request(h.app)
      .post('/v1/reviews/rv_cl_absent0123456789/decision')
      .set('Cookie', cookie)
      .set('Idempotency-Key', `csrf-${Math.random()}`);
    return (csrf ? r.set('X-CSRF-Token', csrf) : r).send({ decision: 'approve' });
  };
  const refused = await decide();
  expect(refused.status).toBe(403);
  expect(refused.body.field).toBe('X-CSRF-Token');
  expect((await decide('wrong-token')).status).toBe(403);
  // With the token it reaches the route, which finds no such review.
  expect((await decide(res.body.csrfToken)).status).toBe(404);
});

test('a client key, a bad key and a form post get no session', async () => {
  const client = await signIn(h.keys.client);
  expect(client.status).toBe(403);
  expect(client.headers['set-cookie']).toBeUndefined();
  expect((await signIn('lf_reviewer_not-a-key')).status).toBe(401);
  const form = await request(h.app).post('/console/session').type('form').send({ apiKey: h.keys.reviewer });
  expect(form.status).toBe(415);
});

test('the console is served with a Content-Security-Policy that allows no inline script', async () => {
  const res = await request(h.app).get('/console');
  expect(res.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
  expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
});
