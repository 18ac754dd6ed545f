import { randomUUID } from 'node:crypto';
import type { Currency } from '../domain/money';

/** A payout or a debit as the sandbox bank books it: the bank's own record, which reconciliation trusts. */
export interface BankTransfer {
  kind: 'payout' | 'debit';
  idempotencyKey: string;
  /** The bank's reference (payoutId, debitId). A refused debit has one too, though nobody is told it. */
  id: string;
  amountMinor: number;
  currency: Currency;
  card: string;
  /** Payouts only. */
  payee: string | null;
  /** Debits only: the borrower's due date the attempt collects for. */
  dueDate: string | null;
  status: 'paid' | 'succeeded' | 'failed';
  failureReason: string | null;
  /** ISO instant. */
  at: string;
}

export type NewBankTransfer = Omit<BankTransfer, 'id'>;

/**
 * Where the sandbox providers keep what a real provider keeps durably: idempotency keys with the
 * record each answered, and the references they issued. A worker restarted between a provider's
 * effect and its answer finds the record here, so a retry is answered with it instead of a second effect.
 */
export interface SandboxStore {
  /**
   * Books `transfer` under its key with a new reference `{idPrefix}-{unique}`, unless the key is booked
   * already. Answers what is booked under the key: the new transfer, or the first one.
   */
  bookTransfer(transfer: NewBankTransfer, idPrefix: string): Promise<BankTransfer>;
  transfer(idempotencyKey: string): Promise<BankTransfer | undefined>;
  /** Transfers booked at instants in [fromIso, toIso), oldest first. */
  transfersBetween(fromIso: string, toIso: string): Promise<BankTransfer[]>;
  /** Whether a debit for this card and due date was booked before, refused or not. */
  debitedBefore(card: string, dueDate: string): Promise<boolean>;
  /**
   * Records `make(unique)` once under (provider, key); a repeat answers the first record. `unique` is
   * a string no other record of any process gets, for the provider to build its reference from.
   */
  recordOnce<T>(provider: string, key: string, make: (unique: string) => T): Promise<T>;
  findRecord<T>(provider: string, key: string): Promise<T | undefined>;
}

/**
 * Records in this process only, gone at exit: for tests of one provider's behaviour. Workers use
 * the PostgreSQL store (db/sandbox-providers.ts). References are random, so even these never repeat
 * a reference an earlier process issued.
 */
export function memorySandboxStore(): SandboxStore {
  const transfers = new Map<string, BankTransfer>();
  const records = new Map<string, unknown>();
  const unique = () => randomUUID().replace(/-/g, '').slice(0, 16);
  return {
    async bookTransfer(t, idPrefix) {
      const earlier = transfers.get(t.idempotencyKey);
      if (earlier) return { ...earlier };
      const booked = { ...t, id: `${idPrefix}-${unique()}` };
      transfers.set(t.idempotencyKey, booked);
      return { ...booked };
    },
    async transfer(key) {
      const t = transfers.get(key);
      return t && { ...t };
    },
    async transfersBetween(fromIso, toIso) {
      const [from, to] = [Date.parse(fromIso), Date.parse(toIso)];
      return [...transfers.values()]
        .filter((t) => Date.parse(t.at) >= from && Date.parse(t.at) < to)
        .map((t) => ({ ...t }));
    },
    async debitedBefore(card, dueDate) {
      return [...transfers.values()].some(
        (t) => t.kind === 'debit' && t.card === card && t.dueDate === dueDate,
      );
    },
    async recordOnce<T>(provider: string, key: string, make: (unique: string) => T): Promise<T> {
      const at = JSON.stringify([provider, key]);
      if (!records.has(at)) records.set(at, structuredClone(make(unique())));
      return structuredClone(records.get(at)) as T;
    },
    async findRecord<T>(provider: string, key: string): Promise<T | undefined> {
      return structuredClone(records.get(JSON.stringify([provider, key]))) as T | undefined;
    },
  };
}

/** A store that is told later where to keep its records (the worker binds its pool); used before that, it fails. */
export interface DeferredSandboxStore extends SandboxStore {
  bind(store: SandboxStore): void;
  readonly bound: boolean;
}

export function deferredSandboxStore(): DeferredSandboxStore {
  let target: SandboxStore | undefined;
  const use = (): SandboxStore => {
    if (target) return target;
    // A sandbox that forgot its payouts at restart paid twice (issue 11): never fall back to memory.
    throw new Error(
      'sandbox providers keep their records in PostgreSQL: pass `pool` to createAdapters, or run them in a worker',
    );
  };
  return {
    bind(store) {
      target ??= store;
    },
    get bound() {
      return target !== undefined;
    },
    bookTransfer: (t, idPrefix) => use().bookTransfer(t, idPrefix),
    transfer: (key) => use().transfer(key),
    transfersBetween: (from, to) => use().transfersBetween(from, to),
    debitedBefore: (card, dueDate) => use().debitedBefore(card, dueDate),
    recordOnce: (provider, key, make) => use().recordOnce(provider, key, make),
    findRecord: (provider, key) => use().findRecord(provider, key),
  };
}
