import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { jwtAlgorithm } from '@gatehouse/credentials';
import type { SqlRow, SqlStore } from '@gatehouse/runtime';
import { randomToken } from '../support/ids';
import { decryptSecret, encryptSecret } from './key-encryption';

export interface SigningKey {
  kid: string;
  publicKey: KeyObject;
  /** The public key as a JWK, with kid/use/alg. */
  jwk: Record<string, string>;
  signsFrom: number;
  /** Epoch ms after which the key is dropped from the JWKS; undefined while it is the newest. */
  publishUntil?: number;
  /** Decrypts the private key (only the signer needs it). */
  privateKey(): KeyObject;
}

/** Signing keys in SQL, private halves encrypted with the configured key. */
export class SigningKeyStore {
  constructor(
    private readonly sql: SqlStore,
    private readonly encryptionKey: Buffer,
  ) {}

  /** Keys still published at `nowMs` (including a next key that does not sign yet). */
  async published(nowMs: number): Promise<SigningKey[]> {
    const result = await this.sql.query(
      `SELECT kid, public_jwk, private_key_enc, signs_from, publish_until FROM signing_keys
       WHERE publish_until IS NULL OR publish_until > $1 ORDER BY signs_from`,
      [new Date(nowMs)],
    );
    return result.rows.map((row) => this.toKey(row));
  }

  /**
   * Adds a key that signs from `signsFrom`, and schedules the previous newest key to leave the
   * JWKS once every token it can still sign has expired. `onlyIf` decides, under an advisory lock
   * shared by every replica, whether a key is still needed (so concurrent replicas add one).
   */
  async add(
    signsFrom: number,
    retireAfterMs: number,
    nowMs: number,
    onlyIf: (current: SigningKey[]) => boolean,
  ): Promise<SigningKey | undefined> {
    return this.sql.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(4242001)`, []);
      const current = await tx.query(
        `SELECT kid, public_jwk, private_key_enc, signs_from, publish_until FROM signing_keys
         WHERE publish_until IS NULL OR publish_until > $1 ORDER BY signs_from`,
        [new Date(nowMs)],
      );
      if (!onlyIf(current.rows.map((row) => this.toKey(row)))) return undefined;
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const kid = randomToken(16);
      const jwk = {
        ...(publicKey.export({ format: 'jwk' }) as Record<string, string>),
        kid,
        use: 'sig',
        alg: jwtAlgorithm,
      };
      const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      await tx.query(`UPDATE signing_keys SET publish_until = $1 WHERE publish_until IS NULL`, [
        new Date(signsFrom + retireAfterMs),
      ]);
      await tx.query(
        `INSERT INTO signing_keys (kid, alg, public_jwk, private_key_enc, created_at, signs_from)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          kid,
          jwtAlgorithm,
          JSON.stringify(jwk),
          encryptSecret(this.encryptionKey, pem, kid),
          new Date(nowMs),
          new Date(signsFrom),
        ],
      );
      return { kid, publicKey, jwk, signsFrom, privateKey: () => privateKey };
    });
  }

  private toKey(row: SqlRow): SigningKey {
    const kid = String(row.kid);
    const jwk = JSON.parse(String(row.public_jwk)) as Record<string, string>;
    const encrypted = String(row.private_key_enc);
    let decrypted: KeyObject | undefined;
    const publishUntil = row.publish_until as Date | null;
    return {
      kid,
      jwk,
      publicKey: createPublicKey({ key: jwk, format: 'jwk' }),
      signsFrom: (row.signs_from as Date).getTime(),
      publishUntil: publishUntil === null ? undefined : publishUntil.getTime(),
      privateKey: () => (decrypted ??= createPrivateKey(decryptSecret(this.encryptionKey, encrypted, kid))),
    };
  }
}
