-- Up Migration

-- The delinquency stage beside DPD and bucket, so collection reports group loans the way the
-- business speaks of them (early, middle, late, written off) without re-deriving it from ranges.
alter table loans add column stage text not null default 'current'
  check (stage in ('current', 'early', 'middle', 'late', 'written_off'));
create index loans_stage_cursor on loans (stage, created_at desc, id desc);

-- Down Migration
drop index loans_stage_cursor;
alter table loans drop column stage;
