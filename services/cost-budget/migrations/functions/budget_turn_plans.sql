-- How the functions of a turn are planned; applied after them (CREATE OR REPLACE FUNCTION resets
-- a function's settings, and the files apply in name order).
--
-- Their plans depend on no argument value (everything comes as jsonb), so each statement is planned
-- once per connection, not per call. Those plans are usually made while the tables are nearly
-- empty, and plans that scan whole tables then stay in use as the tables grow: a turn settling 16
-- reservations went from 3 ms to 60 ms by the time 48 000 reservations existed. Every row a turn
-- reads is reached through a key it holds, so index lookups in nested loops are right at any size;
-- the other strategies are switched off inside these functions only (and what they call).
DO $$
DECLARE
  turn_function regprocedure;
BEGIN
  FOREACH turn_function IN ARRAY ARRAY[
    'budget_spend_turn(timestamptz, jsonb, jsonb)',
    'budget_lock_usage(timestamptz, jsonb)',
    'budget_record_turn(timestamptz, jsonb, jsonb[], jsonb[])'
  ]::regprocedure[] LOOP
    EXECUTE format('ALTER FUNCTION %s SET plan_cache_mode = force_generic_plan SET enable_seqscan = off '
      'SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off', turn_function);
  END LOOP;
END;
$$;
