-- Up Migration

-- API keys are stored as SHA-256 hashes; the key itself is shown once and never kept.
create table api_keys (
  id text primary key,
  key_hash text not null unique,
  role text not null check (role in ('client', 'reviewer', 'collector', 'ops', 'admin')),
  name text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

-- First response to an effectful request, replayed for the same (actor, key); scoped by actor so
-- two clients cannot collide or read each other's responses.
create table idempotency_keys (
  actor text not null,
  key text not null,
  method text not null,
  path text not null,
  request_hash text not null,
  status_code integer,
  response_body jsonb,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  primary key (actor, key)
);

create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor text not null,
  role text not null,
  action text not null,
  subject text,
  request_id text,
  details jsonb not null default '{}'::jsonb
);
create index audit_log_subject on audit_log (subject, at);

-- Read model of credit lines. customer_id is an opaque keyed hash of the ID number: no PII here.
create table credit_lines (
  id text primary key,
  customer_id text not null,
  product_code text not null,
  status text not null,
  currency text not null,
  requested_limit bigint not null check (requested_limit > 0),
  limit_amount bigint,
  available_amount bigint,
  grade text,
  apr text,
  reasons jsonb not null default '[]'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index credit_lines_customer on credit_lines (customer_id);

-- Consent to bureau queries is kept apart from the general terms, with its version and time.
create table consents (
  credit_line_id text not null references credit_lines (id),
  kind text not null,
  version text not null,
  accepted_at timestamptz not null,
  recorded_at timestamptz not null default now(),
  primary key (credit_line_id, kind)
);

-- Down Migration
drop table consents;
drop table credit_lines;
drop table audit_log;
drop table idempotency_keys;
drop table api_keys;
