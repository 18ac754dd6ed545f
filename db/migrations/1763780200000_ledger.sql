-- Up Migration

-- Double-entry journal. One entry per business event (unique source_event_id makes posting
-- idempotent); its lines must balance, which a deferred trigger checks at commit. Entries are
-- append-only: a mistake is undone by a reversal entry, never by an update.
create table journal_entries (
  id bigserial primary key,
  source_event_id text not null unique,
  loan_id text not null,
  kind text not null,
  effective_date date not null,
  currency text not null,
  posted_at timestamptz not null default now()
);
create index journal_entries_loan on journal_entries (loan_id, id);

create table journal_lines (
  id bigserial primary key,
  entry_id bigint not null references journal_entries (id),
  loan_id text not null,
  account text not null check (account in (
    'loan_principal_receivable', 'interest_receivable', 'fee_receivable', 'penalty_receivable',
    'cash_clearing', 'interest_income', 'fee_income', 'penalty_income', 'customer_credit_balance',
    'risk_reserve_expense', 'risk_reserve_provision')),
  debit bigint not null default 0 check (debit >= 0),
  credit bigint not null default 0 check (credit >= 0),
  check ((debit = 0) <> (credit = 0))
);
create index journal_lines_loan_account on journal_lines (loan_id, account);
create index journal_lines_entry on journal_lines (entry_id);

create function journal_entry_must_balance() returns trigger language plpgsql as $$
declare
  entry bigint := coalesce(new.entry_id, old.entry_id);
  difference bigint;
  line_count integer;
begin
  select coalesce(sum(debit) - sum(credit), 0), count(*) into difference, line_count
    from journal_lines where entry_id = entry;
  if difference <> 0 or line_count < 2 then
    raise exception 'journal entry % does not balance (debits - credits = %, lines = %)', entry, difference, line_count
      using errcode = 'check_violation';
  end if;
  return null;
end $$;

create constraint trigger journal_lines_balance
  after insert or update or delete on journal_lines
  deferrable initially deferred
  for each row execute function journal_entry_must_balance();

create function journal_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'the journal is append-only: post a reversal instead of changing %', tg_table_name;
end $$;

create trigger journal_entries_append_only before update or delete on journal_entries
  for each row execute function journal_is_append_only();
create trigger journal_lines_append_only before update or delete on journal_lines
  for each row execute function journal_is_append_only();

-- Down Migration
drop table journal_lines;
drop table journal_entries;
drop function journal_is_append_only;
drop function journal_entry_must_balance;
