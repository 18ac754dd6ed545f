import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { ActivityFailure, Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createCodecServer } from '../../codec/codec-server';
import { failureConverterPath, loanflowDataConverter } from '../../codec/data-converter';
import { devKeyring } from '../../codec/payload-codec';
import { bankCard, idNumber, phone } from '../support/applicants';
import { TOOLS_BIN } from '../support/paths';
import '../support/temporal'; // quiet SDK runtime logger
import {
  type Applicant,
  declineApplicant,
  type FixtureActivities,
  registerApplicant,
  rejectApplicant,
} from './fixture-workflow';

const run = promisify(execFile);
const dataConverter = loanflowDataConverter(devKeyring());
const activities: FixtureActivities = {
  async verifyCard(a) {
    return { card: a.card, approved: true };
  },
  async declineCard(a) {
    throw ApplicationFailure.nonRetryable(`card ${a.card} declined for ${a.phone} (${a.idNumber})`);
  },
};

let env: TestWorkflowEnvironment;
let plainClient: Client;
let workers: Worker[];
let running: Promise<unknown>;
let codecServer: Server;
let codecUrl: string;
const codecToken = randomBytes(24).toString('base64url');

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    client: { dataConverter },
    server: { executable: { type: 'existing-path', path: path.join(TOOLS_BIN, 'temporal-test-server') } },
  });
  // Sees the history exactly as the server stores it.
  plainClient = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  const workflowBundle: WorkflowBundleWithSourceMap = await bundleWorkflowCode({
    workflowsPath: require.resolve('./fixture-workflow'),
    failureConverterPath,
    logger: new DefaultLogger('WARN'),
  });
  const base = {
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle,
    activities,
  };
  workers = await Promise.all([
    Worker.create({ ...base, taskQueue: 'codec-encrypted', dataConverter }),
    // The control: proves the leak detector would see plaintext if the codec were missing.
    Worker.create({ ...base, taskQueue: 'codec-plain' }),
  ]);
  running = Promise.all(workers.map((w) => w.run()));
  await new Promise<void>((resolve) => {
    codecServer = createCodecServer({ keyring: devKeyring(), authToken: codecToken }).listen(
      0,
      '127.0.0.1',
      () => resolve(),
    );
  });
  codecUrl = `http://127.0.0.1:${(codecServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const w of workers ?? []) w.shutdown();
  await running;
  await new Promise((r) => codecServer?.close(r));
  await env?.teardown();
});

function applicant(): Applicant {
  return { name: '李四', idNumber: idNumber(), card: bankCard(), phone: phone() };
}
const secrets = (a: Applicant) => [a.name, a.idNumber, a.card, a.phone];

/** The history as the server stores it, in its wire encoding: plaintext JSON would appear byte for byte. */
async function rawHistory(workflowId: string): Promise<Buffer> {
  const history = await plainClient.workflow.getHandle(workflowId).fetchHistory();
  return Buffer.from(temporal.api.history.v1.History.encode(history).finish());
}

function leaked(raw: Buffer, a: Applicant): string[] {
  return secrets(a).filter((s) => raw.includes(s));
}

/** `temporal workflow show`, the operator's view, with or without the codec server. */
async function cliShow(workflowId: string, codec: boolean): Promise<Buffer> {
  const args = [
    'workflow',
    'show',
    '--address',
    env.address,
    '--namespace',
    env.namespace ?? 'default',
    '-w',
    workflowId,
    '--output',
    'json',
  ];
  if (codec) args.push('--codec-endpoint', codecUrl, '--codec-auth', `Bearer ${codecToken}`);
  const { stdout } = await run(path.join(TOOLS_BIN, 'temporal'), args, { maxBuffer: 16 * 1024 * 1024 });
  return readable(JSON.parse(stdout));
}

/** Every string in the CLI's JSON, plus its base64 decoding: payload bytes print as base64 there. */
function readable(value: unknown): Buffer {
  const out: Buffer[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string')
      out.push(Buffer.from(v), Buffer.from('\n'), Buffer.from(v, 'base64'), Buffer.from('\n'));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return Buffer.concat(out);
}

async function failure(handle: WorkflowHandle): Promise<WorkflowFailedError> {
  const err: unknown = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return err as WorkflowFailedError;
}

describe('PII in Temporal histories', () => {
  it('stores inputs, activity payloads and results encrypted; the codec-aware client reads them back', async () => {
    const a = applicant();
    const handle = await env.client.workflow.start(registerApplicant, {
      taskQueue: 'codec-encrypted',
      workflowId: `codec-ok-${randomUUID()}`,
      args: [a],
    });
    expect(await handle.result()).toEqual({ idNumber: a.idNumber, card: a.card, approved: true });

    const raw = await rawHistory(handle.workflowId);
    expect(raw.includes('binary/encrypted')).toBe(true);
    expect(leaked(raw, a)).toEqual([]);
    expect(leaked(await cliShow(handle.workflowId, false), a)).toEqual([]);
    // The real CLI speaks our codec server's protocol and gets the plaintext back.
    expect(leaked(await cliShow(handle.workflowId, true), a)).toEqual(
      expect.arrayContaining([a.idNumber, a.card]),
    );
  });

  it('would see the plaintext without the codec (control)', async () => {
    const a = applicant();
    const handle = await plainClient.workflow.start(registerApplicant, {
      taskQueue: 'codec-plain',
      workflowId: `codec-plain-${randomUUID()}`,
      args: [a],
    });
    await handle.result();
    expect(leaked(await rawHistory(handle.workflowId), a)).toEqual(
      expect.arrayContaining([a.idNumber, a.card, a.phone]),
    );
    expect(leaked(await cliShow(handle.workflowId, false), a)).toEqual(
      expect.arrayContaining([a.idNumber, a.card]),
    );
  });

  it('encrypts the message and details of a failure raised by the workflow', async () => {
    const a = applicant();
    const handle = await env.client.workflow.start(rejectApplicant, {
      taskQueue: 'codec-encrypted',
      workflowId: `codec-wf-fail-${randomUUID()}`,
      args: [a],
    });
    const err = await failure(handle);
    expect(err.cause).toBeInstanceOf(ApplicationFailure);
    expect(err.cause?.message).toBe(`applicant ${a.idNumber} with card ${a.card} is blacklisted`);
    expect((err.cause as ApplicationFailure).details).toEqual([{ phone: a.phone }]);

    expect(leaked(await rawHistory(handle.workflowId), a)).toEqual([]);
    expect(leaked(await cliShow(handle.workflowId, false), a)).toEqual([]);
    // An operator with the codec endpoint still reads why it failed.
    expect(leaked(await cliShow(handle.workflowId, true), a)).toEqual(
      expect.arrayContaining([a.idNumber, a.card, a.phone]),
    );
  });

  it('encrypts the message of a failure raised by an activity', async () => {
    const a = applicant();
    const handle = await env.client.workflow.start(declineApplicant, {
      taskQueue: 'codec-encrypted',
      workflowId: `codec-act-fail-${randomUUID()}`,
      args: [a],
    });
    const err = await failure(handle);
    expect(err.cause).toBeInstanceOf(ActivityFailure);
    expect((err.cause?.cause as Error | undefined)?.message).toBe(
      `card ${a.card} declined for ${a.phone} (${a.idNumber})`,
    );

    const raw = await rawHistory(handle.workflowId);
    expect(leaked(raw, a)).toEqual([]);
    expect(raw.includes('Encoded failure')).toBe(true);
    expect(leaked(await cliShow(handle.workflowId, false), a)).toEqual([]);
  });
});
