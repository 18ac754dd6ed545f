-- Up Migration

-- Staff console sign-ins: an API key exchanged for a cookie. Only the cookie token's SHA-256 is
-- kept (like api_keys), so a database leak does not leak live sessions. The CSRF token is not a
-- secret from the signed-in browser; it proves a state change came from the console's own script.
create table console_sessions (
  token_hash text primary key,
  api_key_id text not null references api_keys (id),
  csrf_token text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ended_at timestamptz
);
create index console_sessions_key on console_sessions (api_key_id);

-- Down Migration
drop table console_sessions;
