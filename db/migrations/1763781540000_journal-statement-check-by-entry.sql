-- Up Migration

-- The statement check asked whether every inserted line's entry exists as one anti-join of the
-- transition table against journal_entries. A transition table has no statistics, so until autovacuum
-- analysed journal_entries the planner scanned it whole for each posting, and a fresh database posted
-- slower the more it held (bench/ledger.bench.ts: half the rate by the third round). Checking entry by
-- entry (a statement inserts the lines of one entry, db/ledger.ts) is a primary-key lookup whatever the
-- statistics say, and the balance is summed in the same pass.
create function journal_lines_statement_check() returns trigger language plpgsql as $$
declare
  e record;
begin
  for e in
    select n.entry_id, sum(n.debit) - sum(n.credit) as difference, count(*) as line_count
      from inserted_lines n group by n.entry_id
  loop
    if e.difference <> 0 or e.line_count < 2 then
      raise exception 'journal entry % does not balance (debits - credits = %, lines = %)', e.entry_id, e.difference, e.line_count
        using errcode = 'check_violation';
    end if;
    if not exists (select 1 from journal_entries j where j.id = e.entry_id) then
      raise exception 'journal lines name entry %, which does not exist', e.entry_id
        using errcode = 'foreign_key_violation';
    end if;
  end loop;
  return null;
end $$;

drop trigger journal_lines_balance on journal_lines;
create trigger journal_lines_balance
  after insert on journal_lines
  referencing new table as inserted_lines
  for each statement execute function journal_lines_statement_check();

-- Down Migration
drop trigger journal_lines_balance on journal_lines;
create trigger journal_lines_balance
  after insert on journal_lines
  referencing new table as inserted_lines
  for each statement execute function journal_statement_must_balance();
drop function journal_lines_statement_check;
