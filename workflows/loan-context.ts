import { ApplicationFailure, log } from '@temporalio/workflow';
import type { Bucket } from '../domain/delinquency';
import { type Booked, type LoanBook, type LoanStatus } from '../domain/loan';
import {
  type LoanAnswer,
  type LoanEvent,
  type LoanMoney,
  type LoanStep,
  type LoanTerms,
  statusOf,
  stepLoan,
} from '../domain/loan-machine';
import { noServicing, type Servicing } from '../domain/loan-servicing';
import type { GatewayReminder } from '../domain/reminders';
import { localDateAt } from '../domain/localdate';
import type { Money } from '../domain/money';
import type { CollectionRun } from './collection';
import { DEFAULT_HISTORY_LIMIT, type HistoryLimit, type Run } from './continue-as-new';
import { type LoanView, type LoanInput } from '../contracts/loan';

export interface LoanSettings extends HistoryLimit {
  reminderDaysBefore: number;
  /** Local time of the reminder, inside contact hours. */
  reminderTime: string;
  /** Local times of the autopay attempts on the due day. */
  autopayTimes: string[];
  /** Days past due on which the loan is written off. */
  writeOffDpd: number;
  /** A late loan is furnished to the bureau from this DPD on, and its cure or closure after that. */
  bureauReportFromDpd: number;
  /** How long a written-off loan keeps taking recoveries before its workflow completes. */
  recoveryDays: number;
  /** How long a closed loan keeps taking provider callbacks (refunding them) before its workflow completes. */
  lateReceiptDays: number;
  /**
   * Due days one run serves before it continues as new (patch `continue-each-year`): a replay never
   * reads more than this many months of history.
   */
  installmentsPerRun: number;
  /** Handed to the collection child (tests shorten or tighten the strategy). */
  collection?: CollectionRun['settings'];
}
export const DEFAULT_SETTINGS: LoanSettings = {
  historyLimit: DEFAULT_HISTORY_LIMIT,
  reminderDaysBefore: 3,
  reminderTime: '10:00',
  autopayTimes: ['09:00', '14:00', '19:00'],
  writeOffDpd: 180,
  bureauReportFromDpd: 31,
  recoveryDays: 3 * 365,
  lateReceiptDays: 30,
  installmentsPerRun: 12,
};

/** Everything a run hands to the next one on continue-as-new: plain JSON. */
export interface LoanState extends LoanMoney {
  disbursement: LoanView['disbursement'];
  failure: LoanView['failure'];
  callbackEvents: string[];
  reminders: LoanView['reminders'];
  version: number;
  /** Booked at disbursement; a write-off draws on exactly this. Absent in runs begun before it was kept. */
  riskReserve?: number;
  /** Credit paid back to the borrower after payoff (absent before refunds existed). */
  refunds?: NonNullable<LoanView['refunds']>;
  /** The delinquency buckets the loan began with (absent in runs begun before they were kept). */
  buckets?: Bucket[];
  /** Reminders the gateway holds and has not delivered yet (patch `reminders-with-gateway`). */
  gatewayReminders?: GatewayReminder[];
}

/** What a loan's run is handed beside its input: settings (tests shorten them) and the state carried on. */
export type LoanRun = Run<LoanSettings, LoanState>;

export const newLoanState = (): LoanState => ({
  status: 'disbursing',
  book: null,
  disbursement: null,
  failure: null,
  watermark: 0,
  payments: {},
  callbackEvents: [],
  autopayAttempts: [],
  reminders: [],
  exceptions: [],
  outbox: [],
  version: 0,
});

/**
 * What the loan workflow lends the modules that book and show it: its input and terms, its state, and
 * the flag that wakes its main loop. One run owns exactly one.
 */
export interface LoanContext {
  readonly input: LoanInput;
  /**
   * The run's product, calendar, currency, whether it collects (patch `delinquency-collection`) and the
   * card autopay debits and refunds go to: what the loan's machine (domain/loan-machine.ts) reads.
   */
  readonly terms: LoanTerms;
  readonly settings: LoanSettings;
  readonly s: LoanState;
  /** Something the main loop must post, publish and tell collection about happened. */
  changed: boolean;
  /** What this run last published and how it saves (workflows/loan-books.ts). */
  readonly saving: { indexed: string; together?: boolean };
}

/** Runs begun before delinquency servicing carry none; it is added the first time it is needed. */
export function servicing(ctx: LoanContext): Servicing {
  return (ctx.s.servicing ??= noServicing());
}

/**
 * Hands `event` to the loan's machine and takes its next state; the effects a handler can carry out at
 * once (the change flag, logs) are done here, the rest are the caller's.
 */
export function apply<E extends LoanEvent>(ctx: LoanContext, event: E): LoanStep<LoanState, LoanAnswer<E>> {
  const step = stepLoan(ctx.terms, ctx.s, event);
  Object.assign(ctx.s, step.state);
  for (const effect of step.effects) {
    if (effect.type === 'changed') ctx.changed = true;
    if (effect.type === 'log')
      log[effect.level](effect.message, { loanId: ctx.input.loanId, ...effect.fields });
  }
  return step;
}

export function today(ctx: LoanContext): string {
  return localDateAt(Date.now(), ctx.input.timeZone);
}

export function money(ctx: LoanContext, amount: number): Money {
  return { amount, currency: ctx.input.principal.currency };
}

export function inService(ctx: LoanContext): LoanBook {
  const { s } = ctx;
  if (!s.book)
    throw ApplicationFailure.nonRetryable(`the loan is ${s.status}; it has no schedule`, 'DomainError', {
      field: 'loan',
      code: 'loan_not_in_service',
    });
  return s.book;
}

/** A booking's new book replaces the old one and its entries wait in the outbox for the main loop. */
export function commit<R>(ctx: LoanContext, booked: Booked<R>): R {
  ctx.s.book = booked.book;
  ctx.s.outbox.push(...booked.entries);
  return booked.result;
}

export function currentStatus(ctx: LoanContext): LoanStatus {
  return statusOf(ctx.terms, ctx.s);
}
