-- Up Migration

-- Each loan's position on a snapshot date, beside the aggregate rows: a roll rate is the share of
-- a bucket's balance whose loans sit one bucket later a month on, which only loan-by-loan positions
-- can tell (aggregates can only give a cohort's net flow). Written by the same daily snapshot, in
-- the same transaction, and replaced with it on a re-run.
create table portfolio_loan_positions (
  business_date date not null,
  loan_id text not null,
  product_code text not null,
  bucket text not null,
  -- 'YYYY-MM' of disbursement, as in portfolio_snapshots.
  vintage text not null,
  currency text not null,
  state text not null check (state in ('open', 'closed', 'written_off')),
  -- Minor units, from the ledger, as in portfolio_snapshots.
  outstanding_principal bigint not null,
  primary key (business_date, loan_id)
);
create index portfolio_loan_positions_product on portfolio_loan_positions (business_date, product_code);

-- Down Migration
drop table portfolio_loan_positions;
