import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const WEB = __dirname;
/** Under the root `dist/`, which git, eslint and prettier all ignore. */
export const CONSOLE_DIST = path.join(WEB, '..', 'dist', 'console');

/**
 * Bundles the console into web/dist: one script and one stylesheet, served from the API's own
 * origin, so the page loads nothing from the internet and its CSP needs no inline script.
 */
export async function buildConsole(outdir = CONSOLE_DIST): Promise<void> {
  mkdirSync(path.join(outdir, 'assets'), { recursive: true });
  await build({
    entryPoints: [path.join(WEB, 'src', 'main.ts')],
    outfile: path.join(outdir, 'assets', 'app.js'),
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    sourcemap: 'linked',
    tsconfig: path.join(WEB, 'tsconfig.json'),
    logLevel: 'warning',
  });
  copyFileSync(path.join(WEB, 'src', 'app.css'), path.join(outdir, 'assets', 'app.css'));
  copyFileSync(path.join(WEB, 'index.html'), path.join(outdir, 'index.html'));
}

if (require.main === module) {
  buildConsole().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
