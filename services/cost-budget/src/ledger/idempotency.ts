import { createHash } from 'node:crypto';
import { GatehouseError, type SqlExecutor } from '@gatehouse/runtime';

/** A recorded result of Reserve or Charge, replayed for the same key and parameters. */
export interface IdempotencyRecord {
  operation: string;
  requestHash: string;
  response: unknown;
}

/** A stable hash of an operation's parameters (the caller canonicalizes order beforehand). */
export function requestHash(operation: string, parameters: unknown): string {
  const text = JSON.stringify({ operation, parameters }, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
  return createHash('sha256').update(text).digest('hex');
}

export async function findIdempotencyRecord(
  executor: SqlExecutor,
  key: string,
): Promise<IdempotencyRecord | undefined> {
  const { rows } = await executor.query(
    'SELECT operation, request_hash, response FROM idempotency_keys WHERE idempotency_key = $1',
    [key],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  const response = typeof row.response === 'string' ? (JSON.parse(row.response) as unknown) : row.response;
  return { operation: String(row.operation), requestHash: String(row.request_hash), response };
}

/**
 * Stripe semantics: the same key with the same parameters gets the original result; with other
 * parameters (or for another operation) FAILED_PRECONDITION.
 */
export function replayOrConflict(
  record: IdempotencyRecord,
  operation: string,
  hash: string,
  key: string,
): unknown {
  if (record.operation !== operation || record.requestHash !== hash) {
    throw new GatehouseError(
      'FAILED_PRECONDITION',
      `idempotency_key ${JSON.stringify(key)} was already used for a ${record.operation} with different parameters`,
      {
        reason: 'IDEMPOTENCY_KEY_REUSED',
        field: 'idempotency_key',
        metadata: { operation: record.operation },
      },
    );
  }
  return record.response;
}

/**
 * Records a result in the operation's transaction; resolves false when a concurrent call with the
 * same key committed first (the caller rolls back and replays that one's result).
 */
export async function insertIdempotencyRecord(
  tx: SqlExecutor,
  key: string,
  record: IdempotencyRecord & { at: Date },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO idempotency_keys (idempotency_key, operation, request_hash, response, created_at)
     VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
    [key, record.operation, record.requestHash, JSON.stringify(record.response), record.at],
  );
  return rowCount > 0;
}

/** Deletes records older than the retention; resolves how many. */
export async function pruneIdempotencyRecords(executor: SqlExecutor, olderThan: Date): Promise<number> {
  const { rowCount } = await executor.query('DELETE FROM idempotency_keys WHERE created_at < $1', [
    olderThan,
  ]);
  return rowCount;
}

/** Thrown inside a transaction when another call with the same key won the race. */
export class IdempotencyRace extends Error {
  constructor() {
    super('a concurrent call with the same idempotency key committed first');
  }
}
