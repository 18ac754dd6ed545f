import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { devKeyringText } from '../../codec/keyring';
import { API_SECRETS, loadEnv, WORKER_SECRETS } from '../../config/env';
import { ROOT } from '../support/paths';

const base = { DATABASE_URL: 'postgres://loanflow@127.0.0.1:1/loanflow' };
const secrets = {
  CUSTOMER_ID_KEY: randomBytes(24).toString('base64url'),
  PAYMENT_WEBHOOK_SECRET: randomBytes(24).toString('base64url'),
  PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}`,
};

test('outside the local stack the API refuses to start without its secrets, naming each', () => {
  expect(() => loadEnv(base, API_SECRETS)).toThrow(
    /PAYMENT_WEBHOOK_SECRET: is required[\s\S]*CUSTOMER_ID_KEY|CUSTOMER_ID_KEY: is required[\s\S]*PAYMENT_WEBHOOK_SECRET/,
  );
  for (const name of API_SECRETS) {
    const { [name]: _missing, ...rest } = secrets;
    expect(() => loadEnv({ ...base, ...rest }, API_SECRETS)).toThrow(new RegExp(`${name}: is required`));
  }
  expect(loadEnv({ ...base, ...secrets }, API_SECRETS)).toMatchObject({
    CUSTOMER_ID_KEY: secrets.CUSTOMER_ID_KEY,
    PAYMENT_WEBHOOK_SECRET: secrets.PAYMENT_WEBHOOK_SECRET,
  });
});

test('the public development values are refused outside the local stack', () => {
  const dev = {
    CUSTOMER_ID_KEY: 'loanflow-dev-customer-id-key',
    PAYMENT_WEBHOOK_SECRET: 'loanflow-dev-webhook-secret',
    PAYLOAD_KEYS: devKeyringText(),
  };
  for (const name of API_SECRETS)
    expect(() => loadEnv({ ...base, ...secrets, [name]: dev[name] }, API_SECRETS)).toThrow(
      new RegExp(`${name}: is the public development`),
    );
});

test('the worker needs only the payload keys: it never holds the webhook secret', () => {
  expect(() => loadEnv(base, WORKER_SECRETS)).toThrow(/PAYLOAD_KEYS: is required/);
  expect(() => loadEnv({ ...base, PAYLOAD_KEYS: secrets.PAYLOAD_KEYS }, WORKER_SECRETS)).not.toThrow();
});

test('the test clock of the fault harness is refused with providers other than the sandbox ones', () => {
  const clock = 'test-clock:5000:1764640800000';
  const http = { PROVIDERS: 'http', PROVIDER_API_KEY: 'k' };
  expect(loadEnv({ ...base, ...secrets, LOANFLOW_TEST_CLOCK: clock }).LOANFLOW_TEST_CLOCK).toBe(clock);
  expect(
    loadEnv({
      ...base,
      ...secrets,
      ...http,
      PROVIDER_BASE_URL: 'http://127.0.0.1:9',
      LOANFLOW_TEST_CLOCK: clock,
    }).LOANFLOW_TEST_CLOCK,
  ).toBe(clock);
  expect(() =>
    loadEnv({
      ...base,
      ...secrets,
      ...http,
      PROVIDER_BASE_URL: 'https://bank.example',
      LOANFLOW_TEST_CLOCK: clock,
    }),
  ).toThrow(/LOANFLOW_TEST_CLOCK: only with the sandbox providers/);
  expect(() =>
    loadEnv({ ...base, ...secrets, LOANFLOW_TEST_CLOCK: 'test-clock:7000:1764640800000' }),
  ).toThrow(/LOANFLOW_TEST_CLOCK: must be test-clock/);
});

test('the local stack starts on the development secrets', () => {
  const env = loadEnv({ ...base, LOANFLOW_LOCAL: '1' }, API_SECRETS);
  expect(env.PAYMENT_WEBHOOK_SECRET.length).toBeGreaterThanOrEqual(16);
  expect(env.CUSTOMER_ID_KEY.length).toBeGreaterThanOrEqual(16);
  expect(env.PAYLOAD_KEYS).toBeUndefined();
});

test('the API process stops at start with the missing variable named, before connecting anywhere', async () => {
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'api/main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      ...base,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      PAYLOAD_KEYS: secrets.PAYLOAD_KEYS,
    },
    timeout: 30_000,
  });
  const failed = (await run.then(
    () => {
      throw new Error('the API started without its secrets');
    },
    (err: unknown) => err,
  )) as { code: number; stderr: string };
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain('PAYMENT_WEBHOOK_SECRET: is required');
  expect(failed.stderr).toContain('CUSTOMER_ID_KEY: is required');
});
