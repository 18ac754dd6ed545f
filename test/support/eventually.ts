/**
 * Polls `read` until `done` holds: for what a workflow or the read model reaches a moment after the
 * call that caused it. Fails with the last value read, so a stuck state explains itself.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`not reached: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
