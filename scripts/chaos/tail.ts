import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** Follows a log file from its current end, line by line, as `tail -f` does; stop() ends it. */
export function follow(file: string, onLine: (line: string) => void, everyMs = 50): { stop(): void } {
  let offset = 0;
  try {
    offset = statSync(file).size;
  } catch {
    /* not yet written */
  }
  let rest = '';
  const buf = Buffer.alloc(1 << 16);
  const timer = setInterval(() => {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return;
    }
    try {
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, offset);
        if (n <= 0) break;
        offset += n;
        rest += buf.toString('utf8', 0, n);
      }
    } finally {
      closeSync(fd);
    }
    let i;
    while ((i = rest.indexOf('\n')) >= 0) {
      onLine(rest.slice(0, i));
      rest = rest.slice(i + 1);
    }
  }, everyMs);
  return { stop: () => clearInterval(timer) };
}
