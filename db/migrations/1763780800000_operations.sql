-- Up Migration

-- One report per business date and scope ('all', or a named set of loans an operator re-checked).
-- A re-run replaces the report and its breaks, so a date never counts its breaks twice. Reports
-- only describe differences: nothing here or in the job corrects the books.
create table reconciliation_reports (
  business_date date not null,
  scope text not null,
  run_id text not null,
  loans_checked integer not null,
  statement_items integer not null,
  breaks integer not null,
  ran_at timestamptz not null default now(),
  primary key (business_date, scope)
);

create table reconciliation_breaks (
  business_date date not null,
  scope text not null,
  loan_id text not null,
  kind text not null,
  -- What each side holds (minor units or a status), so the report explains itself; null: that side has nothing.
  expected jsonb,
  actual jsonb,
  detail text not null,
  foreign key (business_date, scope) references reconciliation_reports (business_date, scope) on delete cascade
);
create index reconciliation_breaks_report on reconciliation_breaks (business_date, scope);
create index reconciliation_breaks_loan on reconciliation_breaks (loan_id);

-- Balances per business date, product and bucket as the read model stood when the snapshot ran:
-- lagged delinquency rates and vintages need the book as it was, which the live tables forget.
create table portfolio_snapshots (
  business_date date not null,
  product_code text not null,
  bucket text not null,
  -- 'YYYY-MM' of disbursement, for vintages.
  vintage text not null,
  currency text not null,
  loans integer not null,
  outstanding bigint not null,
  outstanding_principal bigint not null,
  disbursed_principal bigint not null,
  -- open, closed or written_off: closed loans still count in their vintage's disbursed principal.
  state text not null check (state in ('open', 'closed', 'written_off')),
  taken_at timestamptz not null default now(),
  primary key (business_date, product_code, bucket, vintage, currency, state)
);

-- Down Migration
drop table portfolio_snapshots;
drop table reconciliation_breaks;
drop table reconciliation_reports;
