import { Client } from 'pg';
import { testDatabaseUrl } from '../../../../test/support/test-env';
import type { CostBudgetConfig } from '../config';

/** Usage rows whose spent/reserved differ from the sum of their ledger entries (should be none). */
export async function ledgerUsageAgreement(config: CostBudgetConfig): Promise<string[]> {
  const pg = new Client({ connectionString: testDatabaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query(
      `SELECT u.scope_kind, u.scope_id, u.spent_micros, u.reserved_micros, l.spent, l.reserved
       FROM "${config.databaseSchema}".scope_usage u
       LEFT JOIN (SELECT scope_kind, scope_id, period, period_start, SUM(spent_delta) AS spent,
                    SUM(reserved_delta) AS reserved
                  FROM "${config.databaseSchema}".ledger_entries GROUP BY 1, 2, 3, 4) l
         USING (scope_kind, scope_id, period, period_start)
       WHERE u.spent_micros <> COALESCE(l.spent, 0) OR u.reserved_micros <> COALESCE(l.reserved, 0)`,
    );
    return rows.map((row) => JSON.stringify(row));
  } finally {
    await pg.end();
  }
}
