import { createHash } from 'node:crypto';
import { GatehouseError, type SqlExecutor } from '@gatehouse/runtime';
import { SqlJson } from './sql-json';

/**
 * A recorded result of Reserve or Charge, replayed for the same key and parameters. The turn that
 * records the operation writes it (functions/budget_spend_turn.sql), in the same transaction.
 */
export interface IdempotencyRecord {
  operation: string;
  requestHash: string;
  /** The original answer, read by the operation that replays it. */
  response: unknown;
}

/** A stable hash of an operation's parameters (the caller canonicalizes order beforehand). */
export function requestHash(operation: string, parameters: unknown): string {
  const text = JSON.stringify({ operation, parameters }, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
  return createHash('sha256').update(text).digest('hex');
}

export function readIdempotencyRecord(value: unknown, path: string): IdempotencyRecord {
  const json = SqlJson.object(value, path);
  return {
    operation: json.string('operation'),
    requestHash: json.string('requestHash'),
    response: json.raw('response'),
  };
}

/**
 * Stripe semantics: the same key with the same parameters gets the original result (read by
 * `read`); with other parameters (or for another operation) FAILED_PRECONDITION.
 */
export function replayOrConflict<Result>(
  record: IdempotencyRecord,
  request: { operation: string; hash: string; key: string },
  read: (response: unknown, path: string) => Result,
): Result {
  const { operation, hash, key } = request;
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
  return read(record.response, 'idempotency_keys.response');
}

/** Deletes records older than the retention; resolves how many. */
export async function pruneIdempotencyRecords(executor: SqlExecutor, olderThan: Date): Promise<number> {
  const { rowCount } = await executor.query('DELETE FROM idempotency_keys WHERE created_at < $1', [
    olderThan,
  ]);
  return rowCount;
}
