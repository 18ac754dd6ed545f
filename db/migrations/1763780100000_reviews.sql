-- Up Migration

-- The review queue: a projection of each credit line workflow's review, which stays the source of
-- truth. Reviewers list it by status and due time; decisions go to the workflow as signals.
create table reviews (
  id text primary key,
  credit_line_id text not null references credit_lines (id),
  status text not null check (status in ('pending', 'info_requested', 'approved', 'declined', 'expired')),
  reviewers_required integer not null check (reviewers_required in (1, 2)),
  approvals jsonb not null default '[]'::jsonb,
  proposed_limit bigint not null,
  currency text not null,
  grade text,
  escalations integer not null default 0,
  due_at timestamptz not null,
  outcome jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index reviews_queue on reviews (status, due_at);
create index reviews_credit_line on reviews (credit_line_id);

-- Bureau facts (no PII) kept so a fresh report is reused instead of pulled and billed again.
create table bureau_reports (
  report_id text primary key,
  customer_id text not null,
  pulled_at timestamptz not null,
  facts jsonb not null
);
create index bureau_reports_customer on bureau_reports (customer_id, pulled_at desc);

-- Down Migration
drop table bureau_reports;
drop table reviews;
