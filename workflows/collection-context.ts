import type { CollectionStrategy } from '../domain/collection';
import { localDateAt } from '../domain/localdate';
import type { PromiseToPay } from '../domain/promise';
import type { SettlementOffer, SettlementPolicy } from '../domain/settlement';
import type {
  CollectionInput,
  CollectionStatus,
  ContactRecord,
  DelinquencyUpdate,
} from '../contracts/collection';
import type { HistoryLimit, Run } from './continue-as-new';
import { refused } from './failures';

export interface CollectionSettings extends HistoryLimit {
  strategy: CollectionStrategy;
  settlement: SettlementPolicy;
}

/** What a collection's run is handed beside its input: settings and the state carried on. */
export type CollectionRun = Run<CollectionSettings, CollectionState>;

/** Carried over continue-as-new: plain JSON. */
export interface CollectionState {
  status: CollectionStatus;
  latest: DelinquencyUpdate;
  /** Strategy steps performed (or passed over) in this delinquency episode, by key. */
  done: string[];
  /** Local date → contacts made, so no day exceeds the strategy's limit. */
  contactsByDay: Record<string, number>;
  contacts: ContactRecord[];
  openTasks: { id: string; notAfter: number }[];
  promises: PromiseToPay[];
  /** Who recorded each promise and when (the domain record carries the money only). */
  promisedBy: Record<string, { by: string; at: string }>;
  settlements: SettlementOffer[];
  agencyRef: string | null;
  legalNoticeOn: string | null;
}

/**
 * What the collection workflow lends the modules that keep its contacts, promises, settlements and
 * view: its input and settings, its state, and the flag that wakes its main loop. One run owns exactly one.
 */
export interface CollectionContext {
  readonly input: CollectionInput;
  readonly settings: CollectionSettings;
  /** The settings' strategy as checked at the start of the run. */
  readonly strategy: CollectionStrategy;
  readonly s: CollectionState;
  /** Something the main loop must weigh before it sleeps again happened. */
  changed: boolean;
}

/** The borrower's local date: promises, settlements and contact limits are all counted in it. */
export function today(ctx: CollectionContext): string {
  return localDateAt(Date.now(), ctx.input.timeZone);
}

export function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

export function inCollection(ctx: CollectionContext): void {
  const { s } = ctx;
  if (s.status === 'active' || s.status === 'paused') return;
  throw refused('loan', 'not_in_collection', `collection has ended: the loan is ${s.status}`);
}
