import type { SqlExecutor, SqlRow } from '@gatehouse/runtime';

export const roles = ['admin', 'user', 'service'] as const;
export const tiers = ['free', 'premium', 'admin'] as const;
export type Role = (typeof roles)[number];
export type Tier = (typeof tiers)[number];

export interface UserRecord {
  userId: string;
  email: string;
  displayName: string;
  passwordHash: string;
  roles: string[];
  tier: string;
  disabled: boolean;
  createdAt: Date;
  lastLoginAt?: Date;
}

/** A user as Register creates it: enabled, never logged in. */
export type NewUser = Omit<UserRecord, 'disabled' | 'lastLoginAt'>;

const columns =
  'user_id, email, display_name, password_hash, roles, tier, disabled, created_at, last_login_at';

/** Users in SQL. Returns false from `insert` when the email is taken. */
export class UserStore {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(user: NewUser): Promise<boolean> {
    const result = await this.sql.query(
      `INSERT INTO users (user_id, email, display_name, password_hash, roles, tier, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING`,
      [user.userId, user.email, user.displayName, user.passwordHash, user.roles, user.tier, user.createdAt],
    );
    return result.rowCount === 1;
  }

  async byEmail(email: string): Promise<UserRecord | undefined> {
    const result = await this.sql.query(`SELECT ${columns} FROM users WHERE email = $1`, [email]);
    return result.rows[0] && toUser(result.rows[0]);
  }

  async byId(userId: string): Promise<UserRecord | undefined> {
    const result = await this.sql.query(`SELECT ${columns} FROM users WHERE user_id = $1`, [userId]);
    return result.rows[0] && toUser(result.rows[0]);
  }

  async list(options: { limit: number; after?: string; emailPrefix?: string }): Promise<UserRecord[]> {
    const prefix = (options.emailPrefix ?? '').replace(/[\\%_]/g, (c) => `\\${c}`);
    const result = await this.sql.query(
      `SELECT ${columns} FROM users WHERE email > $1 AND email LIKE $2 ORDER BY email LIMIT $3`,
      [options.after ?? '', `${prefix}%`, options.limit],
    );
    return result.rows.map(toUser);
  }

  async setPasswordHash(userId: string, hash: string): Promise<void> {
    await this.sql.query('UPDATE users SET password_hash = $2 WHERE user_id = $1', [userId, hash]);
  }

  async recordLogin(userId: string, at: Date): Promise<void> {
    await this.sql.query('UPDATE users SET last_login_at = $2 WHERE user_id = $1', [userId, at]);
  }

  async update(
    userId: string,
    change: { roles?: string[]; tier?: string; disabled?: boolean },
  ): Promise<UserRecord | undefined> {
    const result = await this.sql.query(
      `UPDATE users SET roles = COALESCE($2, roles), tier = COALESCE($3, tier), disabled = COALESCE($4, disabled)
       WHERE user_id = $1 RETURNING ${columns}`,
      [userId, change.roles ?? null, change.tier ?? null, change.disabled ?? null],
    );
    return result.rows[0] && toUser(result.rows[0]);
  }
}

function toUser(row: SqlRow): UserRecord {
  return {
    userId: String(row.user_id),
    email: String(row.email),
    displayName: String(row.display_name),
    passwordHash: String(row.password_hash),
    roles: (row.roles as string[] | null) ?? [],
    tier: String(row.tier),
    disabled: row.disabled === true,
    createdAt: row.created_at as Date,
    lastLoginAt: (row.last_login_at as Date | null) ?? undefined,
  };
}
