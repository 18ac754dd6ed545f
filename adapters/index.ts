import type { Pool } from 'pg';
import { HttpCollectionAgency, SandboxCollectionAgency } from './agency';
import { HttpBank, SandboxBank } from './bank';
import { HttpCreditBureau, SandboxCreditBureau } from './bureau';
import { type HttpProviderOptions } from './http';
import { HttpIdentityVerifier, SandboxIdentityVerifier } from './identity';
import { HttpListScreener, SandboxListScreener } from './lists';
import { HttpNotifier, SandboxNotifier } from './notify';
import { type DeferredSandboxStore, deferredSandboxStore, type SandboxStore } from './sandbox-store';
import { sandboxStore } from '../db/sandbox-providers';
import type { Providers } from '../contracts/providers';

export type AdapterConfig =
  | {
      mode: 'sandbox';
      now?: () => Date;
      /**
       * Where the sandboxes keep their records, as real providers keep theirs: durably, so a
       * restarted worker is answered with what was done instead of doing it again. Without it the
       * worker binds its own pool (bindSandboxPool) before the first call.
       */
      pool?: Pool;
      /** Instead of `pool`: memorySandboxStore() for tests of the providers alone. */
      store?: SandboxStore;
    }
  | { mode: 'http'; baseUrl: string; apiKey: string; timeoutMs?: number };

export type Adapters = Providers;

const unbound = new WeakMap<Adapters, DeferredSandboxStore>();

/**
 * The worker's single switch between sandbox and real providers. Sandboxes keep their records in
 * the store; their fault-injection attempt counts live in the instance, so create them once per
 * process, not per activity call.
 */
export function createAdapters(config: AdapterConfig): Adapters {
  if (config.mode === 'sandbox') {
    const now = config.now ?? (() => new Date());
    const deferred = deferredSandboxStore();
    const store = config.store ?? (config.pool ? sandboxStore(config.pool) : deferred);
    const adapters: Adapters = {
      identity: new SandboxIdentityVerifier(),
      lists: new SandboxListScreener(),
      bureau: new SandboxCreditBureau(now, store),
      bank: new SandboxBank(now, { store }),
      notify: new SandboxNotifier(now, store),
      agency: new SandboxCollectionAgency(store),
    };
    if (store === deferred) unbound.set(adapters, deferred);
    return adapters;
  }
  const options: HttpProviderOptions = {
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    timeoutMs: config.timeoutMs,
  };
  return {
    identity: new HttpIdentityVerifier(options),
    lists: new HttpListScreener(options),
    bureau: new HttpCreditBureau(options),
    bank: new HttpBank(options),
    notify: new HttpNotifier(options),
    agency: new HttpCollectionAgency(options),
  };
}

/** Gives sandboxes created without a pool the worker's pool; the first pool bound stays. A no-op for others. */
export function bindSandboxPool(adapters: Adapters, pool: Pool): void {
  const deferred = unbound.get(adapters);
  if (deferred && !deferred.bound) deferred.bind(sandboxStore(pool));
}

export * from './errors';
export { memorySandboxStore, type SandboxStore } from './sandbox-store';
export type { HttpProviderOptions } from './http';
export { SandboxCollectionAgency, HttpCollectionAgency } from './agency';
export { SandboxIdentityVerifier, HttpIdentityVerifier } from './identity';
export { SandboxListScreener, HttpListScreener } from './lists';
export { SandboxCreditBureau, HttpCreditBureau } from './bureau';
export { SandboxBank, HttpBank } from './bank';
export { SandboxNotifier, HttpNotifier } from './notify';
