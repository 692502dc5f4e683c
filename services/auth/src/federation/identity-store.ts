import type { SqlExecutor, SqlRow } from '@gatehouse/runtime';

/** A provider account linked to a user. */
export interface IdentityRecord {
  provider: string;
  subject: string;
  userId: string;
  email: string;
  emailVerified: boolean;
  linkedAt: Date;
  lastLoginAt?: Date;
}

const columns = 'provider, subject, user_id, email, email_verified, linked_at, last_login_at';

/** federated_identities in SQL; takes a store or a transaction. */
export class IdentityStore {
  constructor(private readonly sql: SqlExecutor) {}

  async find(provider: string, subject: string): Promise<IdentityRecord | undefined> {
    const result = await this.sql.query(
      `SELECT ${columns} FROM federated_identities WHERE provider = $1 AND subject = $2`,
      [provider, subject],
    );
    return result.rows[0] && toIdentity(result.rows[0]);
  }

  /** Links; resolves false when this provider account is already linked (to anyone). */
  async link(identity: Omit<IdentityRecord, 'lastLoginAt'>): Promise<boolean> {
    const result = await this.sql.query(
      `INSERT INTO federated_identities (provider, subject, user_id, email, email_verified, linked_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider, subject) DO NOTHING`,
      [
        identity.provider,
        identity.subject,
        identity.userId,
        identity.email,
        identity.emailVerified,
        identity.linkedAt,
      ],
    );
    return result.rowCount === 1;
  }

  /** Records a login and what the provider now says of the e-mail address. */
  async recordLogin(
    provider: string,
    subject: string,
    seen: { email: string; emailVerified: boolean; at: Date },
  ): Promise<void> {
    await this.sql.query(
      `UPDATE federated_identities SET email = $3, email_verified = $4, last_login_at = $5
       WHERE provider = $1 AND subject = $2`,
      [provider, subject, seen.email, seen.emailVerified, seen.at],
    );
  }

  async listForUser(userId: string): Promise<IdentityRecord[]> {
    const result = await this.sql.query(
      `SELECT ${columns} FROM federated_identities WHERE user_id = $1 ORDER BY provider, subject`,
      [userId],
    );
    return result.rows.map(toIdentity);
  }

  /** Removes one link of `userId`; resolves false when there was no such link. */
  async unlink(userId: string, provider: string, subject: string): Promise<boolean> {
    const result = await this.sql.query(
      'DELETE FROM federated_identities WHERE user_id = $1 AND provider = $2 AND subject = $3',
      [userId, provider, subject],
    );
    return result.rowCount === 1;
  }
}

function toIdentity(row: SqlRow): IdentityRecord {
  return {
    provider: String(row.provider),
    subject: String(row.subject),
    userId: String(row.user_id),
    email: String(row.email),
    emailVerified: row.email_verified === true,
    linkedAt: row.linked_at as Date,
    lastLoginAt: (row.last_login_at as Date | null) ?? undefined,
  };
}
