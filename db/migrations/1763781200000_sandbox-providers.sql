-- Up Migration

-- The sandbox providers' own records (PROVIDERS=sandbox; empty with real providers). A bank keeps
-- its idempotency keys durably: when the sandbox kept them in memory, a worker restarted after the
-- bank paid was paid again, and references restarted at 1 in every process. These tables stand for
-- the providers' systems, so they hold what a provider holds (card and phone numbers); nothing of
-- ours reads them except through the sandbox adapters.

-- One sequence for every reference any sandbox issues: unique across processes and restarts.
create sequence sandbox_provider_refs;

create table sandbox_bank_transfers (
  -- One transfer per key, ever: a payout key reused for a debit is a conflict, as at a bank.
  idempotency_key text primary key,
  kind text not null check (kind in ('payout', 'debit')),
  id text not null unique,
  amount bigint not null check (amount > 0),
  currency text not null,
  card text not null,
  payee text,
  due_date date,
  status text not null check (status in ('paid', 'succeeded', 'failed')),
  failure_reason text,
  created_at timestamptz not null,
  check ((kind = 'payout') = (payee is not null and due_date is null)),
  check ((status = 'failed') = (failure_reason is not null))
);
-- Statements read a business day.
create index sandbox_bank_transfers_created_at on sandbox_bank_transfers (created_at);
-- The sandbox's "first attempt of the day fails" card rule asks whether a day was debited before.
create index sandbox_bank_transfers_debit_day on sandbox_bank_transfers (card, due_date) where kind = 'debit';

-- Everything else a sandbox answers once per key: messages, bureau pulls and filings, agency
-- assignments and legal notices, each under its provider's name.
create table sandbox_provider_records (
  provider text not null,
  idempotency_key text not null,
  body jsonb not null,
  created_at timestamptz not null default now(),
  primary key (provider, idempotency_key)
);

-- Down Migration
drop table sandbox_provider_records;
drop table sandbox_bank_transfers;
drop sequence sandbox_provider_refs;
