-- Up Migration

-- The console's loan search filters by product; like the other filters it pages newest first.
create index loans_product_cursor on loans (product_code, created_at desc, id desc);

-- Down Migration
drop index loans_product_cursor;
