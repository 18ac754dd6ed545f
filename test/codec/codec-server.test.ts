import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import request from 'supertest';
import { createCodecServer } from '../../codec/codec-server';
import { toJson } from '../../codec/payload-json';
import { devKeyring, EncryptionCodec } from '../../codec/payload-codec';

const authToken = randomBytes(24).toString('base64url');
const app = createCodecServer({ keyring: devKeyring(), authToken });
const auth = { Authorization: `Bearer ${authToken}` };
const UI = 'http://127.0.0.1:8233';
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** What the Temporal UI and CLI send: proto3 JSON, base64 for every bytes field. */
const plainBody = {
  payloads: [
    {
      metadata: { encoding: b64('json/plain') },
      data: b64(JSON.stringify({ idNumber: '11010119900101123X' })),
    },
    { metadata: { encoding: b64('json/plain') }, data: b64('"13800138000"') },
  ],
};

describe('codec server', () => {
  it('encodes and decodes the payloads the UI sends', async () => {
    const encoded = await request(app).post('/encode').set(auth).send(plainBody).expect(200);
    expect(encoded.headers['cache-control']).toBe('no-store');
    const payloads = encoded.body.payloads as { metadata: Record<string, string>; data: string }[];
    expect(payloads).toHaveLength(2);
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(JSON.stringify(payloads)).not.toContain(b64('11010119900101123X').slice(0, 12));

    const decoded = await request(app)
      .post('/decode')
      .set(auth)
      .set('X-Namespace', 'default')
      .send(encoded.body)
      .expect(200);
    expect(decoded.body).toEqual(plainBody);
  });

  it('decodes what a worker encrypted, under any mount prefix', async () => {
    const [p] = await new EncryptionCodec(devKeyring()).encode([
      defaultPayloadConverter.toPayload({ card: '6222020000001234' }),
    ]);
    const res = await request(app)
      .post('/loanflow/default/decode')
      .set(auth)
      .send({ payloads: [toJson(p!)] })
      .expect(200);
    const data = Buffer.from(
      (res.body as { payloads: { data: string }[] }).payloads[0]!.data,
      'base64',
    ).toString();
    expect(JSON.parse(data)).toEqual({ card: '6222020000001234' });
  });

  it('answers a payload it cannot decrypt with 422 and a reason', async () => {
    const body = {
      payloads: [
        {
          metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('k0') },
          data: b64('x'.repeat(40)),
        },
      ],
    };
    const res = await request(app).post('/decode').set(auth).send(body).expect(422);
    expect(res.body.error).toMatch(/key id "k0", which is not in the keyring/);
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { Authorization: 'Bearer not-the-token-at-all' }],
    ['the token under another scheme', { Authorization: `Basic ${authToken}` }],
    ['a forged session', { Cookie: `loanflow_codec_session=${Date.now() + 60_000}.forged` }],
  ])('refuses %s with 401', async (_label, headers: Record<string, string>) => {
    const res = await request(app).post('/decode').set(headers).send(plainBody).expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.stringify(res.body)).not.toContain(b64('"13800138000"'));
  });

  // Proto3 JSON omits an empty repeated field: `temporal workflow query --codec-endpoint …` sends this.
  it.each(['encode', 'decode'])('%ss an empty payload list written as {} or null', async (op) => {
    for (const body of ['{}', '{"payloads":null}', '{"payloads":[]}']) {
      const res = await request(app)
        .post(`/${op}`)
        .set(auth)
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(200);
      expect(res.text).toBe('{"payloads":[]}');
    }
  });

  it('rejects bodies that are not proto3-JSON payloads', async () => {
    await request(app)
      .post('/decode')
      .set(auth)
      .set('Content-Type', 'text/plain')
      .send('{"payloads":[]}')
      .expect(415);
    await request(app)
      .post('/decode')
      .set(auth)
      .send({ payloads: [{ data: 'not base64!' }] })
      .expect(400);
    await request(app)
      .post('/decode')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"payloads":')
      .expect(400);
  });

  it('answers the UI preflight for allowed origins only', async () => {
    const ok = await request(app)
      .options('/decode')
      .set('Origin', UI)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-namespace,authorization')
      .expect(204);
    expect(ok.headers['access-control-allow-origin']).toBe(UI);
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect(ok.headers['access-control-allow-methods']).toContain('POST');
    expect(ok.headers['access-control-allow-headers']!.toLowerCase().split(/,\s*/)).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'x-namespace']),
    );
    expect(ok.headers.vary).toMatch(/Origin/);

    const other = await request(app)
      .options('/decode')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(other.status).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await request(app)
      .post('/decode')
      .set('Origin', 'https://evil.example')
      .set(auth)
      .send(plainBody)
      .expect(403);
  });

  it('lets the UI in with the session cookie it gets from /login, and gives CORS headers on errors too', async () => {
    await request(app).get('/login').expect(200).expect('Content-Type', /html/);
    await request(app).post('/login').type('form').send({ token: 'wrong-token-wrong-token' }).expect(401);
    const login = await request(app).post('/login').type('form').send({ token: authToken }).expect(200);
    const setCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    expect(setCookie[0]).toMatch(/^loanflow_codec_session=[^;]+;.*HttpOnly/i);
    expect(setCookie[0]).toMatch(/SameSite=Strict/i);
    expect(setCookie[0]).not.toContain(authToken);
    const cookie = setCookie[0]!.split(';')[0]!;

    const res = await request(app)
      .post('/decode')
      .set('Origin', UI)
      .set('Cookie', cookie)
      .send(plainBody)
      .expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    expect(res.body).toEqual(plainBody);

    const denied = await request(app).post('/decode').set('Origin', UI).send(plainBody).expect(401);
    expect(denied.headers['access-control-allow-origin']).toBe(UI);
  });

  it('expires sessions and does not accept them from another server instance', async () => {
    const shortLived = createCodecServer({ keyring: devKeyring(), authToken, sessionTtlMs: 1 });
    const login = await request(shortLived)
      .post('/login')
      .type('form')
      .send({ token: authToken })
      .expect(200);
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    await new Promise((r) => setTimeout(r, 5));
    await request(shortLived).post('/decode').set('Cookie', cookie).send(plainBody).expect(401);

    const fresh = await request(app).post('/login').type('form').send({ token: authToken }).expect(200);
    const freshCookie = ([] as string[]).concat(fresh.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    await request(shortLived).post('/decode').set('Cookie', freshCookie).send(plainBody).expect(401);
  });

  it('refuses to start with a guessable token', () => {
    expect(() => createCodecServer({ keyring: devKeyring(), authToken: 'short' })).toThrow(/at least 16/);
  });
});
