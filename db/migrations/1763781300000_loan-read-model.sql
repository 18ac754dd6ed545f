-- Up Migration

-- Single-loan reads come from the read model instead of a workflow query, which replays the whole
-- history whenever the loan is not in a worker's cache. `view` is the loan as its workflow last
-- saved it (attempts, payments, exceptions included; no PII, like the rest of this table); rows
-- written before it existed stay null and are read from the workflow.
alter table loans add column view jsonb;

-- Whose line it is, so a client's ownership check is a row, not a query of the line's workflow.
-- Null on lines saved before it was kept: those are checked against the workflow.
alter table credit_lines add column submitted_by text;

-- Down Migration
alter table credit_lines drop column submitted_by;
alter table loans drop column view;
