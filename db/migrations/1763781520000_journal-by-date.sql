-- Up Migration

-- The operators' cash-flow series reads the journal by business day, not by loan.
create index journal_entries_effective_date on journal_entries (effective_date, kind);

-- Down Migration
drop index journal_entries_effective_date;
