-- Which budget applies to a scope: its own (table budgets), or else the configured default of its
-- kind, in the period window current at the time of the call. The one place this is decided: the
-- spend turns hold and charge against these targets, and GetBudget and VerifyLedger read them.
--
-- p_context: {"defaults": {"<scope kind>": {"period", "limitMicros", "unlimited",
-- "alertThresholds"}}, "windows": {"<period>": {"startMs", "endMs"}}} (endMs null: never ends).
-- p_scopes: [{"kind", "id"}].
--
-- A target is what a reservation stores in reservations.holds, one per scope it holds on:
-- {"scope": {"kind", "id"}, "period", "periodStartMs", "periodEndMs", "limitMicros" (text),
-- "unlimited", "alertThresholds"}. It identifies the usage row (scope, period, period start) and
-- keeps the budget that applied, which its settlement is measured against.

-- The text that keys a scope in the lookups of a turn.
CREATE OR REPLACE FUNCTION budget_scope_key(scope jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT (scope->>'kind') || ':' || (scope->>'id')
$$;

-- One row per scope, numbered in the order given.
CREATE OR REPLACE FUNCTION budget_targets(p_context jsonb, p_scopes jsonb)
RETURNS TABLE (scope_n bigint, target jsonb, explicit boolean)
LANGUAGE sql STABLE AS $$
  SELECT scope.n,
    jsonb_build_object('scope', jsonb_build_object('kind', (scope.value->>'kind')::smallint, 'id', scope.value->>'id'),
      'period', applying.budget->'period',
      'periodStartMs', p_context->'windows'->(applying.budget->>'period')->'startMs',
      'periodEndMs', p_context->'windows'->(applying.budget->>'period')->'endMs',
      'limitMicros', applying.budget->'limitMicros', 'unlimited', applying.budget->'unlimited',
      'alertThresholds', applying.budget->'alertThresholds'),
    b.scope_kind IS NOT NULL
  FROM jsonb_array_elements(p_scopes) WITH ORDINALITY AS scope(value, n)
  LEFT JOIN budgets b ON b.scope_kind = (scope.value->>'kind')::smallint AND b.scope_id = scope.value->>'id'
  CROSS JOIN LATERAL (
    SELECT CASE WHEN b.scope_kind IS NULL THEN p_context->'defaults'->(scope.value->>'kind')
           ELSE jsonb_build_object('period', b.period, 'limitMicros', b.limit_micros::text, 'unlimited', false,
             'alertThresholds', to_jsonb(b.alert_thresholds)) END AS budget
  ) AS applying
$$;
