import type { SqlExecutor } from '@gatehouse/runtime';
import type { RevocationKind, RevocationRecord } from './revocation';

/**
 * Revocations in SQL, so that a watcher connecting to any replica, at any time, gets every
 * revocation still in force in its snapshot. Rows are deleted once every token they concern expired.
 */
export class RevocationJournal {
  constructor(private readonly sql: SqlExecutor) {}

  async record(revocation: RevocationRecord): Promise<void> {
    await this.sql.query(
      `INSERT INTO revocation_journal (kind, id, revoked_at, expires_at) VALUES ($1, $2, $3, $4)`,
      [revocation.kind, revocation.id, new Date(revocation.revokedAt), new Date(revocation.expiresAt)],
    );
  }

  /** Every revocation still in force at `now`, oldest first. */
  async inForce(now: number): Promise<RevocationRecord[]> {
    const result = await this.sql.query(
      `SELECT kind, id, revoked_at, expires_at FROM revocation_journal WHERE expires_at > $1 ORDER BY seq`,
      [new Date(now)],
    );
    return result.rows.map((row) => ({
      kind: String(row.kind) as RevocationKind,
      id: String(row.id),
      revokedAt: new Date(row.revoked_at as string | Date).getTime(),
      expiresAt: new Date(row.expires_at as string | Date).getTime(),
    }));
  }

  async prune(now: number): Promise<void> {
    await this.sql.query(`DELETE FROM revocation_journal WHERE expires_at <= $1`, [new Date(now)]);
  }
}
