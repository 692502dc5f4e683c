import type { authV1 } from '@gatehouse/contracts';
import type { SqlExecutor, SqlRow } from '@gatehouse/runtime';

export interface ApiKeyRecord {
  keyId: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  expiresAt?: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

const columns = 'key_id, user_id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at';

/** API keys in SQL: hash and display prefix only, never the key. */
export class ApiKeyStore {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(record: ApiKeyRecord, hash: string): Promise<void> {
    await this.sql.query(
      `INSERT INTO api_keys (key_id, user_id, name, prefix, key_hash, scopes, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        record.keyId,
        record.userId,
        record.name,
        record.prefix,
        hash,
        record.scopes,
        record.createdAt,
        record.expiresAt ?? null,
      ],
    );
  }

  async byHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const result = await this.sql.query(`SELECT ${columns} FROM api_keys WHERE key_hash = $1`, [hash]);
    return result.rows[0] && toRecord(result.rows[0]);
  }

  async byId(keyId: string): Promise<ApiKeyRecord | undefined> {
    const result = await this.sql.query(`SELECT ${columns} FROM api_keys WHERE key_id = $1`, [keyId]);
    return result.rows[0] && toRecord(result.rows[0]);
  }

  async listForUser(userId: string, limit: number, after?: string): Promise<ApiKeyRecord[]> {
    const result = await this.sql.query(
      `SELECT ${columns} FROM api_keys WHERE user_id = $1 AND key_id > $2 ORDER BY key_id LIMIT $3`,
      [userId, after ?? '', limit],
    );
    return result.rows.map(toRecord);
  }

  /** Resolves true when the key was live and is now revoked. */
  async revoke(keyId: string, at: Date): Promise<boolean> {
    const result = await this.sql.query(
      `UPDATE api_keys SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL`,
      [keyId, at],
    );
    return result.rowCount === 1;
  }

  /** Writes many last-used times in one statement, never moving one backwards. */
  async recordLastUsed(uses: ReadonlyMap<string, number>): Promise<void> {
    if (uses.size === 0) return;
    await this.sql.query(
      `UPDATE api_keys AS k SET last_used_at = u.at
       FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
       WHERE k.key_id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
      [[...uses.keys()], [...uses.values()].map((ms) => new Date(ms))],
    );
  }
}

export function toApiKeyInfo(record: ApiKeyRecord): authV1.ApiKeyInfo {
  return {
    keyId: record.keyId,
    name: record.name,
    prefix: record.prefix,
    scopes: record.scopes,
    userId: record.userId,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    lastUsedAt: record.lastUsedAt,
    revokedAt: record.revokedAt,
  };
}

function toRecord(row: SqlRow): ApiKeyRecord {
  const optionalDate = (value: unknown) => (value instanceof Date ? value : undefined);
  return {
    keyId: String(row.key_id),
    userId: String(row.user_id),
    name: String(row.name),
    prefix: String(row.prefix),
    scopes: (row.scopes as string[] | null) ?? [],
    createdAt: row.created_at as Date,
    expiresAt: optionalDate(row.expires_at),
    lastUsedAt: optionalDate(row.last_used_at),
    revokedAt: optionalDate(row.revoked_at),
  };
}
