-- Up Migration

-- A claim is held under a lease, renewed while its request runs: a process killed mid-request
-- stops renewing, and once the lease lapses a retry with the same key takes the claim over and
-- re-runs the (idempotent) handler instead of getting "in progress" forever. The token tells the
-- holder apart, so a slow request whose claim was taken over cannot complete or release it.
alter table idempotency_keys
  add column lease_until timestamptz,
  add column claim_token text,
  -- The response exactly as it was sent (jsonb reorders keys and rewrites numbers), with its type;
  -- response_body stays for rows stored before, and for reading in SQL.
  add column response_bytes bytea,
  add column response_type text;

-- Down Migration
alter table idempotency_keys
  drop column response_type,
  drop column response_bytes,
  drop column claim_token,
  drop column lease_until;
