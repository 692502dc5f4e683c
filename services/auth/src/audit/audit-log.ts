import type { authV1 } from '@gatehouse/contracts';
import type { Clock, Logger, SqlExecutor, SqlRow } from '@gatehouse/runtime';
import { newId } from '../support/ids';

/** Where an audited action came from (taken from the call). */
export interface AuditOrigin {
  peer?: string;
  requestId?: string;
  traceId?: string;
}

export interface AuditEntry extends AuditOrigin {
  /** Dotted type, e.g. "login.failure". */
  type: string;
  actor?: string;
  subject?: string;
  /** Non-secret context only. */
  detail?: Record<string, string>;
}

/** Events an SRE should see in the logs too, at warn: refusals and signs of credential theft. */
const warnedTypes = new Set([
  'login.failure',
  'login.lockout',
  'password.change_failed',
  'refresh.reuse_detected',
]);

/** Security events in SQL, newest first when read. Writing never fails the audited call. */
export class AuditLog {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    if (warnedTypes.has(entry.type)) {
      this.logger.warn(
        { audit_type: entry.type, subject: entry.subject, detail: entry.detail },
        'security event',
      );
    }
    try {
      await this.sql.query(
        `INSERT INTO audit_events (event_id, type, actor, subject, peer, request_id, trace_id, occurred_at, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          newId('evt'),
          entry.type,
          entry.actor ?? '',
          entry.subject ?? '',
          entry.peer ?? '',
          entry.requestId ?? '',
          entry.traceId ?? '',
          new Date(this.clock.now()),
          JSON.stringify(entry.detail ?? {}),
        ],
      );
    } catch (error) {
      this.logger.error({ err: error, audit_type: entry.type }, 'could not write an audit event');
    }
  }

  /** One page, newest first; `before` is the sequence number the previous page ended at. */
  async list(options: { limit: number; before?: number; subject?: string; type?: string }) {
    const result = await this.sql.query(
      `SELECT seq, event_id, type, actor, subject, peer, request_id, trace_id, occurred_at, detail
       FROM audit_events WHERE seq < $1 AND ($2 = '' OR subject = $2) AND ($3 = '' OR type = $3)
       ORDER BY seq DESC LIMIT $4`,
      [options.before ?? Number.MAX_SAFE_INTEGER, options.subject ?? '', options.type ?? '', options.limit],
    );
    return result.rows.map((row) => ({ seq: Number(row.seq), event: toEvent(row) }));
  }
}

function toEvent(row: SqlRow): authV1.AuditEvent {
  const detail = typeof row.detail === 'string' ? JSON.parse(row.detail) : row.detail;
  return {
    eventId: String(row.event_id),
    type: String(row.type),
    actor: String(row.actor),
    subject: String(row.subject),
    peer: String(row.peer),
    requestId: String(row.request_id),
    traceId: String(row.trace_id),
    occurredAt: row.occurred_at as Date,
    detail: (detail ?? {}) as Record<string, string>,
  };
}
