import { createServer, type RequestListener } from 'node:http';
import { Duplex } from 'node:stream';

/**
 * Sends one raw HTTP/1.1 request to `app` as if it came from `address`: tests run on loopback, so
 * this is how a caller from another machine reaches the server's socket-peer check.
 */
export function requestFromPeer(
  app: RequestListener,
  address: string,
  req: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; headers: string; body: string }> {
  const body = req.body ?? '';
  const head = Object.entries({
    Host: '127.0.0.1:8234',
    Connection: 'close',
    'Content-Length': String(Buffer.byteLength(body)),
    ...req.headers,
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const out: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      out.push(Buffer.from(chunk));
      done();
    },
  });
  Object.assign(socket, {
    remoteAddress: address,
    remotePort: 40_000,
    setTimeout: () => socket,
    setNoDelay: () => socket,
    setKeepAlive: () => socket,
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('finish', () => {
      const raw = Buffer.concat(out).toString();
      const split = raw.indexOf('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]),
        headers: raw.slice(0, split).toLowerCase(),
        body: raw.slice(split + 4),
      });
    });
    createServer(app).emit('connection', socket);
    socket.push(`${req.method} ${req.path} HTTP/1.1\r\n${head}\r\n${body}`);
  });
}
