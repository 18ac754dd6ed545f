-- Up Migration

-- The per-line deferred check summed an entry once for each of its lines. An entry's lines are
-- written by one statement (db/ledger.ts), so one check per statement over the rows it inserted
-- proves the same, and refuses an entry written piecemeal, which nothing should do.
drop trigger journal_lines_balance on journal_lines;
drop function journal_entry_must_balance;

create function journal_statement_must_balance() returns trigger language plpgsql as $$
declare
  bad record;
begin
  select n.entry_id, sum(n.debit) - sum(n.credit) as difference, count(*) as line_count into bad
    from inserted_lines n group by n.entry_id
    having sum(n.debit) <> sum(n.credit) or count(*) < 2
    limit 1;
  if found then
    raise exception 'journal entry % does not balance (debits - credits = %, lines = %)', bad.entry_id, bad.difference, bad.line_count
      using errcode = 'check_violation';
  end if;
  return null;
end $$;

create trigger journal_lines_balance
  after insert on journal_lines
  referencing new table as inserted_lines
  for each statement execute function journal_statement_must_balance();

-- Down Migration
drop trigger journal_lines_balance on journal_lines;
drop function journal_statement_must_balance;
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
