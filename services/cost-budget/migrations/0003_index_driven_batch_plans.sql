-- The batch functions plan each statement once per connection (force_generic_plan), usually while
-- the tables are still small, and keep those plans as the tables grow. Planned against a few hundred
-- rows, they scanned whole tables: a settle batch of 16 went from 3 ms to 60 ms by the time 48 000
-- reservations existed, and kept growing. Every row these functions read is reached through a key
-- they hold, so index lookups in nested loops are the right plan at any size: the other strategies
-- are switched off inside the two functions only.
ALTER FUNCTION budget_reserve_batch(timestamptz, jsonb, jsonb)
  SET enable_seqscan = off
  SET enable_bitmapscan = off
  SET enable_hashjoin = off
  SET enable_mergejoin = off;

ALTER FUNCTION budget_settle_batch(timestamptz, jsonb, jsonb)
  SET enable_seqscan = off
  SET enable_bitmapscan = off
  SET enable_hashjoin = off
  SET enable_mergejoin = off;

-- The settle batch looks reservations up by id among the open ones (`status = 'open'`), which let
-- it walk this index of every open hold instead of the primary key. Keyed on `settled_at IS NULL`
-- (true of exactly the open ones), the index serves only the expiry sweeper, which says so.
DROP INDEX reservations_open_by_expiry;
CREATE INDEX reservations_unsettled_by_expiry ON reservations (expires_at) WHERE settled_at IS NULL;
