import fc from 'fast-check';
import { signPayload, verifySignature } from '../../api/webhook-signature';

const secret = 'whsec_test';
const body = Buffer.from('{"eventId":"evt_1","type":"payment.succeeded"}');
const now = 1_795_000_000;

test('a fresh, correctly signed body verifies', () => {
  expect(verifySignature(secret, signPayload(secret, body, now - 10), body, now)).toEqual({ ok: true });
});

test('any change to the body, the timestamp or the secret is refused', () => {
  const header = signPayload(secret, body, now);
  fc.assert(
    fc.property(fc.nat(body.length - 1), fc.integer({ min: 1, max: 255 }), (i, flip) => {
      const tampered = Buffer.from(body);
      tampered[i] = (tampered[i] ?? 0) ^ flip;
      expect(verifySignature(secret, header, tampered, now).ok).toBe(false);
    }),
  );
  expect(verifySignature(secret, header.replace(`t=${now}`, `t=${now + 1}`), body, now).ok).toBe(false);
  expect(verifySignature('another', header, body, now).ok).toBe(false);
});

test('outside the five-minute window, or without a header, it is refused with the reason', () => {
  expect(verifySignature(secret, signPayload(secret, body, now - 301), body, now)).toEqual({
    ok: false,
    reason: 'timestamp outside the tolerance window',
  });
  expect(verifySignature(secret, signPayload(secret, body, now - 300), body, now).ok).toBe(true);
  expect(verifySignature(secret, undefined, body, now).ok).toBe(false);
  expect(verifySignature(secret, 't=abc,v1=00', body, now)).toEqual({
    ok: false,
    reason: 'malformed signature header',
  });
});
