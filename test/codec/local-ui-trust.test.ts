import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { isLoopbackAddress, isLoopbackOrigin } from '../../codec/auth';
import { createCodecServer } from '../../codec/codec-server';
import { devKeyring, EncryptionCodec } from '../../codec/payload-codec';
import { toJson } from '../../codec/payload-json';
import { localCodecWiring } from '../../scripts/lib/local-codec';
import { requestFromPeer } from './peer';

const authToken = randomBytes(24).toString('base64url');
const wiring = localCodecWiring({ codecPort: 18234, uiPort: 18233, authToken });
// Configured as `npm start` configures codec/codec-server-main.ts.
const local = createCodecServer({
  keyring: devKeyring(),
  authToken,
  allowedOrigins: wiring.env.CODEC_ALLOWED_ORIGINS!.split(','),
  trustLocalUi: wiring.env.CODEC_TRUST_LOCAL_UI === 'true',
});
const [UI, UI_LOCALHOST] = wiring.uiOrigins as [string, string];
const SECRET = '11010119900307663X';
let body: string;

beforeAll(async () => {
  const encrypted = await new EncryptionCodec(devKeyring()).encode([
    { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(SECRET)) },
  ]);
  body = JSON.stringify({ payloads: encrypted.map(toJson) });
});

const decode = (headers: Record<string, string>) =>
  request(local)
    .post('/decode')
    .set({ 'Content-Type': 'application/json', ...headers })
    .send(body);
const decodedText = (res: { body: { payloads?: { data: string }[] } }) =>
  Buffer.from(res.body.payloads?.[0]?.data ?? '', 'base64').toString();

describe('codec server trusting the local UI', () => {
  it('is what the local stack sets, on the UI it starts', () => {
    expect(wiring.env.CODEC_TRUST_LOCAL_UI).toBe('true');
    expect(wiring.uiArgs).toEqual(['--ui-port', '18233', '--ui-codec-endpoint', 'http://127.0.0.1:18234']);
    expect(localCodecWiring({ codecPort: 1, uiPort: 2, authToken, trustLocalUi: false }).env).toMatchObject({
      CODEC_TRUST_LOCAL_UI: 'false',
    });
  });

  it.each([UI, UI_LOCALHOST])(
    'decodes for the UI page on %s over loopback, with no token',
    async (origin) => {
      const res = await decode({ Origin: origin, 'X-Namespace': 'default' }).expect(200);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(decodedText(res)).toBe(JSON.stringify(SECRET));
    },
  );

  it('still wants the token from callers that are not the UI page', async () => {
    await decode({}).expect(401);
    await decode({ Origin: 'http://127.0.0.1:9999' }).expect(403);
    await decode({ Origin: 'https://evil.example' }).expect(403);
    // A token that is presented is checked, even from the trusted page.
    await decode({ Origin: UI, Authorization: 'Bearer not-the-token-at-all' }).expect(401);
    await decode({ Authorization: `Bearer ${authToken}` }).expect(200);
  });

  it('does not trust the UI origin from another machine: the check is on the socket, not on headers', async () => {
    const from = (address: string, headers: Record<string, string>) =>
      requestFromPeer(local, address, {
        method: 'POST',
        path: '/decode',
        headers: { 'Content-Type': 'application/json', Origin: UI, ...headers },
        body,
      });
    const remote = await from('203.0.113.7', { 'X-Forwarded-For': '127.0.0.1', Host: '127.0.0.1:18234' });
    expect(remote.status).toBe(401);
    expect(remote.body).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, 12));
    expect((await from('::ffff:10.1.2.3', {})).status).toBe(401);
    expect((await from('203.0.113.7', { Authorization: `Bearer ${authToken}` })).status).toBe(200);
    // The control: the same fake socket from a loopback peer is trusted.
    expect((await from('::ffff:127.0.0.1', {})).status).toBe(200);
  });

  it('is off unless asked for', async () => {
    const plain = createCodecServer({ keyring: devKeyring(), authToken, allowedOrigins: wiring.uiOrigins });
    await request(plain)
      .post('/decode')
      .set({ 'Content-Type': 'application/json', Origin: UI })
      .send(body)
      .expect(401);
  });

  it('refuses to trust an origin that is not on this machine', () => {
    expect(() =>
      createCodecServer({
        keyring: devKeyring(),
        authToken,
        allowedOrigins: [UI, 'https://temporal.example.com'],
        trustLocalUi: true,
      }),
    ).toThrow(/only for a UI on this machine, not for https:\/\/temporal\.example\.com/);
  });

  it('knows loopback peers and origins', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1'])
      expect([a, isLoopbackAddress(a)]).toEqual([a, true]);
    for (const a of [undefined, '', '10.0.0.1', '::ffff:10.0.0.1', '::2', '128.0.0.1', 'localhost'])
      expect([a, isLoopbackAddress(a)]).toEqual([a, false]);
    for (const o of ['http://127.0.0.1:8233', 'http://localhost:8233', 'http://[::1]:8233'])
      expect([o, isLoopbackOrigin(o)]).toEqual([o, true]);
    for (const o of [
      'http://127.0.0.1.evil.example:8233',
      'https://localhost.evil.example',
      'file://',
      'null',
      'http://127.0.0.1:8233/x',
    ])
      expect([o, isLoopbackOrigin(o)]).toEqual([o, false]);
  });
});
