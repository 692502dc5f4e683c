-- The ledger's stored functions now live in functions/*.sql, applied at every start-up after the
-- migrations. This migration brings a database to the schema they use:
--
-- 1. It drops the functions 0002-0004 defined (those files are gone: their functions were all
--    they held besides the index below), so that no old copy stays behind under a signature the
--    new files do not replace.
DROP FUNCTION IF EXISTS budget_spend_turn(timestamptz, jsonb, jsonb, jsonb, jsonb);
DROP FUNCTION IF EXISTS budget_reserve_batch(timestamptz, jsonb, jsonb);
DROP FUNCTION IF EXISTS budget_settle_batch(timestamptz, jsonb, jsonb);
DROP FUNCTION IF EXISTS budget_balance(jsonb, bigint, bigint);
DROP FUNCTION IF EXISTS budget_epoch_ms(bigint);
DROP FUNCTION IF EXISTS budget_time_ms(timestamptz);

-- 2. The index of open holds serves only the expiry sweeper, which selects on `settled_at IS NULL`
--    (true of exactly the open ones), so lookups by id take the primary key (what 0003 did).
DROP INDEX IF EXISTS reservations_open_by_expiry;
CREATE INDEX IF NOT EXISTS reservations_unsettled_by_expiry ON reservations (expires_at) WHERE settled_at IS NULL;

-- 3. Alert thresholds as an array, read as one by both sides (they were '50,80,100' text).
ALTER TABLE budgets ALTER COLUMN alert_thresholds TYPE smallint[] USING
  CASE WHEN alert_thresholds = '' THEN '{}'::smallint[] ELSE string_to_array(alert_thresholds, ',')::smallint[] END;

-- 4. Holds with spelled-out keys (the target format of functions/budget_targets.sql); they were
--    {k, i, p, s, e, l, u, t}.
UPDATE reservations SET holds = (
  SELECT jsonb_agg(jsonb_build_object('scope', jsonb_build_object('kind', h->'k', 'id', h->'i'), 'period', h->'p',
      'periodStartMs', h->'s', 'periodEndMs', h->'e', 'limitMicros', h->'l', 'unlimited', h->'u',
      'alertThresholds', h->'t') ORDER BY n)
  FROM jsonb_array_elements(holds) WITH ORDINALITY AS old(h, n))
WHERE jsonb_array_length(holds) > 0 AND holds->0 ? 'k';
