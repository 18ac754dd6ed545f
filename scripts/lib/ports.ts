import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

/**
 * Resolves once something accepts connections on the loopback port; fails at the deadline, or at
 * once when `child` (the process expected to listen) has exited, so a crash is not waited out.
 */
export function waitForPort(
  port: number,
  { timeoutMs = 60_000, child }: { timeoutMs?: number; child?: ChildProcess } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child && child.exitCode !== null)
        return reject(new Error(`${child.spawnfile} exited ${child.exitCode} before listening on ${port}`));
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on port ${port}`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}
