-- Up Migration

-- Provider callbacks already accepted, by the provider's event id: a redelivered event is answered,
-- never applied twice.
create table webhook_events (
  event_id text primary key,
  type text not null,
  loan_id text not null,
  payment_id text not null,
  received_at timestamptz not null default now()
);

-- Down Migration
drop table webhook_events;
