import { DomainError } from '../domain/errors';
import { addDays, instantOfLocal } from '../domain/localdate';
import {
  checkSettlementDecision,
  decideSettlement,
  lapseSettlement,
  proposeSettlement,
  type SettlementContext,
  type SettlementOffer,
} from '../domain/settlement';
import { type CollectionContext, inCollection, nowIso, today } from './collection-context';
import type {
  SettlementDecisionRequest,
  SettlementOfferRequest,
  SettlementOfferView,
} from '../contracts/collection';
import { asFailure, refused } from './failures';

// Settlement offers (和解): proposed by a collector, decided by reviewers; an approved one is the loan's
// to honour, and lapses here when its pay-by date passes unpaid.

/** Prices an offer against the loan as last reported; the validator and the handler ask the same. */
function propose(ctx: CollectionContext, req: SettlementOfferRequest): SettlementOffer {
  const { input } = ctx;
  if (req.amount.currency !== input.currency)
    throw new DomainError('amount.currency', `must be ${input.currency}`);
  const { offerId: id, amount, payBy, proposedBy, reason } = req;
  return proposeSettlement(
    { id, amount: amount.amount, payBy, proposedBy, reason },
    settlementContext(ctx),
    ctx.settings.settlement,
  );
}

function settlementContext(ctx: CollectionContext): SettlementContext {
  const { s } = ctx;
  return {
    today: today(ctx),
    outstanding: s.latest.outstanding,
    receivable: s.latest.receivable,
    openOffer: s.settlements.some((o) => o.status === 'pending_approval' || o.status === 'approved'),
  };
}

/** The offer update's validator: a repeated offer id is answered, not priced again. */
export function checkOffer(ctx: CollectionContext, req: SettlementOfferRequest): void {
  if (ctx.s.settlements.some((o) => o.id === req.offerId)) return;
  inCollection(ctx);
  asFailure(() => propose(ctx, req));
}

export function makeOffer(ctx: CollectionContext, req: SettlementOfferRequest): SettlementOfferView {
  const { s } = ctx;
  const known = s.settlements.find((o) => o.id === req.offerId);
  if (known) return offerView(ctx, known);
  const offer = propose(ctx, req);
  s.settlements.push(offer);
  ctx.changed = true;
  return offerView(ctx, offer);
}

export function checkDecision(ctx: CollectionContext, d: SettlementDecisionRequest): void {
  const offer = ctx.s.settlements.find((o) => o.id === d.offerId);
  if (!offer) throw refused('offerId', 'not_found', `no settlement offer ${d.offerId}`);
  asFailure(() => checkSettlementDecision(offer, d));
}

/** Records a reviewer's decision on an offer the validator found; answers the offer before and after it. */
export function recordDecision(
  ctx: CollectionContext,
  d: SettlementDecisionRequest,
): { before: SettlementOffer; after: SettlementOffer } {
  const { s } = ctx;
  const i = s.settlements.findIndex((o) => o.id === d.offerId);
  const before = s.settlements[i]!;
  const after = decideSettlement(before, { ...d, at: nowIso() });
  s.settlements[i] = after;
  ctx.changed = true;
  return { before, after };
}

export function lapseSettlements(ctx: CollectionContext): void {
  ctx.s.settlements = ctx.s.settlements.map((o) => lapseSettlement(o, today(ctx)));
}

/** The loan closed by this offer: it was paid, whatever its pay-by date said. */
export function markSettledOfferPaid(ctx: CollectionContext): void {
  const { s } = ctx;
  for (const o of s.settlements)
    if (o.id === s.latest.settledBy) Object.assign(o, { status: 'paid' satisfies SettlementOffer['status'] });
}

/** An approved offer lapses the day after its pay-by date: the wake that records it. */
export function payByAt(ctx: CollectionContext): number {
  const approved = ctx.s.settlements.find((o) => o.status === 'approved');
  return approved ? instantOfLocal(addDays(approved.payBy, 1), '00:00', ctx.input.timeZone) : Infinity;
}

export function offerView(ctx: CollectionContext, o: SettlementOffer): SettlementOfferView {
  return { ...o, amount: { amount: o.amount, currency: ctx.input.currency } };
}
