-- Instants cross between TypeScript and SQL as epoch milliseconds (JSON numbers).

CREATE OR REPLACE FUNCTION budget_epoch_ms(ms bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT timestamptz 'epoch' + ms * interval '1 millisecond'
$$;

CREATE OR REPLACE FUNCTION budget_time_ms(at timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
  SELECT floor(extract(epoch FROM at) * 1000)::bigint
$$;
