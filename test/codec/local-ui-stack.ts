import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { type LocalCodecWiring, localCodecWiring } from '../../scripts/lib/local-codec';
import { waitForPort } from '../../scripts/lib/ports';
import { ROOT, TOOLS_BIN } from '../support/paths';

/** The codec server and the dev server with its UI, started as `npm start` starts them, on free ports. */
export interface LocalUiStack {
  wiring: LocalCodecWiring;
  temporalAddress: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startLocalUiStack(opts: { trustLocalUi?: boolean } = {}): Promise<LocalUiStack> {
  const [codecPort, uiPort, temporalPort] = [await freePort(), await freePort(), await freePort()];
  const wiring = localCodecWiring({
    codecPort,
    uiPort,
    authToken: randomBytes(24).toString('base64url'),
    trustLocalUi: opts.trustLocalUi,
  });
  // Tests encrypt with the development key, whatever this shell has in PAYLOAD_KEYS.
  const { PAYLOAD_KEYS: _ignored, ...inherited } = process.env;
  const output = (process.env.DEBUG_LOCAL_UI ? 'inherit' : 'ignore') as 'inherit' | 'ignore';
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await stopChild(child);
  };
  try {
    const [node, args] = wiring.command;
    children.push(
      spawn(node, args, {
        cwd: ROOT,
        env: { ...inherited, ...wiring.env },
        stdio: ['ignore', output, output],
      }),
    );
    await waitForPort(codecPort, { child: children[0]! });
    const temporal = spawn(
      path.join(TOOLS_BIN, 'temporal'),
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(temporalPort),
        '--log-level',
        'error',
      ].concat(wiring.uiArgs),
      { cwd: ROOT, env: inherited, stdio: ['ignore', output, output] },
    );
    children.push(temporal);
    await waitForPort(temporalPort, { child: temporal });
    await waitForPort(uiPort, { child: temporal });
  } catch (err) {
    await stop();
    throw err;
  }
  return { wiring, temporalAddress: `127.0.0.1:${temporalPort}`, uiUrl: `http://127.0.0.1:${uiPort}`, stop };
}
