-- Up Migration

-- A posting's lines are inserted by the same statement as their entry (db/ledger.ts), and the
-- foreign key checked each line with its own lookup: most of what a posting cost beyond a plain
-- insert. The statement trigger that proves the balance now also proves every inserted line's entry
-- exists, once per statement; entries are append-only, so an entry cannot vanish under its lines.
alter table journal_lines drop constraint journal_lines_entry_id_fkey;

create or replace function journal_statement_must_balance() returns trigger language plpgsql as $$
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
  select n.entry_id into bad from inserted_lines n
    where not exists (select 1 from journal_entries e where e.id = n.entry_id)
    limit 1;
  if found then
    raise exception 'journal lines name entry %, which does not exist', bad.entry_id
      using errcode = 'foreign_key_violation';
  end if;
  return null;
end $$;

-- Down Migration
create or replace function journal_statement_must_balance() returns trigger language plpgsql as $$
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
alter table journal_lines add constraint journal_lines_entry_id_fkey foreign key (entry_id) references journal_entries (id);
