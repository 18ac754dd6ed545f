import path from 'node:path';
import { startCluster } from './lib/cluster';

/**
 * `npm run cluster`: the production shape on this machine (scripts/lib/cluster.ts), in the
 * foreground. Ctrl-C stops it all; the data, secrets and API keys stay in .data/cluster.
 */
const log = (m: string) => console.log(`[cluster] ${m}`);

async function main(): Promise<void> {
  const t0 = Date.now();
  // Ctrl-C while starting: exiting runs the library's exit hook, which takes every child down.
  const early = () => process.exit(130);
  process.once('SIGINT', early);
  process.once('SIGTERM', early);
  const cluster = await startCluster({
    workers: Number(process.env.CLUSTER_WORKERS ?? 2),
    apis: Number(process.env.CLUSTER_APIS ?? 2),
    providers: process.env.PROVIDERS === 'http' ? 'http' : 'sandbox',
    log,
  });
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    void cluster.stop().then(() => process.exit(0));
  };
  process.removeListener('SIGINT', early);
  process.removeListener('SIGTERM', early);
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  const width = Math.max(...cluster.endpoints.map(([w]) => w.length));
  const pids = [...cluster.processes.values()].map((p) => `${p.name}=${p.pid() ?? '-'}`).join(' ');
  console.log(`
loanflow cluster is up in ${((Date.now() - t0) / 1000).toFixed(1)} s

${cluster.endpoints.map(([what, where]) => `  ${what.padEnd(width)}  ${where}`).join('\n')}

  processes: ${pids}
  API keys (also in ${path.relative(process.cwd(), path.join(cluster.logDir, '..', 'api-keys.json'))}):
${Object.entries(cluster.apiKeys)
  .map(([k, v]) => `    ${k.padEnd(10)} ${v}`)
  .join('\n')}

  Ctrl-C stops everything; data stays for the next \`npm run cluster\`.
`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
