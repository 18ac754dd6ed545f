-- Up Migration

-- Collectors' call tasks, opened by each loan's collection workflow (`collection:{loanId}`), which stays
-- the judge of what happens next. A task may be called only inside its window: the borrower's contact
-- hours that day. An open task whose window has passed reads as expired (db/collection.ts); nothing
-- needs to sweep it. No PII: customer_id is the opaque keyed hash the loans use.
create table collection_tasks (
  id text primary key,
  loan_id text not null,
  customer_id text not null,
  bucket text not null,
  dpd integer not null check (dpd >= 0),
  time_zone text not null,
  not_before timestamptz not null,
  not_after timestamptz not null,
  status text not null default 'open' check (status in ('open', 'done', 'cancelled', 'expired')),
  outcome text check (outcome in ('reached', 'no_answer', 'wrong_number', 'refused', 'promise_to_pay')),
  collector_id text,
  note text check (length(note) <= 500),
  outcome_at timestamptz,
  close_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (not_after > not_before),
  -- A done task carries who reported what and when; no other task does.
  check ((status = 'done') = (outcome is not null and collector_id is not null and outcome_at is not null))
);
-- The queue is worked window-closing-first, keyset-paginated on (not_after, id).
create index collection_tasks_queue on collection_tasks (status, not_after, id);
create index collection_tasks_loan on collection_tasks (loan_id, not_after, id);

-- Every contact with a borrower (message, call, agency hand-off, legal notice), with the borrower's
-- local date and time so the contact-hour and daily-limit rules can be proven afterwards.
create table collection_contacts (
  id text primary key,
  loan_id text not null,
  channel text not null check (channel in ('sms', 'push', 'call', 'agency', 'legal')),
  at timestamptz not null,
  local_date date not null,
  local_time text not null check (local_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  bucket text not null,
  dpd integer not null check (dpd >= 0),
  outcome text not null,
  task_id text,
  created_at timestamptz not null default now()
);
create index collection_contacts_loan on collection_contacts (loan_id, at, id);

-- Down Migration
drop table collection_contacts;
drop table collection_tasks;
