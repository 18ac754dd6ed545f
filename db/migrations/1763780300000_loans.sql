-- Up Migration

-- Read model of loans for listings and portfolio queries; the workflow is the source of truth and
-- writes here through an activity. `version` grows with every write so a late retry never
-- overwrites newer state. No PII: customer_id is the opaque keyed hash the credit line uses.
create table loans (
  id text primary key,
  credit_line_id text not null,
  customer_id text not null,
  product_code text not null,
  status text not null check (status in
    ('disbursing', 'active', 'delinquent', 'closed', 'disbursement_failed', 'written_off')),
  currency text not null,
  principal bigint not null check (principal > 0),
  outstanding bigint not null,
  credit_balance bigint not null default 0,
  next_due_date date,
  next_due_amount bigint,
  dpd integer not null default 0 check (dpd >= 0),
  bucket text not null default 'M0',
  version integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- Listing is newest first with a keyset cursor on (created_at, id), optionally filtered.
create index loans_cursor on loans (created_at desc, id desc);
create index loans_status_cursor on loans (status, created_at desc, id desc);
create index loans_bucket_cursor on loans (bucket, created_at desc, id desc);
create index loans_credit_line on loans (credit_line_id, created_at desc, id desc);

-- The schedule as serviced, for GET /v1/loans/{id}/schedule without a workflow query.
create table loan_installments (
  loan_id text not null references loans (id) on delete cascade,
  seq integer not null,
  due_date date not null,
  principal bigint not null,
  interest bigint not null,
  fees bigint not null,
  total bigint not null,
  paid bigint not null default 0,
  balance_after bigint not null,
  status text not null,
  primary key (loan_id, seq)
);

-- Down Migration
drop table loan_installments;
drop table loans;
