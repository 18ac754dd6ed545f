import path from 'node:path';

/**
 * How the local stack joins its codec server to the dev server's UI, in one place so the browser
 * test starts them exactly as `npm start` does.
 */
export interface LocalCodecWiring {
  /** What the UI calls, straight from the operator's browser. */
  codecUrl: string;
  uiOrigins: string[];
  /** Node and arguments that start the codec server process. */
  command: [string, string[]];
  env: Record<string, string>;
  /** Flags for `temporal server start-dev`. */
  uiArgs: string[];
}

export function localCodecWiring(opts: {
  codecPort: number;
  uiPort: number;
  authToken: string;
  /** Off for a machine shared with people who must not read payloads; see `trustLocalUi`. */
  trustLocalUi?: boolean;
}): LocalCodecWiring {
  // The UI on either host name; the browser calls 127.0.0.1, so both stay on loopback.
  const uiOrigins = [`http://127.0.0.1:${opts.uiPort}`, `http://localhost:${opts.uiPort}`];
  const codecUrl = `http://127.0.0.1:${opts.codecPort}`;
  return {
    codecUrl,
    uiOrigins,
    command: [
      process.execPath,
      ['--import', 'tsx', path.resolve(__dirname, '..', '..', 'codec', 'codec-server-main.ts')],
    ],
    env: {
      CODEC_AUTH_TOKEN: opts.authToken,
      CODEC_HOST: '127.0.0.1',
      CODEC_PORT: String(opts.codecPort),
      CODEC_ALLOWED_ORIGINS: uiOrigins.join(','),
      CODEC_TRUST_LOCAL_UI: String(opts.trustLocalUi ?? true),
    },
    uiArgs: ['--ui-port', String(opts.uiPort), '--ui-codec-endpoint', codecUrl],
  };
}
