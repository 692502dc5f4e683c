import type { SqlExecutor } from '@gatehouse/runtime';

export type RotateOutcome =
  | { kind: 'rotated'; userId: string }
  /** The presented token was already used (or lost a race): the family is now revoked. */
  | { kind: 'reused'; userId: string }
  /** Unknown, expired or already revoked family. */
  | { kind: 'invalid' };

/** Refresh-token families: one row per session, holding the only refresh token id still usable. */
export class RefreshFamilies {
  constructor(private readonly sql: SqlExecutor) {}

  async create(familyId: string, userId: string, jti: string, now: Date, expiresAt: Date): Promise<void> {
    await this.sql.query(
      `INSERT INTO refresh_families (family_id, user_id, current_jti, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [familyId, userId, jti, now, expiresAt],
    );
  }

  /**
   * Spends `jti` and makes `nextJti` current, in one conditional UPDATE: of two parallel calls
   * with the same token exactly one matches. A token that is not current (already used) revokes
   * the whole family.
   */
  async rotate(
    familyId: string,
    jti: string,
    nextJti: string,
    now: Date,
    expiresAt: Date,
  ): Promise<RotateOutcome> {
    const rotated = await this.sql.query(
      `UPDATE refresh_families SET current_jti = $3, generation = generation + 1, expires_at = $5
       WHERE family_id = $1 AND current_jti = $2 AND revoked_at IS NULL AND expires_at > $4
       RETURNING user_id`,
      [familyId, jti, nextJti, now, expiresAt],
    );
    if (rotated.rows[0]) return { kind: 'rotated', userId: String(rotated.rows[0].user_id) };
    const revoked = await this.sql.query(
      `UPDATE refresh_families SET revoked_at = $2, revoked_reason = 'reuse'
       WHERE family_id = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING user_id`,
      [familyId, now],
    );
    return revoked.rows[0]
      ? { kind: 'reused', userId: String(revoked.rows[0].user_id) }
      : { kind: 'invalid' };
  }

  /** Revokes one family; resolves its user when it was live. */
  async revoke(familyId: string, now: Date, reason: string): Promise<string | undefined> {
    const result = await this.sql.query(
      `UPDATE refresh_families SET revoked_at = $2, revoked_reason = $3
       WHERE family_id = $1 AND revoked_at IS NULL RETURNING user_id`,
      [familyId, now, reason],
    );
    return result.rows[0] ? String(result.rows[0].user_id) : undefined;
  }

  /** Revokes every live family of a user except `keep`; resolves the revoked family ids. */
  async revokeAllExcept(userId: string, keep: string, now: Date, reason: string): Promise<string[]> {
    const result = await this.sql.query(
      `UPDATE refresh_families SET revoked_at = $3, revoked_reason = $4
       WHERE user_id = $1 AND family_id <> $2 AND revoked_at IS NULL AND expires_at > $3 RETURNING family_id`,
      [userId, keep, now, reason],
    );
    return result.rows.map((row) => String(row.family_id));
  }

  async isLive(familyId: string, now: Date): Promise<boolean> {
    const result = await this.sql.query(
      `SELECT 1 FROM refresh_families WHERE family_id = $1 AND revoked_at IS NULL AND expires_at > $2`,
      [familyId, now],
    );
    return result.rowCount > 0;
  }
}
